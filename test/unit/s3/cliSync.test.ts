import { describe, expect, it } from 'vitest';
import { parseS3SyncInput } from '../../../src/cli/s3Input.js';
import { humanBytes } from '../../../src/cli/progressLine.js';
import { cleanupLine, displayPath, summaryLines } from '../../../src/cli/s3Output.js';
import type { SyncSummary } from '../../../src/s3/events.js';

const parse = (src: string, dst: string, flags = {}, filters = []) =>
  parseS3SyncInput(src, dst, flags, filters, '/work');

describe('parseS3SyncInput (every check before the network)', () => {
  it('reads sizes and numbers', () => {
    const input = parse('./data', 's3://bkt/p', {
      concurrency: '4',
      multipartThreshold: '5MB',
      multipartChunksize: '6MiB',
    });
    expect(input).toMatchObject({
      concurrency: 4,
      multipartThreshold: 5 * 1024 * 1024,
      multipartChunksize: 6 * 1024 * 1024,
    });
  });

  it.each([
    [['s3://bkt/x', 's3://bkt/y', {}], /S3 to S3/],
    [['a', 'b', {}], /Both paths are local/],
    [['a', 's3://bkt', { concurrency: 'many' }], /--concurrency "many"/],
    [['a', 's3://bkt', { concurrency: '0' }], /--concurrency 0/],
    [['a', 's3://bkt', { multipartChunksize: '1MB' }], /5 MiB to 5 GiB/],
    [['a', 's3://bkt', { multipartThreshold: 'big' }], /--multipart-threshold "big" is not a size/],
    [['a', 's3://bkt', { sizeOnly: true, exactTimestamps: true }], /--size-only and --exact-timestamps/],
    [['a', 's3://bkt', { duration: '5s' }], /./],
  ] as const)('refuses %j', ([src, dst, flags], message) => {
    expect(() => parse(src, dst, flags)).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringMatching(message) }),
    );
  });
});

describe('output as the AWS CLI prints it', () => {
  it('shows local paths relative to the current folder, ./ for files in it', () => {
    expect(displayPath('/work/a.txt', '/work')).toBe('./a.txt');
    expect(displayPath('/work/dir/sub/a.txt', '/work')).toBe('dir/sub/a.txt');
    expect(displayPath('/tmp/x/a', '/work')).toBe('../tmp/x/a');
    expect(displayPath('s3://b/p/a', '/work')).toBe('s3://b/p/a');
  });

  it('sizes for people', () => {
    expect(humanBytes(0)).toBe('0 Bytes');
    expect(humanBytes(4096)).toBe('4.0 KiB');
    expect(humanBytes(5 * 1024 * 1024 + 1)).toBe('5.0 MiB');
  });

  it('summarizes, and names every failure again at the end', () => {
    const summary: SyncSummary = {
      direction: 'upload',
      dryrun: false,
      uploaded: 2,
      downloaded: 0,
      deleted: 1,
      unchanged: 7,
      warnings: 1,
      failed: [
        {
          operation: 'upload',
          key: 'gone',
          from: '/work/d/gone',
          to: 's3://b/p/gone',
          message: 'ENOENT: no such file',
        },
      ],
      bytes: 2048,
      durationMs: 1234,
    };
    expect(summaryLines(summary, '/work')).toEqual([
      'Uploaded 2 files (2.0 KiB), deleted 1, 7 unchanged, 1 skipped with a warning, 1 failed in 1.2 s.',
      '  upload failed: d/gone to s3://b/p/gone: ENOENT: no such file',
    ]);
    expect(summaryLines({ ...summary, dryrun: true, failed: [] }, '/work')[0]).toMatch(
      /^Dry run: would upload 2 files .*would delete 1/,
    );
  });

  it('says what was cleaned up after an earlier run, only when something was', () => {
    expect(cleanupLine({ partial: 0, uploads: 0 })).toBeUndefined();
    expect(cleanupLine({ partial: 1, uploads: 0 })).toBe(
      'Cleaned up after an earlier interrupted run: removed 1 partial download.',
    );
    expect(cleanupLine({ partial: 2, uploads: 3 })).toBe(
      'Cleaned up after an earlier interrupted run: removed 2 partial downloads, aborted 3 multipart uploads.',
    );
  });
});
