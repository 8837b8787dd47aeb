import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError, usageError } from '../errors.js';
import type { Direction, SyncEntry } from './entry.js';
import type { SyncEvent, SyncSummary } from './events.js';
import { resolveCompare, tasksFor, type ExecuteContext } from './execute.js';
import { createKeyFilter, type FilterRule } from './filters.js';
import { unsafeKeyReason } from './keys.js';
import { listObjects } from './listObjects.js';
import { walkLocal } from './localWalk.js';
import { parseLocation, s3Url, type LocalLocation, type S3Location, type SyncLocation } from './location.js';
import {
  DEFAULT_MULTIPART_CHUNKSIZE,
  DEFAULT_MULTIPART_THRESHOLD,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
} from './partSize.js';
import type { PartedRun } from './parted.js';
import { syncPlan, type CompareMode, type SyncAction } from './plan.js';
import { mapAhead, runPool } from './pool.js';
import { Recorder } from './recorder.js';

/** The AWS CLI's default for `max_concurrent_requests`. */
export const DEFAULT_SYNC_CONCURRENCY = 10;

export interface SyncOptions {
  /** An S3 client; with a local AWS, built with `forcePathStyle` (see `createS3Client`). */
  client: S3Client;
  /** Remove destination files that the source lacks (and that the filters let through). */
  delete?: boolean;
  /** `--exclude`/`--include` rules, in command-line order: later rules win. */
  filters?: readonly FilterRule[];
  /** Decide and report everything, change nothing. */
  dryrun?: boolean;
  /** Copy only when sizes differ (or the destination lacks the file). */
  sizeOnly?: boolean;
  /** Downloads: copy same-size files whenever the times differ at all. */
  exactTimestamps?: boolean;
  /** Compare content for same-size files, by ETag (see `sameContent`); times are ignored. */
  checksum?: boolean;
  /** Requests in flight at once: whole small files and parts of large ones share it (default 10). */
  concurrency?: number;
  /** Files of at least this many bytes go in parts (default 8 MiB). */
  multipartThreshold?: number;
  /** Part size (default 8 MiB; at least 5 MiB; grown when a file would need more than 10,000 parts). */
  multipartChunksize?: number;
  /** Follow symlinks in the local folder (default true, as the AWS CLI does). */
  followSymlinks?: boolean;
  /** Folder that relative local paths are relative to (default `process.cwd()`). */
  cwd?: string;
  /** Stops the sync: nothing new starts, transfers under way are cut and multipart uploads aborted. */
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
}

/** The compare mode the flags ask for; conflicting flags are a usage error. */
export function compareModeOf(
  options: Pick<SyncOptions, 'sizeOnly' | 'exactTimestamps' | 'checksum'>,
): CompareMode {
  const chosen = (['sizeOnly', 'exactTimestamps', 'checksum'] as const).filter((flag) => options[flag]);
  if (chosen.length > 1) {
    const flags = chosen.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw usageError(`${flags.join(' and ')} cannot be used together.`, 'Pick one way to compare files.');
  }
  if (options.sizeOnly) return 'size-only';
  if (options.exactTimestamps) return 'exact-timestamps';
  if (options.checksum) return 'checksum';
  return 'size-and-time';
}

/** Checks the numbers before anything is read or sent. */
export function validateSyncOptions(options: Omit<SyncOptions, 'client'>): void {
  compareModeOf(options);
  const { concurrency, multipartThreshold, multipartChunksize } = options;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
  ) {
    throw usageError(
      `--concurrency ${concurrency} is not a whole number from 1 to 1000.`,
      'Use e.g. --concurrency 10.',
    );
  }
  if (
    multipartThreshold !== undefined &&
    (!Number.isSafeInteger(multipartThreshold) || multipartThreshold < 1)
  ) {
    throw usageError(`--multipart-threshold must be at least 1 byte.`, 'Use e.g. --multipart-threshold 8MB.');
  }
  if (
    multipartChunksize !== undefined &&
    (!Number.isSafeInteger(multipartChunksize) ||
      multipartChunksize < MIN_PART_SIZE ||
      multipartChunksize > MAX_PART_SIZE)
  ) {
    throw usageError(
      `--multipart-chunksize must be from 5 MiB to 5 GiB (S3's part size limits), not ${multipartChunksize} bytes.`,
      'Use e.g. --multipart-chunksize 8MB.',
    );
  }
}

/** Which end is local and which is S3; s3-to-s3 and local-to-local are refused before anything runs. */
export function syncEnds(
  source: SyncLocation,
  destination: SyncLocation,
): {
  direction: Direction;
  local: LocalLocation;
  s3: S3Location;
} {
  if (source.kind === 'local' && destination.kind === 's3')
    return { direction: 'upload', local: source, s3: destination };
  if (source.kind === 's3' && destination.kind === 'local')
    return { direction: 'download', local: destination, s3: source };
  if (source.kind === 's3') {
    throw usageError(
      'Sync from S3 to S3 is not supported.',
      'Sync to a local folder first, then from it to the other bucket.',
    );
  }
  throw usageError(
    'Both paths are local: one side must be s3://bucket/prefix.',
    'Use rsync or cp for local copies.',
  );
}

