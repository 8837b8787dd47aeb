/** When and how soon a PutRecordBatch is tried again. Pure: tests drive it with their own `random`. */

/** What to do after a whole call failed. */
export type CallFailure =
  /** Throttling, a 5xx or a network error: back off and send the same records again. */
  | 'retry'
  /** The session token expired: refresh the credentials, then send again at once. */
  | 'expired'
  /** Anything else (access denied, no such stream, bad input): stop the run. */
  | 'fatal';

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException']);
const THROTTLED = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Socket errors worth another try (the SDK's own transient list, plus DNS hiccups). */
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Classifies an error thrown by `FirehoseClient.send`. */
export function classifyCallError(err: unknown): CallFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return 'retry';
  if (e.name === 'TimeoutError') return 'retry';
  if (typeof e.name === 'string' && EXPIRED.has(e.name)) return 'expired';
  if (typeof e.name === 'string' && THROTTLED.has(e.name)) return 'retry';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return 'retry';
  return 'fatal';
}

/** The error's code for a failed-records report: AWS's code, else Node's, else its name. */
export function errorCodeOf(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  if (typeof e.code === 'string') return e.code;
  return typeof e.name === 'string' ? e.name : 'Error';
}

/** How long to wait before each retry: `backoffDelay`. */
export interface BackoffPolicy {
  /** First retry waits up to this long (default 100 ms). */
  baseMs: number;
  /** No wait is longer than this (default 20 s). */
  capMs: number;
}

/** 100 ms doubling to 20 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 20_000 };

/**
 * Exponential backoff with full jitter: before retry `n` (1-based) wait a uniformly random time in
 * `[0, min(cap, base * 2^(n-1)))`. Jitter spreads concurrent batches apart instead of having them
 * hit a throttled stream again in lockstep.
 */
export function backoffDelay(
  retry: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Socket errors of a connection that was never made: the request cannot have arrived. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a call that failed this way may still have been carried out: its request may have
 * reached AWS and only the answer was lost (a connection reset or a timeout once connected). Any
 * answer from AWS, a connection never made, or a time-out while connecting, says it was not.
 */
export function answerLost(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape & { message?: unknown };
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  if (typeof e.code === 'string' && NOT_CONNECTED.has(e.code)) return false;
  // The SDK's connect timeout: "... did not establish a connection with the server within ...".
  if (
    e.name === 'TimeoutError' &&
    typeof e.message === 'string' &&
    /did not establish a connection/.test(e.message)
  )
    return false;
  return e.name === 'TimeoutError' || (typeof e.code === 'string' && NETWORK.has(e.code));
}
