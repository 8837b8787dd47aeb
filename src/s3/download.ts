import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { partFileName } from './leftovers.js';
import type { PartedTransfer } from './parted.js';
import { partRanges } from './partSize.js';
import { s3Sdk } from '../aws/sdk.js';

const { GetObjectCommand } = s3Sdk();

export interface DownloadSource {
  client: S3Client;
  bucket: string;
  key: string;
  /** Bytes received, as they arrive (for progress). */
  onBytes?: (bytes: number) => void;
}

/** A temporary name beside the file, signed with this process, that the local walk never lists (see PART_FILE). */
const tempPathFor = (path: string) => join(dirname(path), partFileName());

/**
 * Moves a finished download into place with the object's LastModified as its mtime (as the AWS
 * CLI does), so the next sync sees equal times and copies nothing.
 */
async function publish(temp: string, path: string, lastModified: Date | number): Promise<void> {
  const seconds = (typeof lastModified === 'number' ? lastModified : lastModified.getTime()) / 1000;
  await utimes(temp, seconds, seconds);
  await rename(temp, path);
}

function counting(onBytes: ((bytes: number) => void) | undefined) {
  let total = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  return { stream, total: () => total };
}

/** A small object in one GetObject, streamed to a temporary file and renamed into place. */
export async function getFile(path: string, source: DownloadSource, signal: AbortSignal): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const answer = await source.client.send(
      new GetObjectCommand({ Bucket: source.bucket, Key: source.key }),
      {
        abortSignal: signal,
      },
    );
    const count = counting(source.onBytes);
    await pipeline(answer.Body as Readable, count.stream, createWriteStream(temp), { signal });
    if (answer.ContentLength !== undefined && count.total() !== answer.ContentLength) {
      throw new Error(`the download ended after ${count.total()} of ${answer.ContentLength} bytes`);
    }
    await publish(temp, path, answer.LastModified ?? Date.now());
    return count.total();
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * A large object in ranged GETs written in parallel at their offsets of a temporary file. Every
 * range asks `If-Match` the ETag that was listed, so the parts cannot come from two versions.
 */
export function rangedDownload(
  path: string,
  object: { size: number; etag?: string; lastModified: number },
  partSize: number,
  source: DownloadSource,
): PartedTransfer {
  const ranges = partRanges(object.size, partSize);
  const temp = tempPathFor(path);
  let handle: FileHandle | undefined;
  const close = async () => {
    await handle?.close();
    handle = undefined;
  };

  return {
    partCount: ranges.length,
    partBytes: (index) => ranges[index]!.end - ranges[index]!.start,
    async begin() {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(temp, 'w');
      await handle.truncate(object.size);
    },
    async part(index, signal) {
      const range = ranges[index]!;
      const answer = await source.client.send(
        new GetObjectCommand({
          Bucket: source.bucket,
          Key: source.key,
          Range: `bytes=${range.start}-${range.end - 1}`,
          IfMatch: object.etag ? `"${object.etag}"` : undefined,
        }),
        { abortSignal: signal },
      );
      let position = range.start;
      for await (const chunk of answer.Body as AsyncIterable<Buffer>) {
        if (signal.aborted) throw signal.reason;
        await handle!.write(chunk, 0, chunk.length, position);
        position += chunk.length;
        source.onBytes?.(chunk.length);
      }
      if (position !== range.end)
        throw new Error(
          `part ${range.partNumber} ended after ${position - range.start} of ${range.end - range.start} bytes`,
        );
    },
    async commit() {
      await close();
      await publish(temp, path, object.lastModified);
    },
    async rollback() {
      await close();
      await rm(temp, { force: true });
    },
  };
}
