import { setMaxListeners } from 'node:events';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError } from '../errors.js';
import type { SyncEntry } from './entry.js';
import type { SyncSummary } from './events.js';
import { Cleanup } from './cleanup.js';
import { resolveCompare, tasksFor, type ExecuteContext } from './execute.js';
import { createKeyFilter } from './filters.js';
import { unsafeKeyReason } from './keys.js';
import { listObjects } from './listObjects.js';
import { checkLocalRoot } from './localRoot.js';
import { walkLocal } from './localWalk.js';
import { s3Url, type S3Location, type SyncLocation } from './location.js';
import type { SyncOptions, SyncRuntime } from './options.js';
import type { PartedRun } from './parted.js';
import { syncPlan, type SyncAction } from './plan.js';
import { linkConcurrency } from './linkConcurrency.js';
import { fixedConcurrency, mapAhead, readAhead, runPool, type ConcurrencyPolicy, type Task } from './pool.js';
import { Recorder } from './recorder.js';
import { isThrottling } from './retry.js';
import { syncRequest, type SyncRequest } from './request.js';

/** Files the local walk may run ahead of the plan: enough to cover one listing page's wait. */
const LOCAL_READ_AHEAD = 2000;
/**
 * Objects the S3 listing may run ahead of the plan (five pages): the listing keeps going while
 * files upload, so a slow page is not waited for when its keys' turn comes.
 */
const LISTING_READ_AHEAD = 5000;
/** `--checksum` comparisons under way at once (each streams a file through MD5). */
const CHECKSUMS_AHEAD = 16;

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
 * Where a sync run is. Each step of {@link SyncRun} moves it one phase on, or to an end:
 *
 *     ready --check--> checked --transfer--> transferring --windDown--> woundDown --finish--> done
 *       \--check (the local end is unusable)--> refused          finish (aborted) --> interrupted
 *                                                                finish (a listing failed) --> failed
 */
export type SyncPhase =
  'ready' | 'refused' | 'checked' | 'transferring' | 'woundDown' | 'done' | 'interrupted' | 'failed';

/**
 * One sync, as a small state machine (see {@link SyncPhase}): check the local end, stream both
 * listings through the plan into the pool (while what killed earlier runs left is cleaned up, see
 * `Cleanup`), wind down (close the listings, roll back multipart transfers the pool will never
 * finish, let the clean-up end), then finish with the summary or the reason it stopped.
 * `runSync` takes it through every step; tests may take it one step at a time.
 */
export class SyncRun {
  private current: SyncPhase = 'ready';
  private readonly recorder: Recorder;
  private readonly stop = new AbortController();
  private readonly policy: ConcurrencyPolicy;
  private readonly ctx: ExecuteContext;
  private readonly cleanup: Cleanup;
  private rootIsFolder = false;
  private tasks: AsyncGenerator<Task> | undefined;
  private failure: unknown;
  private readonly onAbort = () => this.stop.abort(this.runtime.signal?.reason);
  private stopHearingThrottles: (() => void) | undefined;

  constructor(
    readonly request: SyncRequest,
    private readonly runtime: SyncRuntime,
  ) {
    this.recorder = new Recorder(request.direction, request.dryrun, runtime.onEvent);
    this.policy = this.choosePolicy();
    // A dry run changes nothing: it neither cleans up nor writes anything down.
    const uploading = request.direction === 'upload' && !request.dryrun;
    this.cleanup = new Cleanup({
      client: runtime.client,
      s3: request.s3,
      recorder: this.recorder,
      journalDir: uploading ? runtime.uploadJournalDir : undefined,
    });
    this.ctx = {
      client: runtime.client,
      direction: request.direction,
      local: request.local,
      s3: request.s3,
      dryrun: request.dryrun,
      multipartThreshold: request.multipartThreshold,
      multipartChunksize: request.multipartChunksize,
      recorder: this.recorder,
      openRuns: new Set<PartedRun>(),
      openUploads: this.cleanup.openUploads,
      // Throttling the SDK gave up on (a client without `throttling` reports tells of no other);
      // told twice of one round is harmless: a policy decreases once per round.
      onRetry: (err) => {
        if (isThrottling(err)) this.policy.throttled?.();
      },
    };
  }

  /** The runtime's policy, else `concurrency` pinned, else one that fits the link (its changes become events). */
  private choosePolicy(): ConcurrencyPolicy {
    if (this.runtime.concurrencyPolicy) return this.runtime.concurrencyPolicy;
    const pinned = this.request.concurrency;
    if (pinned !== undefined) {
      this.recorder.concurrency({ to: pinned, reason: 'pinned' });
      return fixedConcurrency(pinned);
    }
    const policy = linkConcurrency({
      onChange: ({ unitsPerSecond, ...change }) =>
        this.recorder.concurrency({ ...change, bytesPerSecond: unitsPerSecond }),
    });
    this.recorder.concurrency({ to: policy.current(), reason: 'start' });
    return policy;
  }

  get phase(): SyncPhase {
    return this.current;
  }

  private move(from: SyncPhase, to: SyncPhase): void {
    this.mayMove(from, to);
    this.current = to;
  }

  private mayMove(from: SyncPhase, to: SyncPhase): void {
    if (this.current !== from) throw new Error(`sync: cannot go from ${this.current} to ${to}`);
  }

