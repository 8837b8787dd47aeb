import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { deleteFile, deleteObjects, DELETE_BATCH } from './remove.js';
import { getFile, rangedDownload } from './download.js';
import type { Direction, SyncEntry } from './entry.js';
import type { FileOperation } from './events.js';
import { s3Url, type LocalLocation, type S3Location } from './location.js';
import { PartedRun, type PartedTransfer } from './parted.js';
import { partSizeFor } from './partSize.js';
import type { SyncAction } from './plan.js';
import { weighed, type Task } from './pool.js';
import type { Recorder } from './recorder.js';
import { retrying } from './retry.js';
import { sameContent } from './sameContent.js';
import { multipartUpload, putFile, type OpenUploads } from './upload.js';

/** Everything the executor needs to turn plan actions into work. */
export interface ExecuteContext {
  client: S3Client;
  direction: Direction;
  local: LocalLocation;
  s3: S3Location;
  dryrun: boolean;
  multipartThreshold: number;
  multipartChunksize: number;
  recorder: Recorder;
  /** Multipart transfers under way, to be rolled back if the pool stops before they finish. */
  openRuns: Set<PartedRun>;
  /** Where this run's open multipart uploads are written down (none: nowhere). */
  openUploads?: OpenUploads;
  /** Told of each transfer step that failed and will be tried again (throttling reaches the policy so). */
  onRetry?: (err: unknown) => void;
}

/** The local path of a key: `/`-separated keys become the OS's separators. */
export const localPath = (local: LocalLocation, key: string) => join(local.root, ...key.split('/'));

/** Where a copy of `key` comes from and goes to, as events and the CLI name them. */
function ends(ctx: ExecuteContext, key: string): { from: string; to: string } {
  const file = localPath(ctx.local, key);
  const object = s3Url(ctx.s3, key);
  return ctx.direction === 'upload' ? { from: file, to: object } : { from: object, to: file };
}

/** `--checksum`: turns a `compare` action into a copy (content differs) or a skip. */
export async function resolveCompare(
  ctx: ExecuteContext,
  action: SyncAction,
  signal: AbortSignal,
): Promise<SyncAction> {
  if (action.kind !== 'compare') return action;
  const [file, object] =
    ctx.direction === 'upload' ? [action.source, action.target] : [action.target, action.source];
  const same = await sameContent(
    file.path ?? localPath(ctx.local, action.key),
    file.size,
    { client: ctx.client, bucket: ctx.s3.bucket, key: ctx.s3.prefix + action.key, etag: object.etag },
    signal,
  ).catch(() => false); // undecidable (file gone, HEAD refused): copy, and let the copy report the problem
  const { source, target, key } = action;
  return same
    ? { kind: 'skip', key, source, target }
    : { kind: 'copy', key, reason: 'content', source, target };
}

/** The transfer of one file in parts, or undefined when it goes in one request. */
function partedTransfer(ctx: ExecuteContext, source: SyncEntry): PartedTransfer | undefined {
  if (source.size < ctx.multipartThreshold) return undefined;
  const partSize = partSizeFor(source.size, ctx.multipartChunksize);
  const onBytes = (n: number) => ctx.recorder.bytes(n);
  const objectKey = ctx.s3.prefix + source.key;
  if (ctx.direction === 'upload') {
    return multipartUpload(source.path ?? localPath(ctx.local, source.key), source.size, partSize, {
      client: ctx.client,
      bucket: ctx.s3.bucket,
      key: objectKey,
      onBytes,
      openUploads: ctx.openUploads,
    });
  }
  return rangedDownload(localPath(ctx.local, source.key), source, partSize, {
    client: ctx.client,
    bucket: ctx.s3.bucket,
    key: objectKey,
    onBytes,
  });
}

