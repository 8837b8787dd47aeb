import { unlink } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { retrying } from './retry.js';
import { s3Sdk } from '../aws/sdk.js';

const { DeleteObjectsCommand } = s3Sdk();

/** S3 takes at most 1,000 keys per DeleteObjects call. */
export const DELETE_BATCH = 1000;

export interface DeleteOutcome {
  key: string;
  /** Undefined when the key was deleted. */
  error?: string;
}

/** Deletes keys in one DeleteObjects call and tells, key by key, what S3 said. */
export async function deleteObjects(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  signal: AbortSignal,
): Promise<DeleteOutcome[]> {
  const answer = await retrying(
    () =>
      client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
        { abortSignal: signal },
      ),
    { signal },
  );
  const errors = new Map((answer.Errors ?? []).map((e) => [e.Key ?? '', `${e.Code}: ${e.Message}`]));
  return keys.map((key) => ({ key, error: errors.get(key) }));
}

/** Deletes a local file; one already gone counts as deleted. Empty folders stay, as with the AWS CLI. */
export async function deleteFile(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
