import { setTimeout as delay } from 'node:timers/promises';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError, usageError } from '../errors.js';
import { batchRecords, type Batch, type BatchLimits } from './batches.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_ATTEMPTS,
  formatCount,
} from './limits.js';
import { splitBatchOutput, type FailedRecord } from './response.js';
import {
  backoffDelay,
  classifyCallError,
  DEFAULT_BACKOFF,
  errorCodeOf,
  type BackoffPolicy,
} from './retry.js';
import { firehoseSdk } from '../aws/sdk.js';

const { PutRecordBatchCommand } = firehoseSdk();

/** Counters of a run so far; `onProgress` gets a fresh copy after every call. */
export interface PutProgress {
  /** Records taken from the input so far, and their bytes (as sent). */
  records: number;
  bytes: number;
  /** Records Firehose accepted, and their bytes. */
  delivered: number;
  deliveredBytes: number;
  /** Records given up on after every attempt. */
  failed: number;
  /** Records not delivered because the run was stopped: never sent, not retried, or in an aborted call. */
  notSent: number;
  /** PutRecordBatch calls made, and how many of them were retries (whole calls or failed entries). */
  calls: number;
  retries: number;
}

/** Why a record was not delivered: it `failed` every attempt, or the run was stopped before it could be (`notSent`). */
export type UndeliveredReason = 'failed' | 'notSent';

/** What `putRecords` did. */
export interface PutSummary extends PutProgress {
  deliveryStreamName: string;
  durationMs: number;
  /** The records not delivered (failed or not sent), unless `onFailed` took them as they came. */
  failedRecords: FailedRecord[];
  /** `stopSignal` or `signal` ended the run early. */
  interrupted: boolean;
}

export interface PutRecordsOptions {
  /** A client made for this (e.g. with `clientConfig('firehose', ctx)`); give it `maxAttempts: 1` so retries are ours alone. */
  client: FirehoseClient;
  /** Batches in flight at once (default 4). */
  concurrency?: number;
  /** Calls per batch, the first included, before its records count as failed (default 8). */
  maxAttempts?: number;
  /** Smaller batches than Firehose allows (tests; slow links). */
  limits?: BatchLimits;
  /**
   * A batch that is not full goes out at most this long after its first record was read, while
   * the input stays open (default 1000 ms). Full batches go out at once regardless.
   */
  flushIntervalMs?: number;
  backoff?: BackoffPolicy;
  /** Wait this long before every call: pacing under a tight quota, or a test that must outlast sessions. */
  pauseMs?: number;
  onProgress?: (progress: PutProgress) => void;
  /**
   * Takes the records not delivered as they come (e.g. to write them to a file), with the reason;
   * else they are kept in the summary.
   */
  onFailed?: (records: FailedRecord[], reason: UndeliveredReason) => void | Promise<void>;
  /**
   * Gets new credentials after AWS said the session token expired. Default: the client's own
   * provider with `forceRefresh` (a refreshing provider has usually renewed already).
   */
  refreshCredentials?: () => Promise<unknown>;
  /**
   * Winds the run down without losing a record: nothing is retried from then on (what fails goes
   * to `onFailed` as not sent), calls in flight finish, and the records still coming from the
   * input go out once each. The run ends when the input does: end it on the same signal, as
   * `readRecords(streamChunks(stream, signal), { ..., cutSignal: signal })` does (what the stream
   * had already read is kept, an incomplete last record is left out).
   */
  stopSignal?: AbortSignal;
  /**
   * Stops the run at once: the read in progress is abandoned, calls in flight are aborted, and
   * every record taken but not known to be delivered goes to `onFailed` as not sent (an aborted
   * call may have delivered some: resending them is at-least-once). Resolves with the summary.
   */
  signal?: AbortSignal;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  delay(ms, undefined, { signal }).catch(() => undefined);

function positiveInteger(value: number | undefined, fallback: number, what: string, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw usageError(`${what} must be a whole number from 1 to ${max}, not ${value}.`);
  }
  return value;
}

/** What a record that was never answered is reported with. */
const INTERRUPTED = { errorCode: 'Interrupted', errorMessage: 'not sent: the run was stopped' };

/**
 * Sends records to a Firehose delivery stream in PutRecordBatch calls as full as the limits allow,
 * several batches in flight; a batch that is not full goes out `flushIntervalMs` after its first
 * record, so a slow input is not held back. Only the failed entries of a partly failed batch are
 * sent again; whole calls are retried on throttling, 5xx and network errors, with exponential
 * backoff and full jitter, and at once after refreshing credentials on an expired token. Records
 * still failing after `maxAttempts` calls go to `onFailed` (or the summary), as do the records a
 * stop left undelivered. Rejects, with what was delivered in the message, when the input is bad
 * or AWS refuses the call itself (access, stream).
 */