async function localRootState(local: LocalLocation): Promise<'folder' | 'missing' | 'other'> {
  try {
    return (await stat(local.root)).isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/** S3 listing errors (no bucket, no permission) end the sync with AWS's reason. */
async function* explained(entries: AsyncIterable<SyncEntry>, s3: S3Location): AsyncGenerator<SyncEntry> {
  try {
    yield* entries;
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw explainAwsError(err, { action: `Listing ${s3Url(s3)}` });
  }
}

/** Downloads: keys that cannot be files below the folder are skipped with a warning. */
async function* safeKeys(
  entries: AsyncIterable<SyncEntry>,
  s3: S3Location,
  recorder: Recorder,
): AsyncGenerator<SyncEntry> {
  for await (const entry of entries) {
    const reason = unsafeKeyReason(entry.key);
    if (reason) recorder.warning(s3Url(s3, entry.key), `Skipping: ${reason}.`);
    else yield entry;
  }
}

/**
 * Syncs a local folder and an S3 prefix, either way, with `aws s3 sync` semantics (see `copyReason`).
 * Both listings stream into the pure plan (`syncPlan`), whose actions feed one pool of
 * `concurrency` workers; memory stays bounded by the pool, not by the number of files. Files that
 * fail are reported in the summary (and by a `failed` event) and the others go on.
 *
 * Rejects (after cleaning up) when a listing fails, or with a `TempcredsError` when `signal` aborts.
 */
export async function sync(
  source: string | SyncLocation,
  destination: string | SyncLocation,
  options: SyncOptions,
): Promise<SyncSummary> {
  validateSyncOptions(options);
  const cwd = options.cwd ?? process.cwd();
  const src = typeof source === 'string' ? parseLocation(source, cwd) : source;
  const dst = typeof destination === 'string' ? parseLocation(destination, cwd) : destination;
  const { direction, local, s3 } = syncEnds(src, dst);
  const rootState = await localRootState(local);
  if (direction === 'upload' && rootState !== 'folder') {
    throw usageError(
      `${local.root} ${rootState === 'missing' ? 'does not exist' : 'is not a folder'}.`,
      'Sync from a folder.',
    );
  }
  if (direction === 'download' && rootState === 'other') {
    throw usageError(`${local.root} is not a folder.`, 'Download into a folder (it is created if missing).');
  }

  const dryrun = options.dryrun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  const compare = compareModeOf(options);
  const recorder = new Recorder(direction, dryrun, options.onEvent);
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const localEntries: AsyncIterable<SyncEntry> =
    rootState === 'folder'
      ? walkLocal(local.root, {
          followSymlinks: options.followSymlinks ?? true,
          onWarning: (w) => recorder.warning(w.path, w.message),
        })
      : (async function* () {})();
  const objects = explained(listObjects(options.client, s3, { signal: stop.signal }), s3);
  const plan =
    direction === 'upload'
      ? syncPlan(localEntries, objects, {
          direction,
          compare,
          delete: options.delete,
          filter: createKeyFilter(options.filters ?? []),
        })
      : syncPlan(safeKeys(objects, s3, recorder), localEntries, {
          direction,
          compare,
          delete: options.delete,
          filter: createKeyFilter(options.filters ?? []),
        });

  const ctx: ExecuteContext = {
    client: options.client,
    direction,
    local,
    s3,
    dryrun,
    multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
    multipartChunksize: options.multipartChunksize ?? DEFAULT_MULTIPART_CHUNKSIZE,
    recorder,
    openRuns: new Set<PartedRun>(),
  };
  const actions: AsyncIterable<SyncAction> =
    compare === 'checksum' ? mapAhead(plan, concurrency, (a) => resolveCompare(ctx, a, stop.signal)) : plan;

  const tasks = tasksFor(ctx, actions);
  try {
    await runPool(tasks, concurrency, stop.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Stopped early: close the listings the plan still holds.
    await tasks.return(undefined).catch(() => {});
    // Multipart transfers whose remaining parts will never run: abort them now.
    await Promise.all(
      [...ctx.openRuns].map((run) => run.abandon(stop.signal.reason ?? new Error('the sync stopped'))),
    );
  }
  const summary = recorder.finish();
  if (stop.signal.aborted) {
    throw new TempcredsError(
      `The sync was interrupted after ${summary.uploaded + summary.downloaded} copies and ${summary.deleted} deletes; transfers under way were stopped and their multipart uploads aborted.`,
      {
        kind: 'failed',
        fix: 'Run the same sync again: it copies only what is still missing.',
        cause: stop.signal.reason,
      },
    );
  }
  return summary;
}
