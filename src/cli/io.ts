/** The process's streams and environment, injected so commands can be tested in-process too. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Secrets to hide from every line the CLI writes to stderr. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 8) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // Belt and braces: anything that looks like a secret key or session token assignment.
    return out.replace(
      /((?:aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken|Token)["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi,
      '$1[redacted]',
    );
  }
}

/** Diagnostics on stderr: warnings always, debug lines with `--debug`, every line redacted. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
  readonly redactor: Redactor;
}

export function createLogger(io: CliIo, debugEnabled: boolean, redactor = new Redactor()): Logger {
  return {
    redactor,
    debug: (message) => {
      if (debugEnabled) io.stderr.write(redactor.redact(`[debug] ${message}`) + '\n');
    },
    warn: (message) => io.stderr.write(redactor.redact(`warning: ${message}`) + '\n'),
  };
}