export async function putRecords(
  deliveryStreamName: string,
  records: AsyncIterable<Uint8Array>,
  options: PutRecordsOptions,
): Promise<PutSummary> {
  const { client } = options;
  const concurrency = positiveInteger(options.concurrency, DEFAULT_CONCURRENCY, 'concurrency', 64);
  const maxAttempts = positiveInteger(options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 'maxAttempts', 100);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const refreshCredentials =
    options.refreshCredentials ?? (() => client.config.credentials({ forceRefresh: true }));
  const started = now();

  const progress: PutProgress = {
    records: 0,
    bytes: 0,
    delivered: 0,
    deliveredBytes: 0,
    failed: 0,
    notSent: 0,
    calls: 0,
    retries: 0,
  };
  const failedRecords: FailedRecord[] = [];
  const report = () => options.onProgress?.({ ...progress });
  // Reading stops on an error that ends the run or on `signal`; waits end on those and on `stopSignal`.
  const stopReading = new AbortController();
  const wakeUp = new AbortController();
  let stopError: { err: unknown; fromInput: boolean } | undefined;
  const halt = (err: unknown, fromInput = false) => {
    stopError ??= { err, fromInput };
    stopReading.abort();
    wakeUp.abort();
  };
  const aborted = () => options.signal?.aborted === true;
  const stopping = () => aborted() || options.stopSignal?.aborted === true;
  const onAbort = () => {
    stopReading.abort();
    wakeUp.abort();
  };
  const onStop = () => wakeUp.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  options.stopSignal?.addEventListener('abort', onStop, { once: true });
  if (aborted()) onAbort();
  if (stopping()) onStop();

  const giveUp = async (undelivered: FailedRecord[], reason: UndeliveredReason) => {
    progress[reason] += undelivered.length;
    if (options.onFailed) await options.onFailed(undelivered, reason);
    else failedRecords.push(...undelivered);
    report();
  };
  const interrupted = (data: Uint8Array[]) => data.map((d) => ({ data: d, ...INTERRUPTED }));

  /** Sends one batch until every record is delivered, out of attempts, or stopped. */
  const deliver = async (batch: Batch) => {
    let pending = batch.records;
    let failed: FailedRecord[] = [];
    let waitBeforeNext = true;
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        if (waitBeforeNext) await sleep(backoffDelay(attempt - 1, random, backoff), wakeUp.signal);
        if (stopError) return;
        // Nothing is retried once stopping: the records keep the reason of their last failure.
        if (stopping()) return giveUp(failed, 'notSent');
        progress.retries += 1;
      }
      if (options.pauseMs) await sleep(options.pauseMs, wakeUp.signal);
      if (stopError) return;
      if (aborted()) return giveUp(interrupted(pending), 'notSent');
      progress.calls += 1;
      try {
        const output = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: deliveryStreamName,
            Records: pending.map((Data) => ({ Data })),
          }),
          { abortSignal: options.signal },
        );
        const outcome = splitBatchOutput(pending, output);
        progress.delivered += outcome.deliveredRecords;
        progress.deliveredBytes += outcome.deliveredBytes;
        failed = outcome.failed;
        waitBeforeNext = true;
      } catch (err) {
        if (aborted()) return giveUp(interrupted(pending), 'notSent');
        const kind = classifyCallError(err);
        if (kind === 'fatal' || (kind === 'expired' && attempt >= maxAttempts)) {
          halt(explainCallError(err, deliveryStreamName));
          return;
        }
        if (kind === 'expired') await refreshCredentials();
        waitBeforeNext = kind !== 'expired';
        const errorMessage = err instanceof Error ? err.message : String(err);
        failed = pending.map((data) => ({ data, errorCode: errorCodeOf(err), errorMessage }));
      }
      report();
      if (failed.length === 0) return;
      if (attempt >= maxAttempts) return giveUp(failed, 'failed');
      pending = failed.map((f) => f.data);
    }
  };

  const batches = batchRecords(records, options.limits, {
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    signal: stopReading.signal,
    drainSignal: options.stopSignal,
  })[Symbol.asyncIterator]();
  const worker = async () => {
    while (!stopError) {
      let next: IteratorResult<Batch>;
      try {
        next = await batches.next();
      } catch (err) {
        halt(err, true);
        return;
      }
      if (next.done || stopError) return;
      progress.records += next.value.records.length;
      progress.bytes += next.value.bytes;
      await deliver(next.value).catch((err: unknown) => halt(err));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  options.signal?.removeEventListener('abort', onAbort);
  options.stopSignal?.removeEventListener('abort', onStop);
  if (stopError !== undefined) {
    await batches.return?.(undefined).catch(() => undefined);
    throw withProgress(stopError.err, stopError.fromInput, progress);
  }
  return {
    ...progress,
    deliveryStreamName,
    durationMs: now() - started,
    failedRecords,
    interrupted: stopping(),
  };
}

/** AWS's refusal in tempcreds' words; an unknown stream gets a fix that says how to list them. */
function explainCallError(err: unknown, deliveryStreamName: string): TempcredsError {
  const explained = explainAwsError(err, { action: `PutRecordBatch to ${deliveryStreamName}` });
  if (explained.awsCode !== 'ResourceNotFoundException') return explained;
  return new TempcredsError(explained.message, {
    kind: 'aws',
    awsCode: explained.awsCode,
    fix: 'Check the stream name and the region: aws firehose list-delivery-streams --region REGION',
    cause: err,
  });
}

/** Says of a bad-input error that nothing went out (a scan before sending found it). */
export function nothingSent(err: unknown): unknown {
  if (!(err instanceof TempcredsError)) return err;
  return new TempcredsError(`${err.message} Nothing was sent.`, {
    kind: err.kind,
    fix: err.fix,
    cause: err.cause,
  });
}

/**
 * Adds to an error what had been done when it happened. Bad input found before any call changed
 * nothing (exit 2); found after some calls (stdin from a pipe), it is a failed run (exit 1).
 */
function withProgress(err: unknown, fromInput: boolean, progress: PutProgress): unknown {
  if (!(err instanceof TempcredsError)) return err;
  if (progress.calls === 0 || (progress.delivered === 0 && !fromInput))
    return fromInput ? nothingSent(err) : err;
  const before = fromInput ? ' before it' : '';
  const done = `${formatCount(progress.delivered)} record(s) had been delivered${before} in ${formatCount(progress.calls)} call(s).`;
  return new TempcredsError(`${err.message} ${done}`, {
    kind: err.kind === 'usage' ? 'failed' : err.kind,
    fix: err.fix,
    awsCode: err.awsCode,
    cause: err.cause ?? err,
  });
}
