import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { ConcurrencyPolicy } from '../aws/concurrency.js';
import { resolveLimits, startBatching, type BatchLimits } from '../firehose/batches.js';
import { firehoseSender } from '../firehose/client.js';
import {
  deliverBatches,
  type DeliveredRecords,
  type DeliveryOptions as DeliveryOptionsOfEngine,
  type DeliveryStats,
  type UndeliveredRecord,
} from '../firehose/delivery.js';
import { DEFAULT_MAX_ATTEMPTS } from '../firehose/limits.js';
import type { BackoffPolicy } from '../firehose/retry.js';

/*
 * The delivery step of a flow, behind a small interface: records that carry the caller's
 * reference (the spool's id) go in, and per-record outcomes come back through an awaited callback.
 * `engineDelivery` runs it on the delivery engine `firehose put` uses (`deliverBatches`: batches
 * of 500 records or 4 MiB, several under way as a concurrency policy allows, retries of only the
 * failed entries with backoff and jitter, a refresh on ExpiredToken), one engine run per flow run.
 */

/** A record to send, with the caller's reference to it. */
export interface OutgoingRecord {
  ref: number;
  data: Uint8Array;
}

/**
 * What became of a record: Firehose accepted it (`delivered`), refused it after every attempt
 * (`refused`), or it is not known (a call aborted or lost, or never made because the run stopped).
 */
export type RecordOutcome = 'delivered' | 'refused' | 'unknown';

export interface SettledRecord {
  ref: number;
  bytes: number;
  outcome: RecordOutcome;
  errorCode?: string;
  errorMessage?: string;
}

export interface DeliveryOptions {
  deliveryStream: string;
  /** A batch that is not full goes out this long after its first record. */
  flushIntervalMs: number;
  /** How many calls are under way at once (`fixedConcurrency(n)`, or a policy that adapts). */
  concurrency: ConcurrencyPolicy;
  /** Gets every record's outcome once; awaited before the batch's place is given to another. */
  onSettled: (settled: SettledRecord[]) => void | Promise<void>;
  /** Records sent again within a batch (failed entries, whole calls). */
  onRetried?: (records: number) => void;
  /**
   * No more records are taken (the batch being made is closed) and nothing is retried: the
   * batches already made go out once each, calls in flight finish.
   */
  stopSignal: AbortSignal;
  /** Calls in flight are aborted; their records settle as `unknown`. */
  signal: AbortSignal;
}

/**
 * Sends records from `records` until it ends or `stopSignal` stops the run. Rejects, after every
 * record taken has settled, with AWS's refusal when the stream itself is refused (deleted,
 * AccessDenied): the caller decides what that does.
 */
export type Deliver = (records: AsyncIterable<OutgoingRecord>, options: DeliveryOptions) => Promise<void>;

/** Tuning of the Firehose engine under the flows (tests use small batches and backoff). */
export interface EngineTuning {
  /** Calls per batch before its records count as refused (default 8). */
  maxAttempts?: number;
  /** Backoff between attempts (default 100 ms doubling to 20 s, with full jitter). */
  backoff?: BackoffPolicy;
  /** Smaller batches than Firehose allows (tests). */
  limits?: BatchLimits;
}

/** The {@link Deliver} of the library's delivery engine (`deliverBatches`), the one `firehose put` runs on. */
export function engineDelivery(client: FirehoseClient, tuning: EngineTuning = {}): Deliver {
  return senderDelivery(firehoseSender(client), tuning);
}

/** {@link engineDelivery} over a sender: one PutRecordBatch call and a credentials refresh (a fake in tests). */
export function senderDelivery(
  sender: Pick<DeliveryOptionsOfEngine<number>, 'send' | 'refreshCredentials'>,
  tuning: EngineTuning = {},
): Deliver {
  const limits = resolveLimits(tuning.limits);
  return async (records, o) => {
    // A stop, or a halt of the engine (a refusal), ends the batches: nothing more is read.
    const halted = new AbortController();
    const batcher = startBatching<number>(records, {
      ...limits,
      flushIntervalMs: o.flushIntervalMs,
      signal: AbortSignal.any([o.stopSignal, halted.signal]),
    });
    let resent = 0;
    try {
      const { stoppedBy } = await deliverBatches(batcher, {
        deliveryStreamName: o.deliveryStream,
        send: sender.send,
        refreshCredentials: sender.refreshCredentials,
        concurrency: o.concurrency,
        maxAttempts: tuning.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        backoff: tuning.backoff,
        onDelivered: (delivered) => o.onSettled(deliveredOutcomes(delivered)),
        onUndelivered: (undelivered) => o.onSettled(undelivered.map(undeliveredOutcome)),
        onProgress: (stats: DeliveryStats) => {
          if (stats.resent > resent) o.onRetried?.(stats.resent - resent);
          resent = stats.resent;
        },
        onHalt: () => halted.abort(),
        stopSignal: o.stopSignal,
        signal: o.signal,
      });
      if (stoppedBy) throw stoppedBy.error;
    } finally {
      batcher.stop();
    }
  };
}

function deliveredOutcomes({ refs, records }: DeliveredRecords<number>): SettledRecord[] {
  return refs.map((ref, i) => ({ ref, bytes: records[i]!.length, outcome: 'delivered' }));
}

/** Refused after every attempt (or its call refused): `refused`; its answer lost, or not sent: `unknown`. */
function undeliveredOutcome(r: UndeliveredRecord<number>): SettledRecord {
  return {
    ref: r.ref,
    bytes: r.data.length,
    outcome: r.status === 'refused' ? 'refused' : 'unknown',
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
  };
}
