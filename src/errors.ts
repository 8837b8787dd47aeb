/**
 * The one error class of tempcreds. Its `kind` decides the exit code:
 * `usage` (bad input, nothing was changed) exits 2, everything else exits 1.
 */
export type ErrorKind =
  /** Bad flags, values, names or files given by the user. Exit 2. */
  | 'usage'
  /** AWS answered with a refusal (AccessDenied, ValidationError, ...). Exit 1. */
  | 'aws'
  /** Network, partial failure, or anything else that failed while running. Exit 1. */
  | 'failed';

/** What a {@link TempcredsError} is made of, besides its message. */
export interface TempcredsErrorOptions {
  /** Decides the exit code: `usage` exits 2, `aws` and `failed` exit 1. */
  kind: ErrorKind;
  /** What to do about it, ideally a command to run. Printed on its own line. */
  fix?: string;
  /** AWS's error code when `kind` is `aws` (e.g. `AccessDenied`). */
  awsCode?: string;
  /** The error this one explains (an SDK exception, a Node `errno` error); kept as `Error.cause`. */
  cause?: unknown;
}

/**
 * The one error every tempcreds function throws on purpose: a message that says what is wrong, in
 * AWS's terms where AWS refused, and a `fix` that says what to do. Anything else that escapes is a bug.
 */
export class TempcredsError extends Error {
  /** `usage` (bad input, nothing changed), `aws` (AWS refused) or `failed` (anything else). */
  readonly kind: ErrorKind;
  /** What to do about it, ideally a command to run; undefined when there is nothing to suggest. */
  readonly fix: string | undefined;
  /** AWS's error code (`AccessDenied`, `ExpiredToken`, ...) when `kind` is `aws`. */
  readonly awsCode: string | undefined;

  constructor(message: string, options: TempcredsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TempcredsError';
    this.kind = options.kind;
    this.fix = options.fix;
    this.awsCode = options.awsCode;
  }

  /** The exit code the CLI uses for this error: 2 for `usage`, 1 otherwise. */
  get exitCode(): number {
    return this.kind === 'usage' ? 2 : 1;
  }
}

/** Shorthand for a bad-input error (exit 2). */
export function usageError(message: string, fix?: string): TempcredsError {
  return new TempcredsError(message, { kind: 'usage', fix });
}

/** The AWS error code of an SDK v3 service exception, or undefined for anything else. */
export function awsErrorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && '$metadata' in err && 'name' in err) {
    const code = (err as { Code?: unknown; name: unknown }).Code ?? (err as { name: unknown }).name;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
