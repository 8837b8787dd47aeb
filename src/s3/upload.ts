import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { contentTypeFor } from './contentType.js';
import type { PartedTransfer } from './parted.js';
import { partRanges } from './partSize.js';
import { retrying } from './retry.js';
import { s3Sdk } from '../aws/sdk.js';

const {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} = s3Sdk();

const md5Base64 = (body: Uint8Array) => createHash('md5').update(body).digest('base64');

/**
 * Where multipart uploads under way are written down (see `UploadJournal`), so that the next run
 * can abort the ones a killed run left open.
 */
export interface OpenUploads {
  /** Notes an upload S3 has just created; the returned function crosses it out once it is completed or aborted. */
  opened(key: string, uploadId: string): Promise<() => Promise<void>>;
}

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  /** Bytes sent, as they are acknowledged (for progress). */
  onBytes?: (bytes: number) => void;
  openUploads?: OpenUploads;
}

/** Files up to this size are read synchronously: a page-cache read is cheaper than four thread-pool trips. */
const SYNC_READ_LIMIT = 1024 * 1024;

/** A small file in one PutObject, with Content-MD5 so S3 refuses a damaged body. */
export async function putFile(
  path: string,
  size: number,
  target: UploadTarget,
  signal: AbortSignal,
): Promise<number> {
  const body = size <= SYNC_READ_LIMIT ? readFileSync(path) : await readFile(path, { signal });
  await target.client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: body,
      ContentLength: body.length,
      ContentMD5: md5Base64(body),
      ContentType: contentTypeFor(target.key),
    }),
    // A small body goes in milliseconds: let it finish rather than cut it, and keep the send
    // options empty so the client's cached middleware serves it (see createS3Client).
    body.length <= SYNC_READ_LIMIT ? undefined : { abortSignal: signal },
  );
  target.onBytes?.(body.length);
  return body.length;
}

/** Reads exactly `length` bytes at `position`, or fails: the file shrank since it was listed. */
async function readExactly(
  handle: FileHandle,
  path: string,
  position: number,
  length: number,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`${path} changed while it was being uploaded (it is shorter now)`);
    filled += bytesRead;
  }
  return buffer;
}

/**
 * A large file as a multipart upload: parts read from disk only when their turn comes (so memory
 * holds at most one part per worker), each with Content-MD5, then CompleteMultipartUpload. The
 * rollback is AbortMultipartUpload, so an interrupted upload is not left behind to be billed.
 * One object on purpose: its four methods are the transfer's steps (none over 25 lines), and they
 * share the upload's state (its id, the open file, the parts so far) as one closure.
 */
export function multipartUpload(
  path: string,
  size: number,
  partSize: number,
  target: UploadTarget,
): PartedTransfer {
  const ranges = partRanges(size, partSize);
  const parts: CompletedPart[] = [];
  const { client, bucket, key } = target;
  let uploadId: string | undefined;
  let forget: (() => Promise<void>) | undefined;
  let handle: FileHandle | undefined;
  const close = async () => {
    await handle?.close();
    handle = undefined;
  };

  return {
    partCount: ranges.length,
    async begin() {
      handle = await open(path, 'r');
      const now = (await handle.stat()).size;
      if (now !== size) {
        await close();
        throw new Error(
          `${path} changed while it was being uploaded (${size} bytes when listed, ${now} now)`,
        );
      }
      try {
        // No abort signal: an upload S3 created must be known here, to be completed or aborted.
        const created = await retrying(() =>
          client.send(
            new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentTypeFor(key) }),
          ),
        );
        uploadId = created.UploadId;
      } catch (err) {
        await close();
        throw err;
      }
      // Written down before any part is sent; a journal that cannot be written costs only that.
      forget = await target.openUploads?.opened(key, uploadId ?? '').catch(() => undefined);
    },
    async part(index, signal) {
      const range = ranges[index]!;
      const body = await readExactly(handle!, path, range.start, range.end - range.start);
      const answer = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: range.partNumber,
          Body: body,
          ContentLength: body.length,
          ContentMD5: md5Base64(body),
        }),
        { abortSignal: signal },
      );
      parts[index] = { PartNumber: range.partNumber, ETag: answer.ETag };
      target.onBytes?.(body.length);
    },
    async commit() {
      await close();
      const input = { Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } };
      await retrying(() => client.send(new CompleteMultipartUploadCommand(input)));
      await forget?.();
    },
    async rollback() {
      await close();
      const input = { Bucket: bucket, Key: key, UploadId: uploadId };
      await retrying(() => client.send(new AbortMultipartUploadCommand(input)), { attempts: 5 });
      // Only once aborted: an upload still open stays written down, for the next run to abort.
      await forget?.();
    },
  };
}
