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

/**
 * `name = value`, `name: value`, `"name": "value"` for the names that carry a secret (`Token` is the
 * container endpoint's), the name standing alone (`ExpiredToken:` is not `Token:`).
 */
const SECRET_ASSIGNMENT =
  /((?<![\w-])["']?(?:aws_secret_access_key|aws_session_token|aws_security_token|secretAccessKey|sessionToken|Token|X-Amz-Security-Token|Authorization)["']?\s*[:=]\s*["']?)([^"'\s,}&]+)/gi;
/**
 * What a secret looks like: 16 or more base64 or URL-encoded characters with at least one digit or
 * `+/=%`. AWS keys and tokens always are; English words (`The security token ...`) never are.
 */
const SECRET_LIKE = /^(?=.*[0-9+/=%])[A-Za-z0-9+/=%_-]{16,}$/;

/** Secrets to hide from every line the CLI writes to stderr. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 8) this.secrets.add(value);
  }

  /** The known secrets, and anything assigned to a secret's name that looks like a secret; not AWS's words. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out.replace(SECRET_ASSIGNMENT, (whole, name: string, value: string) =>
      SECRET_LIKE.test(value) ? `${name}[redacted]` : whole,
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
