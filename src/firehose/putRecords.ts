import { setTimeout as delay } from 'node:timers/promises';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError, usageError } from '../errors.js';
import { batchRecords, type Batch, type BatchLimits } from './batches.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, formatCount } from './limits.js';
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
  /** PutRecordBatch calls made, and how many of them were retries (whole calls or failed entries). */
  calls: number;
  retries: number;
}

/** What `putRecords` did. */
export interface PutSummary extends PutProgress {
  deliveryStreamName: string;
  durationMs: number;
  /** The records still failing at the end, unless `onFailed` took them as they came. */
  failedRecords: FailedRecord[];
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
  backoff?: BackoffPolicy;
  /** Wait this long before every call: pacing under a tight quota, or a test that must outlast sessions. */
  pauseMs?: number;
  onProgress?: (progress: PutProgress) => void;
  /** Takes the records that failed for good as they come (e.g. to write them to a file); else they are kept in the summary. */
  onFailed?: (records: FailedRecord[]) => void | Promise<void>;
  /**
   * Gets new credentials after AWS said the session token expired. Default: the client's own
   * provider with `forceRefresh` (a refreshing provider has usually renewed already).
   */
  refreshCredentials?: () => Promise<unknown>;
  /** Stops the run: no new batches, in-flight calls aborted; `putRecords` rejects with the signal's reason. */
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

/**
 * Sends records to a Firehose delivery stream in PutRecordBatch calls as full as the limits allow,
 * several batches in flight. Only the failed entries of a partly failed batch are sent again;
 * whole calls are retried on throttling, 5xx and network errors, with exponential backoff and full
 * jitter, and at once after refreshing credentials on an expired token. Records still failing
 * after `maxAttempts` calls go to `onFailed` (or the summary). Rejects, with what was delivered
 * in the message, when the input is bad or AWS refuses the call itself (access, stream).
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
    calls: 0,
    retries: 0,
  };
  const failedRecords: FailedRecord[] = [];
  const report = () => options.onProgress?.({ ...progress });
  // Set on the first error that ends the run; stops workers from taking batches and from waiting.
  const stop = new AbortController();
  let stopError: { err: unknown; fromInput: boolean } | undefined;
  const halt = (err: unknown, fromInput = false) => {
    stopError ??= { err, fromInput };
    stop.abort();
  };
  const onAbort = () => halt(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const giveUp = async (failed: FailedRecord[]) => {
    progress.failed += failed.length;
    if (options.onFailed) await options.onFailed(failed);
    else failedRecords.push(...failed);
  };

  /** Sends one batch until every record is delivered or out of attempts. */
  const deliver = async (batch: Batch) => {
    let pending = batch.records;
    let waitBeforeNext = true;
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        if (waitBeforeNext) await sleep(backoffDelay(attempt - 1, random, backoff), stop.signal);
        if (stop.signal.aborted) return;
        progress.retries += 1;
      }
      if (options.pauseMs) await sleep(options.pauseMs, stop.signal);
      if (stop.signal.aborted) return;
      progress.calls += 1;
      let failed: FailedRecord[];
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
        if (options.signal?.aborted) return;
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
      if (attempt >= maxAttempts) {
        await giveUp(failed);
        report();
        return;
      }
      pending = failed.map((f) => f.data);
    }
  };

  const batches = batchRecords(records, options.limits)[Symbol.asyncIterator]();
  const worker = async () => {
    while (!stop.signal.aborted) {
      let next: IteratorResult<Batch>;
      try {
        next = await batches.next();
      } catch (err) {
        halt(err, true);
        return;
      }
      if (next.done || stop.signal.aborted) return;
      progress.records += next.value.records.length;
      progress.bytes += next.value.bytes;
      await deliver(next.value).catch((err: unknown) => halt(err));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  options.signal?.removeEventListener('abort', onAbort);
  if (stopError !== undefined) {
    await batches.return?.(undefined).catch(() => undefined);
    throw withProgress(stopError.err, stopError.fromInput, progress);
  }
  return { ...progress, deliveryStreamName, durationMs: now() - started, failedRecords };
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
