import { awsErrorCode } from '../errors.js';

/**
 * Errors worth trying again from the top of a transfer step (re-reading the bytes), after the SDK's
 * own retries: an expired session (the refreshing provider has new keys by the next try), a
 * connection dropped while a body streamed, throttling and 5xx the SDK gave up on.
 */
const RETRYABLE_CODES = new Set([
  'ExpiredToken',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isRetryable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if ((err as Error).name === 'AbortError') return false;
  const code = awsErrorCode(err) ?? (err as { code?: string }).code ?? (err as Error).name;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (code !== undefined && RETRYABLE_CODES.has(code)) || (status !== undefined && status >= 500);
}

/** S3 asking the client to slow down: `SlowDown`, or a 503 (what an adaptive concurrency backs off on). */
export function isThrottling(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return awsErrorCode(err) === 'SlowDown' || status === 503;
}

export interface RetryOptions {
  /** Tries in all (default 3). */
  attempts?: number;
  /** First pause in ms, doubled each time, with full jitter (default 200). */
  baseDelayMs?: number;
  signal?: AbortSignal;
  /** Told of each failure that will be tried again (before the pause). */
  onRetry?: (err: unknown) => void;
}

/** Runs `step` again when it fails with a retryable error; `step` must redo all of its work. */
export async function retrying<T>(step: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= attempts || options.signal?.aborted || !isRetryable(err)) throw err;
      options.onRetry?.(err);
      const delay = Math.random() * (options.baseDelayMs ?? 200) * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
