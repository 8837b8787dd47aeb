/** The batcher's steps called one by one (batches.ts `Batcher`): each transition, no input loop. */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/firehose/batches.js';
import { text } from './helpers.js';

const limits = { maxRecords: 2, maxBytes: 10, maxRecordBytes: undefined, flushIntervalMs: undefined };
const record = (s: string) => Buffer.from(s);
const texts = (batch: { records: Uint8Array[] } | undefined) => batch?.records.map(text);

describe('Batcher steps', () => {
  it('take: a full batch is ready at once; one that would overflow goes out before the record', async () => {
    const batcher = new Batcher<string>(limits);
    batcher.take(record('a'), 'line 1');
    expect(batcher.ready).toEqual([]);
    batcher.take(record('b'), 'line 2');
    expect(batcher.ready.map(texts)).toEqual([['a', 'b']]);
    batcher.take(record('cccccc'), 'line 3');
    batcher.take(record('ddddd'), 'line 4'); // 6 + 5 > 10 bytes
    expect(batcher.ready.map(texts)).toEqual([['a', 'b'], ['cccccc']]);
    expect(batcher.open).toMatchObject({ refs: ['line 4'], bytes: 5, first: 3 });
    expect(await batcher.next()).toMatchObject({ refs: ['line 1', 'line 2'], first: 0 });
  });

  it('room: the reader may go on while nothing is ready, and waits, woken by the consumer, once a batch is', async () => {
    const batcher = new Batcher<number>(limits);
    expect(batcher.room()).toBeUndefined();
    batcher.take(record('a'), 1);
    batcher.take(record('b'), 2);
    const wait = batcher.room();
    expect(wait).toBeInstanceOf(Promise);
    let woken = false;
    void wait!.then(() => (woken = true));
    await batcher.next();
    await Promise.resolve();
    expect(woken).toBe(true);
    expect(batcher.room()).toBeUndefined();
  });

  it('end: the open batch goes out last, then the batches end; nothing is taken after', async () => {
    const batcher = new Batcher<number>(limits);
    batcher.take(record('a'), 1);
    batcher.end();
    expect(batcher.phase).toEqual({ name: 'ended' });
    expect(texts(await batcher.next())).toEqual(['a']);
    expect(await batcher.next()).toBeUndefined();
    expect(batcher.room()).toBeUndefined();
  });

  it('fail: the ready batches first, then the error once, then the records taken since (held back, to report), then the end', async () => {
    const batcher = new Batcher<number>(limits);
    for (const [i, s] of ['a', 'b', 'c'].entries()) batcher.take(record(s), i + 1);
    batcher.fail(new Error('line 4 is bad'));
    expect(texts(await batcher.next())).toEqual(['a', 'b']);
    await expect(batcher.next()).rejects.toThrow('line 4 is bad');
    expect(await batcher.next()).toMatchObject({ refs: [3], records: [record('c')] });
    expect(await batcher.next()).toBeUndefined();
  });

  it('stop: nothing kept, not even what fail held back', async () => {
    const batcher = new Batcher<number>(limits);
    batcher.take(record('a'), 1);
    batcher.take(record('b'), 2);
    batcher.take(record('c'), 3);
    batcher.stop();
    expect(await batcher.next()).toBeUndefined();

    const failed = new Batcher<number>(limits);
    failed.take(record('a'), 1);
    failed.fail(new Error('bad'));
    await expect(failed.next()).rejects.toThrow('bad');
    failed.stop();
    expect(await failed.next()).toBeUndefined();
  });

  it('take refuses a record over maxRecordBytes, naming its position, when the batcher checks sizes', () => {
    const batcher = new Batcher<number>({ ...limits, maxRecordBytes: 3 });
    batcher.take(record('abc'), 1);
    expect(() => batcher.take(record('abcd'), 2)).toThrow(
      'Record 2 is 4 bytes: Firehose takes at most 3 bytes per record.',
    );
  });
});