  /** ready -> checked (or refused): the local end is a folder the sync can use (see `checkLocalRoot`). */
  async check(): Promise<void> {
    this.mayMove('ready', 'checked');
    try {
      this.rootIsFolder =
        (await checkLocalRoot(this.request.direction, this.request.local.root)) === 'folder';
    } catch (err) {
      this.move('ready', 'refused');
      throw err;
    }
    this.move('ready', 'checked');
  }

  /** The plan's actions, from both listings (the local walk reads ahead while S3 answers). */
  private actions(): AsyncIterable<SyncAction> {
    const { direction, local, s3, compare } = this.request;
    const localEntries: AsyncIterable<SyncEntry> = this.rootIsFolder
      ? readAhead(
          walkLocal(local.root, {
            followSymlinks: this.request.followSymlinks,
            onWarning: (w) => this.recorder.warning(w.path, w.message),
            onPartFile: this.request.dryrun ? undefined : (path, name) => this.cleanup.partFile(path, name),
          }),
          LOCAL_READ_AHEAD,
        )
      : (async function* () {})();
    const objects = explained(
      readAhead(listObjects(this.runtime.client, s3, { signal: this.stop.signal }), LISTING_READ_AHEAD),
      s3,
    );
    const options = {
      direction,
      compare,
      delete: this.request.delete,
      filter: createKeyFilter(this.request.filters),
    };
    const plan =
      direction === 'upload'
        ? syncPlan(localEntries, objects, options)
        : syncPlan(safeKeys(objects, s3, this.recorder), localEntries, options);
    return compare === 'checksum'
      ? mapAhead(plan, Math.min(this.policy.max, CHECKSUMS_AHEAD), (a) =>
          resolveCompare(this.ctx, a, this.stop.signal),
        )
      : plan;
  }

  /** checked -> transferring: runs the pool until the plan is done, a listing fails or the signal aborts. */
  async transfer(): Promise<void> {
    this.move('checked', 'transferring');
    // Every request in flight listens on it (the SDK's abortSignal): more than Node's default 10.
    setMaxListeners(this.policy.max * 4 + 16, this.stop.signal);
    if (this.runtime.signal?.aborted) this.onAbort();
    this.runtime.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.stopHearingThrottles = this.runtime.throttling?.on(() => this.policy.throttled?.());
    this.tasks = tasksFor(this.ctx, this.actions());
    this.cleanup.abortLeftoverUploads();
    try {
      await runPool(this.tasks, this.policy, this.stop.signal);
    } catch (err) {
      this.failure = err;
    }
  }

  /** transferring -> woundDown: nothing is left running or open, whatever ended the transfers. */
  async windDown(): Promise<void> {
    this.move('transferring', 'woundDown');
    this.runtime.signal?.removeEventListener('abort', this.onAbort);
    this.stopHearingThrottles?.();
    // Stopped early: close the listings the plan still holds.
    await this.tasks?.return(undefined).catch(() => {});
    // Multipart transfers whose remaining parts will never run: abort them now.
    const reason = () => this.stop.signal.reason ?? new Error('the sync stopped');
    await Promise.all([...this.ctx.openRuns].map((run) => run.abandon(reason())));
    await this.cleanup.done();
  }

  /** woundDown -> done (the summary), interrupted or failed (thrown). */
  finish(): SyncSummary {
    const summary = this.recorder.finish();
    if (this.stop.signal.aborted) {
      this.move('woundDown', 'interrupted');
      // Whatever the abort cut (a listing page, a transfer), the caller hears one thing: interrupted.
      throw new TempcredsError(
        `The sync was interrupted after ${summary.uploaded + summary.downloaded} copies and ${summary.deleted} deletes; transfers under way were stopped and their multipart uploads aborted.`,
        {
          kind: 'failed',
          fix: 'Run the same sync again: it copies only what is still missing.',
          cause: this.stop.signal.reason,
        },
      );
    }
    if (this.failure !== undefined) {
      this.move('woundDown', 'failed');
      throw this.failure;
    }
    this.move('woundDown', 'done');
    return summary;
  }
}

/** Takes a checked request through every step of a {@link SyncRun}. */
export async function runSync(request: SyncRequest, runtime: SyncRuntime): Promise<SyncSummary> {
  const run = new SyncRun(request, runtime);
  await run.check();
  try {
    await run.transfer();
  } finally {
    await run.windDown();
  }
  return run.finish();
}

/**
 * Syncs a local folder and an S3 prefix, either way, with `aws s3 sync` semantics (see `copyReason`).
 * Both listings stream into the pure plan (`syncPlan`), whose actions feed one pool: `concurrency`
 * requests at once when it is set, else as many as the link rewards (`linkConcurrency`); memory
 * stays bounded by the pool and its byte budget, not by the number of files. Files that
 * fail are reported in the summary (and by a `failed` event) and the others go on.
 *
 * Rejects (after cleaning up) when a listing fails, or with a `TempcredsError` when `signal` aborts.
 */
export async function sync(
  source: string | SyncLocation,
  destination: string | SyncLocation,
  options: SyncOptions,
): Promise<SyncSummary> {
  return runSync(syncRequest(source, destination, options), options);
}
