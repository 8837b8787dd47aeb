import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEtag, parseEtag } from '../../../src/s3/etag.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest();

describe('parseEtag', () => {
  it('tells single-part, multipart and opaque ETags apart', () => {
    expect(parseEtag('"d41d8cd98f00b204e9800998ecf8427e"')).toEqual({
      kind: 'md5',
      md5: 'd41d8cd98f00b204e9800998ecf8427e',
    });
    expect(parseEtag('"a249231fdfc5cf6a2ab5a495d5f632c2-2"')).toEqual({ kind: 'multipart', parts: 2 });
    expect(parseEtag('"not-an-md5"')).toEqual({ kind: 'opaque' });
    expect(parseEtag(undefined)).toEqual({ kind: 'opaque' });
  });
});

describe('localEtag', () => {
  let dir: string;
  let path: string;
  const content = Buffer.from(Array.from({ length: 3_500_000 }, (_, i) => (i * 31) % 251));
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tempcreds-etag-'));
    path = join(dir, 'f');
    await writeFile(path, content);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is the MD5 of the content for a single-part object', async () => {
    expect(await localEtag(path)).toBe(md5(content).toString('hex'));
  });

  it('is md5(concat(part md5s))-N for a multipart object, whatever the read chunking', async () => {
    const partSize = 1_000_000; // not a multiple of the 1 MiB read chunks
    const parts = [0, 1, 2, 3].map((i) => md5(content.subarray(i * partSize, (i + 1) * partSize)));
    expect(await localEtag(path, partSize)).toBe(`${md5(Buffer.concat(parts)).toString('hex')}-4`);
  });

  it('counts an exact multiple of the part size without an empty last part', async () => {
    const even = join(dir, 'even');
    const body = content.subarray(0, 2 * 1024 * 1024);
    await writeFile(even, body);
    const parts = [md5(body.subarray(0, 1024 * 1024)), md5(body.subarray(1024 * 1024))];
    expect(await localEtag(even, 1024 * 1024)).toBe(`${md5(Buffer.concat(parts)).toString('hex')}-2`);
  });
});
