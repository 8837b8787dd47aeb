import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError, usageError } from '../errors.js';
import type { SyncEntry } from './entry.js';
import type { SyncSummary } from './events.js';
import { resolveCompare, tasksFor, type ExecuteContext } from './execute.js';
import { createKeyFilter } from './filters.js';
import { unsafeKeyReason } from './keys.js';
import { listObjects } from './listObjects.js';
import { walkLocal } from './localWalk.js';
import { parseLocation, s3Url, type S3Location, type SyncLocation, type LocalLocation } from './location.js';
import {
  compareModeOf,
  DEFAULT_SYNC_CONCURRENCY,
  syncEnds,
  validateSyncOptions,
  type SyncOptions,
} from './options.js';
import { DEFAULT_MULTIPART_CHUNKSIZE, DEFAULT_MULTIPART_THRESHOLD } from './partSize.js';
import type { PartedRun } from './parted.js';
import { syncPlan, type SyncAction } from './plan.js';
import { mapAhead, readAhead, runPool } from './pool.js';
import { Recorder } from './recorder.js';

/** Files the local walk may run ahead of the plan: enough to cover one listing page's wait. */
const LOCAL_READ_AHEAD = 2000;

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
  // Every request in flight listens on it (the SDK's abortSignal): more than Node's default 10.
  setMaxListeners(concurrency * 4 + 16, stop.signal);
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // The walk runs ahead (a bounded number of files) while the first listing page is on its way.
  const localEntries: AsyncIterable<SyncEntry> =
    rootState === 'folder'
      ? readAhead(
          walkLocal(local.root, {
            followSymlinks: options.followSymlinks ?? true,
            onWarning: (w) => recorder.warning(w.path, w.message),
          }),
          LOCAL_READ_AHEAD,
        )
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
  let failure: unknown;
  try {
    await runPool(tasks, concurrency, stop.signal);
  } catch (err) {
    failure = err;
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
    // Whatever the abort cut (a listing page, a transfer), the caller hears one thing: interrupted.
    throw new TempcredsError(
      `The sync was interrupted after ${summary.uploaded + summary.downloaded} copies and ${summary.deleted} deletes; transfers under way were stopped and their multipart uploads aborted.`,
      {
        kind: 'failed',
        fix: 'Run the same sync again: it copies only what is still missing.',
        cause: stop.signal.reason,
      },
    );
  }
  if (failure !== undefined) throw failure;
  return summary;
}
