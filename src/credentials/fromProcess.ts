import { execFile } from 'node:child_process';
import type { AwsCredentialIdentity } from '@smithy/types';
import { TempcredsError, usageError } from '../errors.js';

/**
 * Splits a `credential_process` line into program and arguments the way botocore does
 * (shlex, POSIX rules): whitespace separates, single quotes are literal, double quotes allow
 * `\"` and `\\`, a backslash outside quotes escapes the next character. No shell is involved.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote)
    throw usageError(
      `credential_process has an unclosed ${quote} quote: ${line}`,
      'Close the quote in the profile.',
    );
  if (inWord) words.push(word);
  return words;
}

/** Parses credential_process output (`Version: 1`). */
export function parseProcessOutput(stdout: string, profile: string): AwsCredentialIdentity {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new TempcredsError(`credential_process of profile ${profile} did not print JSON.`, {
      kind: 'failed',
    });
  }
  if (
    data.Version !== 1 ||
    typeof data.AccessKeyId !== 'string' ||
    typeof data.SecretAccessKey !== 'string'
  ) {
    throw new TempcredsError(
      `credential_process of profile ${profile} printed no Version 1 credentials (AccessKeyId, SecretAccessKey).`,
      { kind: 'failed' },
    );
  }
  return {
    accessKeyId: data.AccessKeyId,
    secretAccessKey: data.SecretAccessKey,
    sessionToken: typeof data.SessionToken === 'string' ? data.SessionToken : undefined,
    expiration: typeof data.Expiration === 'string' ? new Date(data.Expiration) : undefined,
  };
}

/** Runs a profile's credential_process (no shell) and returns what it printed. */
export function fromProcess(commandLine: string, profile: string, env: NodeJS.ProcessEnv) {
  return async (): Promise<AwsCredentialIdentity> => {
    const [program, ...args] = splitCommandLine(commandLine);
    if (!program)
      throw usageError(
        `credential_process of profile ${profile} is empty.`,
        'Set a command or remove the key.',
      );
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(program, args, { env, maxBuffer: 1 << 20, timeout: 120_000 }, (err, out, errOut) => {
        if (err) {
          const detail = errOut.toString().trim().split('\n').slice(-1)[0] || err.message;
          reject(
            new TempcredsError(`credential_process of profile ${profile} failed: ${detail}`, {
              kind: 'failed',
            }),
          );
        } else resolve(out.toString());
      });
    });
    return parseProcessOutput(stdout, profile);
  };
}
