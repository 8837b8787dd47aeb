import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { batchRecords, type BatchLimits } from '../firehose/batches.js';
import { putRecords } from '../firehose/putRecords.js';
import type { BackoffPolicy } from '../firehose/retry.js';
import type { FailedRecord } from '../firehose/response.js';
import type { UndeliveredReason } from '../firehose/putRecords.js';

/*
 * The delivery step of a flow, behind a small interface: records that carry the caller's
 * reference (the spool's id) go in, and per-record outcomes come back through an awaited callback.
 * `engineDelivery` runs it on the library's Firehose engine (`putRecords`: batches of 500 records
 * or 4 MiB, calls in flight, retries of only the failed entries with backoff and jitter, a refresh
 * on ExpiredToken).
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
  /** Calls in flight. */
  concurrency: number;
  /** Gets every record's outcome once; awaited before the batch's place is given to another. */
  onSettled: (settled: SettledRecord[]) => void | Promise<void>;
  /** Records sent again within a batch (failed entries, whole calls). */
  onRetried?: (records: number) => void;
  /** No more records are taken (the batch being made goes no further) and nothing is retried; calls in flight finish. */
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

/** Counts the records of every PutRecordBatch call made through the client. */
function countingClient(client: FirehoseClient, onCall: (records: number) => void): FirehoseClient {
  const counting = Object.create(client) as FirehoseClient;
  counting.send = ((command: { input?: { Records?: unknown[] } }, options?: unknown) => {
    onCall(command.input?.Records?.length ?? 0);
    return client.send(command as never, options as never);
  }) as FirehoseClient['send'];
  return counting;
}

async function* listed(records: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* records;
}

/** The {@link Deliver} of the library's engine (`putRecords`), one batch per engine run. */
export function engineDelivery(client: FirehoseClient, tuning: EngineTuning = {}): Deliver {
  return async (records, o) => {
    const refs = new Map<Uint8Array, number>();
    async function* data(): AsyncGenerator<Uint8Array> {
      for await (const r of records) {
        refs.set(r.data, r.ref);
        yield r.data;
      }
    }
    // A refusal ends the batches too: the workers waiting for one must not wait for the input.
    const refused = new AbortController();
    const batches = batchRecords(data(), tuning.limits, {
      flushIntervalMs: o.flushIntervalMs,
      signal: AbortSignal.any([o.stopSignal, refused.signal]),
    })[Symbol.asyncIterator]();
    let fatal: { err: unknown } | undefined;
    const worker = async () => {
      while (!fatal) {
        const next = await batches.next();
        if (next.done) return;
        const batch = next.value.records;
        if (o.stopSignal.aborted) {
          await o.onSettled(
            batch.map((d) => settle(d, refs, 'unknown', 'Stopped', 'not sent: the agent is stopping')),
          );
          continue;
        }
        fatal ??= await sendBatch(client, batch, refs, o, tuning);
        if (fatal) refused.abort();
      }
    };
    try {
      await Promise.all(Array.from({ length: o.concurrency }, worker));
    } finally {
      await batches.return?.(undefined).catch(() => undefined);
    }
    if (fatal) throw fatal.err;
  };
}

function settle(
  data: Uint8Array,
  refs: Map<Uint8Array, number>,
  outcome: RecordOutcome,
  errorCode?: string,
  errorMessage?: string,
): SettledRecord {
  const ref = refs.get(data)!;
  refs.delete(data);
  return { ref, bytes: data.length, outcome, errorCode, errorMessage };
}

/** One batch through the engine; every record settles; returns the refusal that ends the run, if any. */
async function sendBatch(
  client: FirehoseClient,
  batch: Uint8Array[],
  refs: Map<Uint8Array, number>,
  o: DeliveryOptions,
  tuning: EngineTuning,
): Promise<{ err: unknown } | undefined> {
  const failed = new Map<Uint8Array, FailedRecord & { reason: UndeliveredReason }>();
  let sent = 0;
  let refusal: { err: unknown } | undefined;
  try {
    await putRecords(o.deliveryStream, listed(batch), {
      client: countingClient(client, (n) => (sent += n)),
      concurrency: 1,
      maxAttempts: tuning.maxAttempts,
      /** Backoff between attempts (default 100 ms doubling to 20 s, with full jitter). */
      backoff: tuning.backoff,
      /** Smaller batches than Firehose allows (tests). */
      limits: tuning.limits,
      stopSignal: o.stopSignal,
      signal: o.signal,
      onFailed: (records, reason) => {
        for (const r of records) failed.set(r.data, { ...r, reason });
      },
    });
  } catch (err) {
    refusal = { err };
  }
  if (sent > batch.length) o.onRetried?.(sent - batch.length);
  const message = refusal && refusal.err instanceof Error ? refusal.err.message : undefined;
  await o.onSettled(
    batch.map((d) => {
      const f = failed.get(d);
      // A refusal of the whole call: some of the batch may have gone in an earlier call.
      if (refusal) return settle(d, refs, 'unknown', 'Refused', message);
      if (!f) return settle(d, refs, 'delivered');
      return settle(d, refs, f.reason === 'failed' ? 'refused' : 'unknown', f.errorCode, f.errorMessage);
    }),
  );
  return refusal;
}
