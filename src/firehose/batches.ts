import { usageError } from '../errors.js';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_FLUSH_INTERVAL_MS,
  MAX_RECORD_BYTES,
  formatCount,
} from './limits.js';

/** One PutRecordBatch call's worth of records. */
export interface Batch {
  records: Uint8Array[];
  /** Sum of the records' sizes (decoded bytes, as Firehose counts them). */
  bytes: number;
  /** 0-based position of the first record in the whole input. */
  first: number;
}

export interface BatchLimits {
  /** At most 500 (Firehose's limit). */
  maxRecords?: number;
  /** At most 4 MiB (Firehose's limit). */
  maxBytes?: number;
  /** At most 1,024,000 (Firehose's limit). */
  maxRecordBytes?: number;
}

/** When a batch goes out before it is full, other than at the end of the input. */
export interface BatchTiming {
  /**
   * A batch that is not full goes out this long after its first record was taken in, though the
   * input has not ended (slow input: `tail -f`). Default: never, only when full or at the end.
   */
  flushIntervalMs?: number;
  /**
   * Stops reading: once aborted, no further record is taken (a read in progress is abandoned),
   * the records already taken come out as one last batch, and the batches end.
   */
  signal?: AbortSignal;
  /**
   * Says the input is ending (it was told to stop, e.g. `streamChunks` with the same signal): from
   * then on it is read to its end without waiting for the consumer, so what it still holds is
   * taken at once and cannot be abandoned by a `signal` that comes later.
   */
  drainSignal?: AbortSignal;
}

/** Limits within Firehose's own; smaller ones are for tests and small batches. */
export function resolveLimits(limits: BatchLimits = {}): Required<BatchLimits> {
  const pick = (value: number | undefined, max: number, what: string) => {
    if (value === undefined) return max;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw usageError(`${what} must be a whole number from 1 to ${formatCount(max)}, not ${value}.`);
    }
    return value;
  };
  return {
    maxRecords: pick(limits.maxRecords, MAX_BATCH_RECORDS, 'records per batch'),
    maxBytes: pick(limits.maxBytes, MAX_BATCH_BYTES, 'bytes per batch'),
    maxRecordBytes: pick(limits.maxRecordBytes, MAX_RECORD_BYTES, 'bytes per record'),
  };
}

/** A flush interval in whole milliseconds, 1 ms to a day; undefined stays undefined (no flush by time). */
export function resolveFlushInterval(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_FLUSH_INTERVAL_MS) {
    throw usageError(
      `The flush interval must be a whole number of milliseconds from 1 to ${formatCount(MAX_FLUSH_INTERVAL_MS)}, not ${ms}.`,
    );
  }
  return ms;
}

/** Batches made and waiting for a consumer before the input is read further (memory: 4 MiB each). */
const READ_AHEAD = 1;

/**
 * Groups records into batches as full as the limits allow, in input order. A batch goes out as
 * soon as it holds `maxRecords` records or `maxBytes` bytes, or when one more record would not
 * fit; with `flushIntervalMs`, also when that long has passed since its first record was read,
 * however slowly the input comes. A record over the per-record limit is refused (naming its
 * position); the batches before it come out first, the one it would have joined does not.
 *
 * The input is read ahead of the consumer by one batch at most, so a busy consumer holds it back.
 * There is one timer per open batch, never one per record, and none once the batches end.
 */
export async function* batchRecords(
  records: AsyncIterable<Uint8Array>,
  limits: BatchLimits = {},
  timing: BatchTiming = {},
): AsyncGenerator<Batch> {
  const batching = startBatching(records, resolveLimits(limits), timing);
  try {
    for (let batch = await batching.next(); batch; batch = await batching.next()) yield batch;
  } finally {
    batching.stop();
  }
}

interface Batching {
  /** The next batch; undefined once there are no more. Rejects with the input's error, after the batches made before it. */
  next(): Promise<Batch | undefined>;
  /** No more batches are wanted: reading stops, nothing is kept, no timer is left. */
  stop(): void;
}

/**
 * The reader side of `batchRecords`: a loop over the input (a plain `for await`, so a fast input
 * pays nothing per record for the timer) fills the open batch; a full or due batch moves to `ready`.
 */
function startBatching(
  records: AsyncIterable<Uint8Array>,
  { maxRecords, maxBytes, maxRecordBytes }: Required<BatchLimits>,
  timing: BatchTiming,
): Batching {
  const flushIntervalMs = resolveFlushInterval(timing.flushIntervalMs);
  const { signal, drainSignal } = timing;
  const ready: Batch[] = [];
  let open: Batch = { records: [], bytes: 0, first: 0 };
  let taken = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** No batch will be added to `ready` any more. */
  let finished = false;
  let failure: { err: unknown } | undefined;
  // Who is waiting: the consumer for a batch, the reader for room in `ready`.
  let consumerWaiting: (() => void) | undefined;
  let readerWaiting: (() => void) | undefined;
  const wakeConsumer = () => {
    consumerWaiting?.();
    consumerWaiting = undefined;
  };
  const wakeReader = () => {
    readerWaiting?.();
    readerWaiting = undefined;
  };

  /** Moves the open batch, if it has records, to `ready` (the timer calls this too). */
  const close = () => {
    clearTimeout(timer);
    timer = undefined;
    if (open.records.length === 0) return;
    ready.push(open);
    open = { records: [], bytes: 0, first: taken };
    wakeConsumer();
  };
  /** Ends the batches: the open one goes out last unless `drop`; a read in progress is abandoned. */
  const finish = (drop = false) => {
    if (finished) return;
    if (drop) open = { records: [], bytes: 0, first: taken };
    close();
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    drainSignal?.removeEventListener('abort', wakeReader);
    wakeConsumer();
    wakeReader();
  };
  const onAbort = () => finish();

  // The hot loop: no try/catch in here (measured a few per cent); its errors are caught below.
  const read = async () => {
    for await (const data of records) {
      // A read that was pending when the batches ended: its record is not taken.
      if (finished) return;
      if (data.length > maxRecordBytes) {
        throw usageError(
          `Record ${formatCount(taken + 1)} is ${formatCount(data.length)} bytes: Firehose takes at most ${formatCount(maxRecordBytes)} bytes per record.`,
          'Split that record.',
        );
      }
      if (open.bytes + data.length > maxBytes) close();
      if (open.records.length === 0 && flushIntervalMs !== undefined) {
        timer = setTimeout(close, flushIntervalMs);
      }
      open.records.push(data);
      open.bytes += data.length;
      taken += 1;
      if (open.records.length === maxRecords || open.bytes >= maxBytes) close();
      while (ready.length >= READ_AHEAD && !finished && !drainSignal?.aborted) {
        await new Promise<void>((resolve) => (readerWaiting = resolve));
      }
      if (finished) return;
    }
  };

  if (signal?.aborted) finish();
  else {
    signal?.addEventListener('abort', onAbort);
    drainSignal?.addEventListener('abort', wakeReader);
    read().then(
      () => finish(),
      (err: unknown) => {
        if (!finished) failure = { err };
        finish(true);
      },
    );
  }

  return {
    async next() {
      for (;;) {
        const batch = ready.shift();
        if (batch) {
          wakeReader();
          return batch;
        }
        if (failure) throw failure.err;
        if (finished) return undefined;
        await new Promise<void>((resolve) => (consumerWaiting = resolve));
      }
    },
    stop() {
      ready.length = 0;
      finish(true);
    },
  };
}
