/** The sync library against moto over HTTP: both directions, delete, filters, dryrun, multipart, odd names. */
import { unlinkSync } from 'node:fs';
import { stat, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sync, type SyncEvent, type SyncOptions } from '../../../src/s3/index.js';
import { bytes, folder, md5, readTree, removeFolder, startS3World, writeAt, type S3World } from './world.js';

const MiB = 1024 * 1024;
let world: S3World;
let bucket: string;
beforeAll(async () => {
  world = await startS3World();
  bucket = await world.bucket();
});
afterAll(() => world?.stop());

let prefixes = 0;
const nextPrefix = (name: string) => `${name}-${++prefixes}/`;
const run = (src: string, dst: string, options: Partial<SyncOptions> = {}) =>
  sync(src, dst, { client: world.client, ...options });
const counts = (s: Awaited<ReturnType<typeof run>>) => ({
  uploaded: s.uploaded,
  downloaded: s.downloaded,
  deleted: s.deleted,
  unchanged: s.unchanged,
  failed: s.failed.length,
});

/** Names that break naive code: URL and shell specials, both Unicode normal forms, deep folders. */
const ODD: Record<string, string> = {
  'plain.txt': 'plain',
  'with space.txt': 'space',
  'plus+sign.txt': 'plus',
  'percent%20literal.txt': 'percent',
  'hash#and?query&amp=1.txt': 'specials',
  'quote\'"back`tick.txt': 'quotes',
  'caf\u00e9-nfc.txt': 'nfc',
  'cafe\u0301-nfd.txt': 'nfd',
  '\u4e2d\u6587/\u{1F600}.txt': 'astral',
  'a/b/c/d/e/f/g/deep.txt': 'deep',
  'a-b': 'dash',
  'a.b': 'dot',
  'empty.bin': '',
  'tilde~and,comma;semi.txt': 'misc',
};

