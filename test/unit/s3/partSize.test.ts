import { describe, expect, it } from 'vitest';
import { MAX_PARTS, MiB, parseSize, partRanges, partSizeFor } from '../../../src/s3/partSize.js';

describe('partSizeFor', () => {
  it('uses the chunk size when 10,000 parts are enough', () => {
    expect(partSizeFor(100 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(100 * MiB, 16 * MiB)).toBe(16 * MiB);
    expect(partSizeFor(8 * MiB * MAX_PARTS, 8 * MiB)).toBe(8 * MiB);
  });

  it('never goes below 5 MiB', () => {
    expect(partSizeFor(100 * MiB, 1024)).toBe(5 * MiB);
  });

  it('grows to whole MiB so no file needs more than 10,000 parts', () => {
    const size = 8 * MiB * MAX_PARTS + 1;
    const part = partSizeFor(size);
    expect(part).toBe(9 * MiB);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS);
    const huge = 5 * 1024 * 1024 * MiB; // 5 TiB, S3's largest object
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(MAX_PARTS);
  });
});

describe('partRanges', () => {
  it('splits into full parts and a shorter last one', () => {
    expect(partRanges(12, 5)).toEqual([
      { partNumber: 1, start: 0, end: 5 },
      { partNumber: 2, start: 5, end: 10 },
      { partNumber: 3, start: 10, end: 12 },
    ]);
    expect(partRanges(10, 5)).toHaveLength(2);
    expect(partRanges(5 * MiB + 1, 5 * MiB).map((r) => r.end - r.start)).toEqual([5 * MiB, 1]);
  });
});

describe('parseSize (AWS CLI s3 sizes)', () => {
  it.each([
    ['1024', 1024],
    ['8MB', 8 * MiB],
    ['8mb', 8 * MiB],
    ['8MiB', 8 * MiB],
    ['5 MB', 5 * MiB],
    ['10KB', 10 * 1024],
    ['1GB', 1024 * MiB],
    ['1.5MB', 1.5 * MiB],
    ['0', 0],
  ])('%s = %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'MB', '-1', '8XB', '1e3', 'eight'])('%s is not a size', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});
