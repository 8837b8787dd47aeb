/**
 * Where moto's multipart uploads differ from AWS's, as far as cleaning up after a killed sync
 * depends on them (see src/s3/uploadJournal.ts). Each case pins what moto 5 does today beside
 * what the S3 API Reference documents, so a moto upgrade that changes either side shows up here.
 * What both agree on is pinned too: the clean-up relies on it.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3World, type S3World } from './world.js';

let world: S3World;
beforeAll(async () => void (world = await startS3World()));
afterAll(() => world?.stop());

const create = async (bucket: string, key: string, metadata?: Record<string, string>) =>
  (await world.admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata })))
    .UploadId!;
const list = (bucket: string, extra: { Prefix?: string; MaxUploads?: number } = {}) =>
  world.admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, ...extra }));

describe('ListMultipartUploads', () => {
  it('both: an open upload shows no metadata (so S3 cannot tell whose it is: tempcreds keeps a journal)', async () => {
    const bucket = await world.bucket();
    await create(bucket, 'p/a.bin', { 'tempcreds-upload': 'pid-1' });
    // The raw answer (enforcement is off in this world, so an unsigned GET is served), not the
    // SDK's reading of it, which would drop an element it does not know.
    const xml = await (await fetch(`${world.aws.endpoint}/${bucket}?uploads`)).text();
    expect(xml).toContain('<Key>p/a.bin</Key>');
    expect(xml).not.toMatch(/pid-1|tempcreds-upload|Metadata/i);
  });

  it('both: Prefix selects the uploads under a prefix', async () => {
    const bucket = await world.bucket();
    await create(bucket, 'p/a.bin');
    await create(bucket, 'q/b.bin');
    expect(((await list(bucket, { Prefix: 'p/' })).Uploads ?? []).map((u) => u.Key)).toEqual(['p/a.bin']);
  });

  it('moto: Initiated is a fixed date in 2010 (AWS: when the upload was created), so no age can be read from it', async () => {
    const bucket = await world.bucket();
    await create(bucket, 'p/a.bin');
    const [upload] = (await list(bucket)).Uploads ?? [];
    expect(upload?.Initiated?.toISOString()).toBe('2010-11-10T20:48:33.000Z');
  });

  it('moto: MaxUploads is ignored and the answer never truncated (AWS: at most MaxUploads, then IsTruncated and markers)', async () => {
    const bucket = await world.bucket();
    for (const key of ['a', 'b', 'c']) await create(bucket, key);
    const answer = await list(bucket, { MaxUploads: 1 });
    expect(answer.Uploads).toHaveLength(3);
    expect(answer.IsTruncated).toBe(false);
  });
});

describe('AbortMultipartUpload', () => {
  it('both: an upload that is gone (aborted, completed) answers NoSuchUpload', async () => {
    const bucket = await world.bucket();
    const uploadId = await create(bucket, 'p/a.bin');
    await world.admin.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'p/a.bin', UploadId: uploadId }),
    );
    await expect(
      world.admin.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'p/a.bin', UploadId: uploadId }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
  });

  it('moto: the key is not checked, an upload id aborts whatever key is named (AWS: NoSuchUpload for another key)', async () => {
    const bucket = await world.bucket();
    const uploadId = await create(bucket, 'p/a.bin');
    await world.admin.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'p/other.bin', UploadId: uploadId }),
    );
    expect((await list(bucket)).Uploads ?? []).toEqual([]);
  });
});