describe('sync up and down', () => {
  it('round-trips odd names exactly, and a second sync copies nothing, both ways', async () => {
    const prefix = nextPrefix('odd');
    const src = await folder(ODD);
    const back = await folder();
    try {
      const up = await run(src, `s3://${bucket}/${prefix}`);
      expect(counts(up)).toEqual({ uploaded: 14, downloaded: 0, deleted: 0, unchanged: 0, failed: 0 });
      const objects = await world.objects(bucket, prefix);
      expect([...objects.keys()].sort()).toEqual(Object.keys(ODD).sort());
      expect(objects.get('empty.bin')?.size).toBe(0);
      expect(await world.body(bucket, `${prefix}with space.txt`)).toEqual(Buffer.from('space'));
      const head = await world.admin.send(
        new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}plain.txt` }),
      );
      expect(head.ContentType).toBe('text/plain');

      expect(counts(await run(src, `s3://${bucket}/${prefix}`))).toMatchObject({
        uploaded: 0,
        unchanged: 14,
      });

      const down = await run(`s3://${bucket}/${prefix}`, back);
      expect(counts(down)).toMatchObject({ downloaded: 14, failed: 0 });
      const tree = await readTree(back);
      expect(Object.fromEntries([...tree].map(([k, v]) => [k, v.toString()]))).toEqual(ODD);
      // The AWS CLI's rule: a downloaded file gets the object's LastModified as its mtime.
      const object = objects.get('plain.txt')!;
      expect((await stat(join(back, 'plain.txt'))).mtimeMs).toBe(object.lastModified.getTime());

      expect(counts(await run(`s3://${bucket}/${prefix}`, back))).toMatchObject({
        downloaded: 0,
        unchanged: 14,
      });
    } finally {
      await removeFolder(src);
      await removeFolder(back);
    }
  });

  it('copies a changed file: other size, or newer locally', async () => {
    const prefix = nextPrefix('changed');
    const src = await folder({ 'a.txt': 'one', 'b.txt': 'two', 'c.txt': 'three' });
    try {
      await run(src, `s3://${bucket}/${prefix}`);
      await writeAt(src, 'a.txt', 'one plus more'); // other size
      const future = Date.now() / 1000 + 120;
      await utimes(join(src, 'b.txt'), future, future); // same size, newer
      const events: SyncEvent[] = [];
      const again = await run(src, `s3://${bucket}/${prefix}`, { onEvent: (e) => events.push(e) });
      expect(counts(again)).toMatchObject({ uploaded: 2, unchanged: 1 });
      const copied = events.filter((e) => e.type === 'done').map((e) => (e as { key: string }).key);
      expect(copied.sort()).toEqual(['a.txt', 'b.txt']);
      expect((await world.body(bucket, `${prefix}a.txt`)).toString()).toBe('one plus more');
    } finally {
      await removeFolder(src);
    }
  });

  it('download: same-size object replaced in S3 is copied only with --exact-timestamps (the AWS CLI rule)', async () => {
    const prefix = nextPrefix('exact');
    await world.put(bucket, `${prefix}f.txt`, 'aaaa');
    const dst = await folder();
    try {
      await run(`s3://${bucket}/${prefix}`, dst);
      // Make the local copy look older than the object, as after the object is replaced later.
      await utimes(join(dst, 'f.txt'), 1_000_000, 1_000_000);
      await world.put(bucket, `${prefix}f.txt`, 'bbbb');
      expect(counts(await run(`s3://${bucket}/${prefix}`, dst))).toMatchObject({
        downloaded: 0,
        unchanged: 1,
      });
      expect(counts(await run(`s3://${bucket}/${prefix}`, dst, { exactTimestamps: true }))).toMatchObject({
        downloaded: 1,
      });
      expect((await readTree(dst)).get('f.txt')?.toString()).toBe('bbbb');
      // And a local file newer than the object is replaced by the object (local edits are undone).
      await writeAt(dst, 'f.txt', 'cccc');
      const future = Date.now() / 1000 + 120;
      await utimes(join(dst, 'f.txt'), future, future);
      expect(counts(await run(`s3://${bucket}/${prefix}`, dst))).toMatchObject({ downloaded: 1 });
      expect((await readTree(dst)).get('f.txt')?.toString()).toBe('bbbb');
    } finally {
      await removeFolder(dst);
    }
  });

  it('--delete removes extras on either side, and only what the filters let through', async () => {
    const prefix = nextPrefix('delete');
    const src = await folder({ 'keep.txt': 'k' });
    const dst = await folder({ 'extra.txt': 'x', 'extra.log': 'l' });
    try {
      await world.put(bucket, `${prefix}old.txt`, 'o');
      await world.put(bucket, `${prefix}old.log`, 'o');
      const noDelete = await run(src, `s3://${bucket}/${prefix}`);
      expect(noDelete.deleted).toBe(0);
      const up = await run(src, `s3://${bucket}/${prefix}`, {
        delete: true,
        filters: [{ type: 'exclude', pattern: '*.log' }],
      });
      expect(counts(up)).toMatchObject({ deleted: 1, unchanged: 1 });
      expect([...(await world.objects(bucket, prefix)).keys()].sort()).toEqual(['keep.txt', 'old.log']);

      const down = await run(`s3://${bucket}/${prefix}`, dst, { delete: true });
      expect(counts(down)).toMatchObject({ downloaded: 2, deleted: 2 });
      expect([...(await readTree(dst)).keys()].sort()).toEqual(['keep.txt', 'old.log']);
    } finally {
      await removeFolder(src);
      await removeFolder(dst);
    }
  });

  it('filters: later rules win, * crosses folders, patterns are relative to the source', async () => {
    const prefix = nextPrefix('filters');
    const src = await folder({
      'a.txt': '1',
      'b.log': '2',
      'logs/x.log': '3',
      'logs/keep.txt': '4',
      'src/logs/y.log': '5',
    });
    try {
      const summary = await run(src, `s3://${bucket}/${prefix}`, {
        filters: [
          { type: 'exclude', pattern: '*' },
          { type: 'include', pattern: 'logs/*' },
          { type: 'exclude', pattern: '*.txt' },
          { type: 'include', pattern: 'a.txt' },
        ],
      });
      expect(summary.uploaded).toBe(2);
      expect([...(await world.objects(bucket, prefix)).keys()].sort()).toEqual(['a.txt', 'logs/x.log']);
    } finally {
      await removeFolder(src);
    }
  });

  it('--dryrun reports everything and changes nothing, either way', async () => {
    const prefix = nextPrefix('dryrun');
    const src = await folder({ 'new.txt': 'n' });
    const dst = await folder({ 'local-only.txt': 'l' });
    try {
      await world.put(bucket, `${prefix}remote-only.txt`, 'r');
      const events: SyncEvent[] = [];
      const up = await run(src, `s3://${bucket}/${prefix}`, {
        dryrun: true,
        delete: true,
        onEvent: (e) => events.push(e),
      });
      expect(counts(up)).toMatchObject({ uploaded: 1, deleted: 1 });
      expect(events.filter((e) => e.type === 'done').every((e) => (e as { dryrun: boolean }).dryrun)).toBe(
        true,
      );
      expect([...(await world.objects(bucket, prefix)).keys()]).toEqual(['remote-only.txt']);

      const down = await run(`s3://${bucket}/${prefix}`, dst, { dryrun: true, delete: true });
      expect(counts(down)).toMatchObject({ downloaded: 1, deleted: 1 });
      expect([...(await readTree(dst)).keys()]).toEqual(['local-only.txt']);
    } finally {
      await removeFolder(src);
      await removeFolder(dst);
    }
  });

  it('skips folder markers, and keys that would escape the folder (with a warning)', async () => {
    const prefix = nextPrefix('markers');
    await world.put(bucket, `${prefix}folder/`, '');
    await world.put(bucket, `${prefix}folder/inside.txt`, 'i');
    await world.put(bucket, `${prefix}../escape.txt`, 'e');
    await world.put(bucket, `${prefix}a//b.txt`, 'b');
    const dst = await folder();
    try {
      const events: SyncEvent[] = [];
      const down = await run(`s3://${bucket}/${prefix}`, join(dst, 'inner'), {
        delete: true,
        onEvent: (e) => events.push(e),
      });
      expect(counts(down)).toMatchObject({ downloaded: 1, failed: 0 });
      expect(down.warnings).toBe(2);
      expect(
        events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message),
      ).toEqual([
        'Skipping: the key references a parent directory.',
        'Skipping: the key has an empty path segment.',
      ]);
      expect([...(await readTree(dst)).keys()]).toEqual(['inner/folder/inside.txt']);
    } finally {
      await removeFolder(dst);
    }
  });

  it('follows symlinks (and skips broken ones with a warning)', async () => {
    const prefix = nextPrefix('links');
    const src = await folder({ 'real.txt': 'real' });
    try {
      await symlink(join(src, 'real.txt'), join(src, 'link.txt'));
      await symlink(join(src, 'nowhere'), join(src, 'broken.txt'));
      const summary = await run(src, `s3://${bucket}/${prefix}`);
      expect(counts(summary)).toMatchObject({ uploaded: 2, failed: 0 });
      expect(summary.warnings).toBe(1);
      expect((await world.body(bucket, `${prefix}link.txt`)).toString()).toBe('real');
      const noFollow = nextPrefix('nolinks');
      expect((await run(src, `s3://${bucket}/${noFollow}`, { followSymlinks: false })).uploaded).toBe(1);
    } finally {
      await removeFolder(src);
    }
  });

  it('a file that fails is named, and the others are done', async () => {
    const prefix = nextPrefix('vanish');
    const src = await folder({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    try {
      // b.txt is deleted after the walk listed it, just as its upload starts.
      const summary = await run(src, `s3://${bucket}/${prefix}`, {
        concurrency: 1,
        onEvent: (e) => {
          if (e.type === 'started' && e.key === 'b.txt') unlinkSync(join(src, 'b.txt'));
        },
      });
      expect(counts(summary)).toMatchObject({ uploaded: 2, failed: 1 });
      expect(summary.failed).toEqual([
        {
          operation: 'upload',
          key: 'b.txt',
          from: join(src, 'b.txt'),
          to: `s3://${bucket}/${prefix}b.txt`,
          message: expect.stringMatching(/^ENOENT/),
        },
      ]);
      expect([...(await world.objects(bucket, prefix)).keys()].sort()).toEqual(['a.txt', 'c.txt']);
    } finally {
      await removeFolder(src);
    }
  });
});

