import { formatCount, recordTooLarge } from './limits.js';
import { resolveFlushInterval, resolveLimits, type BatchLimits } from './settings.js';

export { resolveFlushInterval, resolveLimits, type BatchLimits };

/** A record with the caller's reference to it: an input line number, a spool row id. */
export interface Referenced<Ref> {
  /** The record's bytes, as sent. */
  data: Uint8Array;
  /** What the caller calls it. */
  ref: Ref;
}

/** One PutRecordBatch call's worth of records. */
export interface Batch<Ref = number> {
  /** The records, in input order. */
  records: Uint8Array[];
  /** Each record's reference: its 0-based position in the input, unless the input gave references. */
  refs: Ref[];
  /** Sum of the records' sizes (decoded bytes, as Firehose counts them). */
  bytes: number;
  /** 0-based position of the first record in the whole input. */
  first: number;
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
export async function* batchRecords<Ref = number>(
  records: AsyncIterable<Uint8Array> | AsyncIterable<Referenced<Ref>>,
  limits: BatchLimits = {},
  timing: BatchTiming = {},
): AsyncGenerator<Batch<Ref>> {
  const batching = startBatching(records, {
    ...resolveLimits(limits),
    flushIntervalMs: resolveFlushInterval(timing.flushIntervalMs),
    signal: timing.signal,
    drainSignal: timing.drainSignal,
  });
  try {
    for (let batch = await batching.next(); batch; batch = await batching.next()) yield batch;
  } finally {
    batching.stop();
  }
}

/** What `startBatching` takes: limits and an interval already checked (`putSettings`). */
export interface BatchingOptions extends Required<Omit<BatchLimits, 'maxRecordBytes'>> {
  /** Refuse a larger record; undefined: the input's reader checked every record already. */
  maxRecordBytes: number | undefined;
  flushIntervalMs: number | undefined;
  signal?: AbortSignal;
  drainSignal?: AbortSignal;
}

/**
 * Where the batching is:
 * - `reading`: records are taken from the input into the open batch;
 * - `ended`: the input ended or the reading was stopped; the ready batches drain, then the batches end;
 * - `failed`: the input threw; the ready batches drain, `next()` rejects once with the error, then
 *   the records taken since the last batch come out as one last batch (`held`: to report, not to
 *   send; `batchRecords` stops at the error), then the batches end.
 */
export type BatchingPhase =
  | { name: 'reading' }
  | { name: 'ended' }
  | { name: 'failed'; err: unknown; thrown: boolean; held: Batch<unknown> | undefined };

/**
 * The batcher's state and one method per step. The input's reader calls `take` per record and
 * waits on `room()`; the flush timer calls `close`; the end of the input `end` or `fail`; the
 * consumer `next` and `stop`. Each step is a plain call, so a test can drive every transition.
 */
export class Batcher<Ref> {
  phase: BatchingPhase = { name: 'reading' };
  /** Batches made, in order, waiting for the consumer. */
  readonly ready: Batch<Ref>[] = [];
  /** The batch records are added to; it has a timer once it has a record (with a flush interval). */
  open: Batch<Ref> = { records: [], refs: [], bytes: 0, first: 0 };
  /** Records taken from the input so far. */
  taken = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private consumerWaiting: (() => void) | undefined;
  private readerWaiting: (() => void) | undefined;

  constructor(private readonly options: BatchingOptions) {}

  /** Reader step: a record joins the open batch, which goes out first if the record would overflow it, or after if it is now full. */
  take(data: Uint8Array, ref: Ref): void {
    const { maxRecords, maxBytes, maxRecordBytes, flushIntervalMs } = this.options;
    if (maxRecordBytes !== undefined && data.length > maxRecordBytes) {
      throw recordTooLarge(
        `Record ${formatCount(this.taken + 1)}`,
        formatCount(data.length),
        maxRecordBytes,
        'Split that record.',
      );
    }
    if (this.open.bytes + data.length > maxBytes) this.close();
    if (this.open.records.length === 0 && flushIntervalMs !== undefined) {
      this.timer = setTimeout(this.close, flushIntervalMs);
    }
    this.open.records.push(data);
    this.open.refs.push(ref);
    this.open.bytes += data.length;
    this.taken += 1;
    if (this.open.records.length === maxRecords || this.open.bytes >= maxBytes) this.close();
  }

