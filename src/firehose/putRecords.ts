import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { TempcredsError } from '../errors.js';
import { startBatching, type BatchLimits, type Referenced } from './batches.js';
import { firehoseSender } from './client.js';
import type { ConcurrencyChange } from '../aws/adaptiveConcurrency.js';
import { firehoseConcurrency } from './concurrency.js';
import {
  deliverBatches,
  type CallCounts,
  type DeliveryResult,
  type DeliveryStats,
  type UndeliveredRecord,
  type UndeliveredStatus,
} from './delivery.js';
import { formatCount } from './limits.js';
import type { FailedRecord } from './response.js';
import type { BackoffPolicy } from './retry.js';
import { putSettings, type PutSettings } from './settings.js';

/** Counters of a run so far; `onProgress` gets a fresh copy after every call. */
export interface PutProgress extends CallCounts {
  /** Records taken from the input so far, and their bytes (as sent). */
  records: number;
  /** Bytes of the records taken. */
  bytes: number;
  /** Records Firehose accepted, and their bytes. */
  delivered: number;
  /** Bytes of the records delivered. */
  deliveredBytes: number;
  /** Records given up on after every attempt: Firehose refused them (or could not be reached). They did not arrive. */
  failed: number;
  /** Records given up on whose call's answer was lost (a reset connection, a call aborted in flight): they may have arrived. */
  unknown: number;
  /** Records not delivered because the run was stopped: never sent, or not retried. They did not arrive. */
  notSent: number;
}

/** Why a record was not delivered: it `failed` every attempt, its answer was lost (`unknown`), or the run stopped first (`notSent`). */
export type UndeliveredReason = 'failed' | 'unknown' | 'notSent';

/** What `putRecords` did. */
export interface PutSummary extends PutProgress {
  /** The stream the records went to. */
  deliveryStreamName: string;
  /** From the start of sending to its end. */
  durationMs: number;
  /** The records not delivered (failed, unknown or not sent), unless `onFailed` took them as they came. */
  failedRecords: FailedRecord[];
  /** `stopSignal` or `signal` ended the run early. */
  interrupted: boolean;
}

/** How `putRecords` sends, and what it tells the caller. */
export interface PutRecordsOptions {
  /** A client made for this (e.g. with `clientConfig('firehose', ctx)`); give it `maxAttempts: 1` so retries are ours alone. */
  client: FirehoseClient;
  /** Pins the batches in flight at once, 1 to 64 (default: fitted to the link, from 32; see `streamConcurrency`). */
  concurrency?: number;
  /** Told of every change of the batches in flight when they are fitted to the link (`--debug` prints them). */
  onConcurrency?: (change: ConcurrencyChange) => void;
  /** Calls per batch, the first included, before its records count as failed (default 8). */
  maxAttempts?: number;
  /** Smaller batches than Firehose allows (tests; slow links). */
  limits?: BatchLimits;
  /**
   * A batch that is not full goes out at most this long after its first record was read, while
   * the input stays open (default 1000 ms). Full batches go out at once regardless.
   */
  flushIntervalMs?: number;
  /** Exponential backoff with full jitter between attempts (default 100 ms doubling to 20 s). */
  backoff?: BackoffPolicy;
  /** Wait this long before every call: pacing under a tight quota, or a test that must outlast sessions. */
  pauseMs?: number;
  /** A copy of the counters after every call. */
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
   * Stops the run at once: the read in progress is abandoned, calls in flight are aborted (their
   * records go to `onFailed` as unknown: they may have arrived), and every other record taken but
   * not delivered goes there as not sent. Resolves with the summary.
   */
  signal?: AbortSignal;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injectable for tests: the jitter's draws, in [0, 1). */
  random?: () => number;
  /** Injectable for tests: the clock, in ms. */
  now?: () => number;
}

/** The reason of each engine status, in `putRecords`' words. */
export const REASON_OF: Record<UndeliveredStatus, UndeliveredReason> = {
  refused: 'failed',
  unknown: 'unknown',
  notSent: 'notSent',
};

/**
 * Sends records to a Firehose delivery stream in PutRecordBatch calls as full as the limits allow,
 * several batches in flight; a batch that is not full goes out `flushIntervalMs` after its first
 * record, so a slow input is not held back. Only the failed entries of a partly failed batch are
 * sent again; whole calls are retried on throttling, 5xx and network errors, with exponential
 * backoff and full jitter, and at once after refreshing credentials on an expired token. Records
 * still failing after `maxAttempts` calls go to `onFailed` (or the summary), as do the records a
 * stop left undelivered. Rejects, with what was delivered in the message, when the input is bad
 * or AWS refuses the call itself (access, stream); the records taken by then and not delivered
 * have gone to `onFailed` first.
 */