describe('multipart', () => {
  it('uploads above the threshold in parts of the chunk size (ETag -N), downloads in ranges, byte for byte', async () => {
    const prefix = nextPrefix('multipart');
    const big = bytes(5 * MiB + 1);
    const exact = bytes(10 * MiB, 2);
    const src = await folder({ 'big.bin': big, 'exact.bin': exact, 'small.bin': 'small' });
    const dst = await folder();
    try {
      const options = { multipartThreshold: 5 * MiB + 1, multipartChunksize: 5 * MiB, concurrency: 4 };
      const up = await run(src, `s3://${bucket}/${prefix}`, options);
      expect(counts(up)).toMatchObject({ uploaded: 3, failed: 0 });
      const objects = await world.objects(bucket, prefix);
      expect(objects.get('big.bin')?.etag).toMatch(/-2$/);
      expect(objects.get('exact.bin')?.etag).toMatch(/-2$/);
      expect(objects.get('small.bin')?.etag).toBe(md5('small'));
      expect(md5(await world.body(bucket, `${prefix}big.bin`))).toBe(md5(big));
      expect(await world.uploadsInProgress(bucket)).toEqual([]);

      const down = await run(`s3://${bucket}/${prefix}`, dst, options);
      expect(counts(down)).toMatchObject({ downloaded: 3, failed: 0 });
      const tree = await readTree(dst);
      expect(md5(tree.get('big.bin')!)).toBe(md5(big));
      expect(md5(tree.get('exact.bin')!)).toBe(md5(exact));
      expect(counts(await run(`s3://${bucket}/${prefix}`, dst, options))).toMatchObject({
        downloaded: 0,
        unchanged: 3,
      });
    } finally {
      await removeFolder(src);
      await removeFolder(dst);
    }
  });

  it('an aborted sync aborts its multipart upload: nothing is left behind', async () => {
    const own = await world.bucket();
    const src = await folder({ 'huge.bin': bytes(40 * MiB, 3) });
    try {
      const controller = new AbortController();
      let parts = 0;
      const done = run(src, `s3://${own}/`, {
        multipartChunksize: 5 * MiB,
        concurrency: 2,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'bytes' && ++parts === 2) controller.abort();
        },
      });
      await expect(done).rejects.toThrow(/interrupted/);
      expect(await world.uploadsInProgress(own)).toEqual([]);
      expect((await world.objects(own)).size).toBe(0);
    } finally {
      await removeFolder(src);
    }
  });
});