function copyTasks(ctx: ExecuteContext, source: SyncEntry): Iterable<Task> {
  const { recorder } = ctx;
  const operation: FileOperation = ctx.direction;
  const { from, to } = ends(ctx, source.key);
  const parted = partedTransfer(ctx, source);
  if (parted) {
    const run: PartedRun = new PartedRun(parted, {
      done: () => {
        ctx.openRuns.delete(run);
        recorder.done(operation, source.key, to, source.size, from);
      },
      failed: (error) => {
        ctx.openRuns.delete(run);
        recorder.failed(operation, source.key, to, error, from);
      },
      onRetry: ctx.onRetry,
    });
    ctx.openRuns.add(run);
    recorder.begin(operation, source.key, source.size);
    return run.tasks();
  }
  const single: Task = weighed(source.size, async (signal) => {
    recorder.begin(operation, source.key, source.size);
    const onBytes = (n: number) => recorder.bytes(n);
    const objectKey = ctx.s3.prefix + source.key;
    try {
      const size = await retrying(
        () =>
          ctx.direction === 'upload'
            ? putFile(
                source.path ?? from,
                source.size,
                { client: ctx.client, bucket: ctx.s3.bucket, key: objectKey, onBytes },
                signal,
              )
            : getFile(to, { client: ctx.client, bucket: ctx.s3.bucket, key: objectKey, onBytes }, signal),
        { signal, onRetry: ctx.onRetry },
      );
      recorder.done(operation, source.key, to, size, from);
    } catch (err) {
      recorder.failed(operation, source.key, to, err, from);
    }
  });
  return [single];
}

function deleteBatchTask(ctx: ExecuteContext, keys: string[]): Task {
  return async (signal) => {
    try {
      const outcomes = await deleteObjects(
        ctx.client,
        ctx.s3.bucket,
        keys.map((k) => ctx.s3.prefix + k),
        signal,
      );
      outcomes.forEach(({ error }, i) => {
        const key = keys[i]!;
        if (error) ctx.recorder.failed('delete', key, s3Url(ctx.s3, key), new Error(error));
        else ctx.recorder.done('delete', key, s3Url(ctx.s3, key), 0);
      });
    } catch (err) {
      for (const key of keys) ctx.recorder.failed('delete', key, s3Url(ctx.s3, key), err);
    }
  };
}

function deleteFileTask(ctx: ExecuteContext, key: string): Task {
  const path = localPath(ctx.local, key);
  return async () => {
    try {
      await deleteFile(path);
      ctx.recorder.done('delete', key, path, 0);
    } catch (err) {
      ctx.recorder.failed('delete', key, path, err);
    }
  };
}

/**
 * The work of a sync as one lazy stream of tasks, pulled by the pool's workers: a small file is one
 * task, a large one a task per part, deletes from S3 go in batches of 1,000. Up-to-date files and
 * a dry run's actions are only recorded.
 */
export async function* tasksFor(
  ctx: ExecuteContext,
  actions: AsyncIterable<SyncAction>,
): AsyncGenerator<Task> {
  let deletes: string[] = [];
  for await (const action of actions) {
    if (action.kind === 'compare') {
      throw new Error(`compare action for "${action.key}" was not resolved (see resolveCompare)`);
    } else if (action.kind === 'skip') {
      ctx.recorder.unchanged(action.key);
    } else if (action.kind === 'delete') {
      const to = ctx.direction === 'upload' ? s3Url(ctx.s3, action.key) : localPath(ctx.local, action.key);
      if (ctx.dryrun) ctx.recorder.done('delete', action.key, to, 0);
      else if (ctx.direction === 'download') yield deleteFileTask(ctx, action.key);
      else if (deletes.push(action.key) >= DELETE_BATCH) {
        yield deleteBatchTask(ctx, deletes);
        deletes = [];
      }
    } else if (ctx.dryrun) {
      const { from, to } = ends(ctx, action.key);
      ctx.recorder.done(ctx.direction, action.key, to, action.source.size, from);
    } else {
      yield* copyTasks(ctx, action.source);
    }
  }
  if (deletes.length > 0) yield deleteBatchTask(ctx, deletes);
}
