import { describe, expect, it } from 'vitest';
import { batchRecords, resolveLimits } from '../../../src/firehose/batches.js';
import { MAX_BATCH_BYTES, MAX_RECORD_BYTES } from '../../../src/firehose/limits.js';
import { collect, recordsOfSizes } from './helpers.js';

const shape = async (sizes: number[], limits = {}) =>
  (await collect(batchRecords(recordsOfSizes(sizes), limits))).map((b) => [
    b.first,
    b.records.length,
    b.bytes,
  ]);

describe('batchRecords', () => {
  it('yields nothing for no records', async () => {
    expect(await shape([])).toEqual([]);
  });

  it('fills batches to exactly 500 records', async () => {
    expect(await shape(Array(500).fill(1))).toEqual([[0, 500, 500]]);
    expect(await shape(Array(501).fill(1))).toEqual([
      [0, 500, 500],
      [500, 1, 1],
    ]);
    expect(await shape(Array(1000).fill(2))).toEqual([
      [0, 500, 1000],
      [500, 500, 1000],
    ]);
  });

  it('fills batches to exactly 4 MiB and starts a new one at one byte more', async () => {
    // 4 records of 1,024,000 plus one of 98,304 bytes = 4,194,304 exactly.
    const exact = [MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, 98_304];
    expect(await shape(exact)).toEqual([[0, 5, MAX_BATCH_BYTES]]);
    expect(await shape([...exact.slice(0, 4), 98_305])).toEqual([
      [0, 4, 4_096_000],
      [4, 1, 98_305],
    ]);
  });

  it('counts empty records as records of no bytes', async () => {
    expect(await shape([0, 0, 0])).toEqual([[0, 3, 0]]);
  });

  it('accepts a record of 1,024,000 bytes and refuses 1,024,001 before yielding its batch', async () => {
    expect(await shape([MAX_RECORD_BYTES])).toEqual([[0, 1, MAX_RECORD_BYTES]]);
    const batches = batchRecords(recordsOfSizes([1, 2, MAX_RECORD_BYTES + 1]));
    await expect(batches.next()).rejects.toThrow(
      'Record 3 is 1,024,001 bytes: Firehose takes at most 1,024,000 bytes per record.',
    );
  });

  it('honours smaller limits and refuses ones above Firehose', async () => {
    expect(await shape([1, 1, 1, 1, 1], { maxRecords: 2 })).toEqual([
      [0, 2, 2],
      [2, 2, 2],
      [4, 1, 1],
    ]);
    expect(() => resolveLimits({ maxRecords: 501 })).toThrow(/from 1 to 500/);
    expect(() => resolveLimits({ maxBytes: 0 })).toThrow(/whole number/);
  });
});