describe('stopping and refusals', () => {
  it('an abort before anything ran ends with the same interrupted error, nothing done', async () => {
    const own = await world.bucket();
    const src = await folder({ 'a.txt': 'a' });
    try {
      const controller = new AbortController();
      controller.abort();
      await expect(run(src, `s3://${own}/`, { signal: controller.signal })).rejects.toMatchObject({
        kind: 'failed',
        message: expect.stringMatching(/^The sync was interrupted after 0 copies/),
      });
      expect((await world.objects(own)).size).toBe(0);
    } finally {
      await removeFolder(src);
    }
  });

  it('a bucket that does not exist: AWS says so, in a TempcredsError of kind aws', async () => {
    const src = await folder({ 'a.txt': 'a' });
    try {
      await expect(run(src, 's3://no-such-bucket-here/p/')).rejects.toMatchObject({
        kind: 'aws',
        awsCode: 'NoSuchBucket',
        message: expect.stringMatching(/^Listing s3:\/\/no-such-bucket-here\/p\/ failed: NoSuchBucket/),
      });
    } finally {
      await removeFolder(src);
    }
  });
});

describe('--checksum', () => {
  it('copies same-size files whose content differs, whatever the times, and skips equal ones', async () => {
    const prefix = nextPrefix('checksum');
    const big = bytes(6 * MiB, 4);
    const src = await folder({ 'same.txt': 'abcd', 'differs.txt': 'abcd', 'big.bin': big });
    try {
      await run(src, `s3://${bucket}/${prefix}`, {
        multipartThreshold: 5 * MiB,
        multipartChunksize: 5 * MiB,
      });
      await writeAt(src, 'differs.txt', 'wxyz');
      const past = 1_000_000;
      await utimes(join(src, 'differs.txt'), past, past); // older: the time rule would skip it
      expect(counts(await run(src, `s3://${bucket}/${prefix}`))).toMatchObject({ uploaded: 0, unchanged: 3 });
      const summary = await run(src, `s3://${bucket}/${prefix}`, { checksum: true });
      // big.bin has a multipart ETag: its part size is read back and the local ETag matches.
      expect(counts(summary)).toMatchObject({ uploaded: 1, unchanged: 2 });
      expect((await world.body(bucket, `${prefix}differs.txt`)).toString()).toBe('wxyz');
    } finally {
      await removeFolder(src);
    }
  });
});
