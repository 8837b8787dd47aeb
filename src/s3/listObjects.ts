import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { SyncEntry } from './entry.js';
import { decodeListedKey } from './keys.js';
import type { S3Location } from './location.js';
import { s3Sdk } from '../aws/sdk.js';

const { ListObjectsV2Command } = s3Sdk();

/** How {@link listObjects} lists. */
export interface ListOptions {
  /** Stops the listing: the pending ListObjectsV2 request is cut and the generator throws. */
  signal?: AbortSignal;
  /** Keys per page (default and maximum 1,000). */
  pageSize?: number;
}

/** A zero-byte key ending in `/` is a "folder" made by the console: not a file, never synced or deleted. */
const isFolderMarker = (key: string, size: number) => size === 0 && key.endsWith('/');

/**
 * Every object under a location, in S3's order (UTF-8 byte order), with the prefix taken off the
 * keys. Pages of 1,000 come with `EncodingType: 'url'` so that any key survives the XML, and the
 * next page is requested while this one is consumed. Folder markers are left out, as the AWS CLI does.
 */
export async function* listObjects(
  client: S3Client,
  location: S3Location,
  options: ListOptions = {},
): AsyncGenerator<SyncEntry> {
  const page = (token: string | undefined) =>
    client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix || undefined,
        EncodingType: 'url',
        ContinuationToken: token,
        MaxKeys: options.pageSize,
      }),
      { abortSignal: options.signal },
    );
  let pending: Promise<ListObjectsV2CommandOutput> | undefined = page(undefined);
  while (pending) {
    const answer: ListObjectsV2CommandOutput = await pending;
    const token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
    pending = token ? page(token) : undefined;
    // Keep a prefetched page's failure from surfacing as unhandled if the consumer stops early.
    pending?.catch(() => {});
    for (const object of answer.Contents ?? []) {
      const key = decodeListedKey(object.Key ?? '', answer.EncodingType);
      const size = object.Size ?? 0;
      if (!key.startsWith(location.prefix) || isFolderMarker(key, size)) continue;
      yield {
        key: key.slice(location.prefix.length),
        size,
        lastModified: object.LastModified?.getTime() ?? 0,
        etag: object.ETag?.replace(/"/g, ''),
      };
    }
  }
}
