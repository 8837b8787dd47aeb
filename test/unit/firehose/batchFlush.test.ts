/**
 * batchRecords over a slow input: the flush interval, the stop and drain signals, read-ahead, and
 * timers (vitest's fake clock, so "exactly when the timer fires" is exact).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchRecords, resolveFlushInterval, type Batch } from '../../../src/firehose/batches.js';
import { collect, pushSource, text } from './helpers.js';

const texts = (batch: Batch | undefined) => batch?.records.map(text);

/** A promise's outcome, readable without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const seen: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => Object.assign(seen, { settled: true, value }));
  return seen;
}

/** Lets the reader and the consumer run (microtasks only: the fake clock does not move). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('batchRecords with a flush interval', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a partial batch flushIntervalMs after its first record while the input stays open', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 1000 });
    const first = watch(batches.next());
    input.push('a', 'b', 'c');
    await vi.advanceTimersByTimeAsync(999);
    expect(first.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.settled).toBe(true);
    expect(texts(first.value?.value)).toEqual(['a', 'b', 'c']);
    expect(first.value?.value).toMatchObject({ first: 0, bytes: 3 });
  });

  it('counts from the first record of the batch, and starts again with the next batch', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 1000 });
    const first = watch(batches.next());
    input.push('a');
    await vi.advanceTimersByTimeAsync(600);
    input.push('b'); // a later record does not push the deadline back
    await vi.advanceTimersByTimeAsync(400);
    expect(texts(first.value?.value)).toEqual(['a', 'b']);

    const second = watch(batches.next());
    await vi.advanceTimersByTimeAsync(5000);
    expect(second.settled).toBe(false); // no record, no timer, no empty batch
    input.push('c');
    await vi.advanceTimersByTimeAsync(999);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.value?.value).toMatchObject({ first: 2, records: [Buffer.from('c')] });
  });

  it('sends a full batch at once, without waiting for its timer or for the next record', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, { maxRecords: 3 }, { flushIntervalMs: 1000 });
    const first = watch(batches.next());
    input.push('a', 'b', 'c');
    await settle();
    expect(texts(first.value?.value)).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a batch filled just before its timer is sent once, and the timer sends no empty batch after it', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, { maxRecords: 3 }, { flushIntervalMs: 1000 });
    const first = watch(batches.next());
    input.push('a', 'b');
    await vi.advanceTimersByTimeAsync(999);
    input.push('c');
    await settle();
    expect(texts(first.value?.value)).toEqual(['a', 'b', 'c']);
    const second = watch(batches.next());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(second.settled).toBe(false);
    input.push('d');
    await vi.advanceTimersByTimeAsync(1000);
    expect(texts(second.value?.value)).toEqual(['d']);
  });

  it.each([
    ['read just before the timer fires: it joins the due batch', 'before', [['a', 'b'], ['c']]],
    [
      'in the input as the timer fires, not yet read: it opens the next batch',
      'same tick',
      [['a'], ['b', 'c']],
    ],
    ['arriving just after the timer fired: it opens the next batch', 'after', [['a'], ['b', 'c']]],
  ])('a record %s', async (_, when, expected) => {
    const input = pushSource();
    if (when === 'before') setTimeout(() => input.push('b'), 1000); // set before the batch's timer: runs first
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 1000 });
    const got: Batch[] = [];
    const taking = (async () => {
      for await (const batch of batches) got.push(batch);
    })();
    input.push('a');
    await settle();
    if (when === 'after') setTimeout(() => input.push('b'), 1000); // set after the batch's timer: runs second
    await vi.advanceTimersByTimeAsync(999);
    if (when === 'same tick') {
      input.push('b');
      vi.advanceTimersByTime(1); // fires the timer before the reader has had a microtask to take 'b'
    }
    await vi.advanceTimersByTimeAsync(1);
    input.push('c');
    input.end();
    await taking;
    expect(got.map(texts)).toEqual(expected);
    expect(got.map((b) => b.first)).toEqual([0, expected[0]!.length]);
  });

  it('at the end of the input the open batch goes out at once and its timer is cleared', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 60_000 });
    const first = watch(batches.next());
    input.push('a', 'b');
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    input.end();
    await settle();
    expect(texts(first.value?.value)).toEqual(['a', 'b']);
    expect(await batches.next()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a consumer that stops early leaves no timer and closes the input', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, { maxRecords: 2 }, { flushIntervalMs: 60_000 });
    input.push('a', 'b', 'c');
    expect(texts((await batches.next()).value)).toEqual(['a', 'b']);
    await settle();
    expect(vi.getTimerCount()).toBe(1); // 'c' opened a batch
    await batches.return(undefined);
    expect(vi.getTimerCount()).toBe(0);
    input.end();
    await settle();
    expect(input.closed).toBe(true);
  });

  it('reads at most one batch ahead of a busy consumer', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, { maxRecords: 2 }, { flushIntervalMs: 1000 });
    input.push(...'abcdefghij');
    expect(texts((await batches.next()).value)).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(input.pulled).toBe(4); // a, b taken; c, d waiting as the next batch
    expect(texts((await batches.next()).value)).toEqual(['c', 'd']);
    await settle();
    expect(input.pulled).toBe(6);
  });

  it('signal: the records taken come out as a last batch at once, and a read in progress is abandoned', async () => {
    const input = pushSource();
    const stop = new AbortController();
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 60_000, signal: stop.signal });
    const first = watch(batches.next());
    input.push('a', 'b');
    await settle();
    stop.abort();
    await settle();
    expect(texts(first.value?.value)).toEqual(['a', 'b']);
    expect(await batches.next()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
    input.push('late');
    input.end();
    await settle();
    expect(input.pulled).toBe(3); // the abandoned read got 'late', which was not taken ...
    expect(input.closed).toBe(true); // ... and the input was closed
    expect(vi.getTimerCount()).toBe(0);
  });

  it('signal while the reader waits for the consumer: what the input still holds is not taken', async () => {
    const input = pushSource();
    const stop = new AbortController();
    const batches = batchRecords(input.records, { maxRecords: 1 }, { signal: stop.signal });
    input.push('a', 'b', 'c', 'd');
    expect(texts((await batches.next()).value)).toEqual(['a']);
    await settle();
    stop.abort();
    expect((await collect(batches)).map(texts)).toEqual([['b']]);
    expect(input.pulled).toBe(2);
  });

  it('drainSignal: the input is read to its end without waiting, so a later signal abandons nothing', async () => {
    const input = pushSource();
    const drain = new AbortController();
    const stop = new AbortController();
    const batches = batchRecords(
      input.records,
      { maxRecords: 1 },
      { signal: stop.signal, drainSignal: drain.signal },
    );
    input.push('a', 'b', 'c', 'd');
    expect(texts((await batches.next()).value)).toEqual(['a']);
    drain.abort();
    input.end(); // the input, told to stop, ends
    await settle();
    expect(input.pulled).toBe(4);
    stop.abort();
    expect((await collect(batches)).map(texts)).toEqual([['b'], ['c'], ['d']]);
  });

  it('an already aborted signal reads nothing', async () => {
    const input = pushSource();
    input.push('a');
    expect(await collect(batchRecords(input.records, {}, { signal: AbortSignal.abort() }))).toEqual([]);
    expect(input.pulled).toBe(0);
  });

  it('a bad record after a flushed batch: the flushed batch came out, then the error', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, { maxRecordBytes: 3 }, { flushIntervalMs: 100 });
    const first = watch(batches.next());
    input.push('ok');
    await vi.advanceTimersByTimeAsync(100);
    expect(texts(first.value?.value)).toEqual(['ok']);
    input.push('fine', 'toolong');
    await expect(batches.next()).rejects.toThrow(
      'Record 2 is 4 bytes: Firehose takes at most 3 bytes per record.',
    );
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('batchRecords timers on the real clock', () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('leaves no timer that would keep the process alive, however the batches end', async () => {
    const before = timeouts();
    const ended = pushSource();
    const batches = batchRecords(ended.records, {}, { flushIntervalMs: 3_600_000 });
    const taking = collect(batches);
    ended.push('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(timeouts()).toBe(before + 1);
    ended.end();
    expect((await taking).map(texts)).toEqual([['a']]);
    expect(timeouts()).toBe(before);

    const stop = new AbortController();
    const aborted = pushSource();
    const taking2 = collect(
      batchRecords(aborted.records, {}, { flushIntervalMs: 3_600_000, signal: stop.signal }),
    );
    aborted.push('b');
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    expect((await taking2).map(texts)).toEqual([['b']]);
    expect(timeouts()).toBe(before);
  });

  it('flushes on the real clock too', async () => {
    const input = pushSource();
    const batches = batchRecords(input.records, {}, { flushIntervalMs: 30 });
    const started = Date.now();
    input.push('a');
    expect(texts((await batches.next()).value)).toEqual(['a']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    input.end();
    expect(await batches.next()).toEqual({ done: true, value: undefined });
  });
});

describe('resolveFlushInterval', () => {
  it('takes whole milliseconds from 1 to a day, and undefined for none', () => {
    expect(resolveFlushInterval(undefined)).toBeUndefined();
    expect(resolveFlushInterval(1)).toBe(1);
    expect(resolveFlushInterval(86_400_000)).toBe(86_400_000);
    for (const bad of [0, -1, 1.5, 86_400_001, Number.NaN]) {
      expect(() => resolveFlushInterval(bad)).toThrow(/from 1 to 86,400,000/);
    }
  });
});
