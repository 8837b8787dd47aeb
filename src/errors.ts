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

export interface TempcredsErrorOptions {
  kind: ErrorKind;
  /** What to do about it, ideally a command to run. Printed on its own line. */
  fix?: string;
  /** AWS's error code when `kind` is `aws` (e.g. `AccessDenied`). */
  awsCode?: string;
  cause?: unknown;
}

export class TempcredsError extends Error {
  readonly kind: ErrorKind;
  readonly fix: string | undefined;
  readonly awsCode: string | undefined;

  constructor(message: string, options: TempcredsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TempcredsError';
    this.kind = options.kind;
    this.fix = options.fix;
    this.awsCode = options.awsCode;
  }

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