export async function putRecords(
  deliveryStreamName: string,
  records: AsyncIterable<Uint8Array>,
  options: PutRecordsOptions,
): Promise<PutSummary> {
  const settings = putSettings(options);
  const failedRecords: FailedRecord[] = [];
  const { summary, stoppedBy } = await runPut(deliveryStreamName, records, settings, {
    ...options,
    onUndelivered: async (undelivered) => {
      const failed = undelivered.map(({ data, errorCode, errorMessage }) => ({
        data,
        errorCode,
        errorMessage,
      }));
      if (options.onFailed) await options.onFailed(failed, REASON_OF[undelivered[0]!.status]);
      else failedRecords.push(...failed);
    },
  });
  if (stoppedBy) throw withProgress(stoppedBy.error, stoppedBy.fromInput, summary);
  return { ...summary, failedRecords };
}

/** What `runPut` takes besides the records and the (checked) settings. */
export interface PutHooks<Ref> extends Pick<
  PutRecordsOptions,
  | 'client'
  | 'backoff'
  | 'onProgress'
  | 'onConcurrency'
  | 'refreshCredentials'
  | 'stopSignal'
  | 'signal'
  | 'sleep'
  | 'random'
  | 'now'
> {
  /** Records given up on, each with its reference and status; awaited. */
  onUndelivered?: (records: UndeliveredRecord<Ref>[]) => void | Promise<void>;
  /** Every record was checked against the record limit by its reader already: the batcher does not check again. */
  checked?: boolean;
}

/**
 * `putRecords` without the checks and the throw: settings already checked (`putSettings`), records
 * with references (line numbers), and the run's end reported rather than thrown, beside the summary.
 */
export async function runPut<Ref>(
  deliveryStreamName: string,
  records: AsyncIterable<Uint8Array> | AsyncIterable<Referenced<Ref>>,
  settings: PutSettings,
  hooks: PutHooks<Ref>,
): Promise<{ summary: PutSummary; stoppedBy: DeliveryResult['stoppedBy']; lastRef: Ref | undefined }> {
  const now = hooks.now ?? Date.now;
  const started = now();
  const sender = firehoseSender(hooks.client);
  const stopReading = new AbortController();
  const batcher = startBatching<Ref>(records, {
    ...settings.limits,
    maxRecordBytes: hooks.checked ? undefined : settings.limits.maxRecordBytes,
    flushIntervalMs: settings.flushIntervalMs,
    signal: stopReading.signal,
    drainSignal: hooks.stopSignal,
  });
  // Every record the batcher took reaches the engine in a batch (held ones too): the last one seen is the last taken.
  let lastRef: Ref | undefined;
  const batches = {
    next: async () => {
      const batch = await batcher.next();
      if (batch) lastRef = batch.refs[batch.refs.length - 1];
      return batch;
    },
  };
  try {
    const { stats, stoppedBy } = await deliverBatches(batches, {
      deliveryStreamName,
      send: sender.send,
      refreshCredentials: hooks.refreshCredentials ?? sender.refreshCredentials,
      concurrency: firehoseConcurrency(settings.concurrency, hooks.onConcurrency),
      maxAttempts: settings.maxAttempts,
      backoff: hooks.backoff,
      pauseMs: settings.pauseMs,
      onProgress: hooks.onProgress && ((stats) => hooks.onProgress!(progressOf(stats))),
      onUndelivered: hooks.onUndelivered,
      onHalt: () => stopReading.abort(),
      stopSignal: hooks.stopSignal,
      signal: hooks.signal,
      sleep: hooks.sleep,
      random: hooks.random,
      now,
    });
    const interrupted = hooks.stopSignal?.aborted === true || hooks.signal?.aborted === true;
    const summary = {
      ...progressOf(stats),
      deliveryStreamName,
      durationMs: now() - started,
      failedRecords: [],
      interrupted,
    };
    return { summary, stoppedBy, lastRef };
  } finally {
    batcher.stop();
  }
}

function progressOf(stats: DeliveryStats): PutProgress {
  const { refused, ...rest } = stats;
  return { ...rest, failed: refused };
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
export function withProgress(err: unknown, fromInput: boolean, progress: PutProgress): unknown {
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
