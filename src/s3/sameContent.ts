import type { S3Client } from '@aws-sdk/client-s3';
import { localEtag, parseEtag } from './etag.js';
import { retrying } from './retry.js';
import { s3Sdk } from '../aws/sdk.js';

const { HeadObjectCommand } = s3Sdk();

export interface ObjectRef {
  client: S3Client;
  bucket: string;
  key: string;
  etag: string | undefined;
}

/**
 * `--checksum`: whether a local file has the content of an object, judged by the ETag S3 already
 * has (nothing is downloaded).
 * - single-part ETag: the MD5 of the file.
 * - multipart ETag `…-N`: the part size is read with HeadObject `PartNumber=1` (the first part's
 *   length), then the file's part MD5s are combined as S3 does. Any tool's uploads work, as long
 *   as all its parts but the last had one size (every common tool's do).
 * - any other ETag (SSE-KMS, SSE-C): undecidable, so false: the file is copied.
 */
export async function sameContent(
  path: string,
  size: number,
  object: ObjectRef,
  signal: AbortSignal,
): Promise<boolean> {
  const etag = parseEtag(object.etag);
  if (etag.kind === 'md5') return (await localEtag(path, undefined, signal)) === etag.md5;
  if (etag.kind === 'opaque') return false;
  const head = await retrying(
    () =>
      object.client.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, PartNumber: 1 }), {
        abortSignal: signal,
      }),
    { signal },
  );
  const partSize = head.ContentLength;
  if (!partSize || Math.ceil(size / partSize) !== etag.parts) return false;
  return (await localEtag(path, partSize, signal)) === object.etag?.replace(/"/g, '').toLowerCase();
}