  /** Reader step: resolves once the reader may take more (room in `ready`, the input draining, or reading over); undefined when it may now. */
  room(): Promise<void> | undefined {
    const full = this.ready.length >= READ_AHEAD && !this.options.drainSignal?.aborted;
    if (!full || this.phase.name !== 'reading') return undefined;
    return new Promise<void>((resolve) => (this.readerWaiting = resolve));
  }

  /** Timer step (and a full batch): the open batch, if it has records, is ready. */
  readonly close = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.open.records.length === 0) return;
    this.ready.push(this.open);
    this.open = { records: [], refs: [], bytes: 0, first: this.taken };
    this.wakeConsumer();
  };

  /** The input ended, or reading was stopped (`signal`): the open batch goes out last, no batch is made after it. */
  readonly end = (): void => {
    if (this.phase.name !== 'reading') return;
    this.close();
    this.finish({ name: 'ended' });
  };

  /** The input threw: the open batch is held back (it is not to be sent), and the error is next. */
  fail(err: unknown): void {
    if (this.phase.name !== 'reading') return;
    clearTimeout(this.timer);
    const held = this.open.records.length > 0 ? (this.open as Batch<unknown>) : undefined;
    this.open = { records: [], refs: [], bytes: 0, first: this.taken };
    this.finish({ name: 'failed', err, thrown: false, held });
  }

  /** Consumer step: no more batches are wanted; nothing is kept, no timer is left. */
  stop(): void {
    this.ready.length = 0;
    this.open = { records: [], refs: [], bytes: 0, first: this.taken };
    if (this.phase.name === 'reading') this.finish({ name: 'ended' });
    else if (this.phase.name === 'failed') this.phase.held = undefined;
  }

  /** Consumer step: the next batch; undefined once there are no more (see `BatchingPhase` for after a failure). */
  async next(): Promise<Batch<Ref> | undefined> {
    for (;;) {
      const batch = this.ready.shift();
      if (batch) {
        this.wakeReader();
        return batch;
      }
      const phase = this.phase;
      if (phase.name === 'failed') {
        if (!phase.thrown) {
          phase.thrown = true;
          throw phase.err;
        }
        const held = phase.held as Batch<Ref> | undefined;
        phase.held = undefined;
        return held;
      }
      if (phase.name === 'ended') return undefined;
      await new Promise<void>((resolve) => (this.consumerWaiting = resolve));
    }
  }

  private finish(phase: BatchingPhase): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = phase;
    this.options.signal?.removeEventListener('abort', this.end);
    this.options.drainSignal?.removeEventListener('abort', this.wakeReader);
    this.wakeConsumer();
    this.wakeReader();
  }

  private wakeConsumer(): void {
    this.consumerWaiting?.();
    this.consumerWaiting = undefined;
  }

  private readonly wakeReader = (): void => {
    this.readerWaiting?.();
    this.readerWaiting = undefined;
  };

  /** Listens to the signals; an already aborted `signal` ends the batching before anything is read. */
  listen(): boolean {
    const { signal, drainSignal } = this.options;
    if (signal?.aborted) {
      this.end();
      return false;
    }
    signal?.addEventListener('abort', this.end);
    drainSignal?.addEventListener('abort', this.wakeReader);
    return true;
  }
}

/**
 * The reader side of the batching: a plain `for await` over the input (so a fast input pays
 * nothing per record for the timer) takes each record into the batcher, which it returns.
 */
export function startBatching<Ref>(
  records: AsyncIterable<Uint8Array> | AsyncIterable<Referenced<Ref>>,
  options: BatchingOptions,
): Batcher<Ref> {
  const batcher = new Batcher<Ref>(options);
  if (batcher.listen()) {
    readInto(batcher, records).then(batcher.end, (err: unknown) => batcher.fail(err));
  }
  return batcher;
}

// The hot loop: no try/catch in here (measured a few per cent); its errors go to `fail`.
async function readInto<Ref>(
  batcher: Batcher<Ref>,
  records: AsyncIterable<Uint8Array> | AsyncIterable<Referenced<Ref>>,
): Promise<void> {
  for await (const item of records) {
    // A read that was pending when the batches ended: its record is not taken.
    if (batcher.phase.name !== 'reading') return;
    if (item instanceof Uint8Array) batcher.take(item, batcher.taken as Ref);
    else batcher.take(item.data, item.ref);
    for (let wait = batcher.room(); wait; wait = batcher.room()) await wait;
    if (batcher.phase.name !== 'reading') return;
  }
}
