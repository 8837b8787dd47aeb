import { setTimeout as delay } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ThrottleReports } from '../aws/throttleReports.js';
import type { FilterRule } from '../s3/filters.js';
import type { SyncConfig } from './config.js';
import type { AgentEvent } from './events.js';
import type { Spool } from './spool.js';

export interface SyncJobDeps {
  client: () => Promise<S3Client>;
  /** Where that client reports throttled attempts: each run's concurrency comes down at once. */
  throttling?: ThrottleReports;
  spool: Spool;
  onEvent: (event: AgentEvent) => void;
}

/** `exclude` rules first, then `include`: the AWS CLI's `--exclude '*' --include '*.csv'` idiom (later rules win). */
export function syncFilters(config: SyncConfig): FilterRule[] {
  return [
    ...config.exclude.map((pattern) => ({ type: 'exclude' as const, pattern })),
    ...config.include.map((pattern) => ({ type: 'include' as const, pattern })),
  ];
}

/**
 * One sync job: the library's `sync` every `everyMs`, counted from the start of a run. A run never
 * overlaps the previous one: when a run takes longer than the interval, the next starts when it ends.
 * Each run's result goes to the spool (for `/metrics` and `agent status`).
 */
export class SyncJob {
  private readonly stop = new AbortController();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private running = false;

  constructor(
    readonly config: SyncConfig,
    private readonly deps: SyncJobDeps,
  ) {}

  start(): void {
    this.loop = this.schedule();
  }

  /** True while a run is under way. */
  get busy(): boolean {
    return this.running;
  }

  private async schedule(): Promise<void> {
    while (!this.stop.signal.aborted) {
      const started = Date.now();
      await this.runOnce();
      const wait = Math.max(0, started + this.config.everyMs - Date.now());
      await delay(wait, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /** One run, recorded; a failure is recorded and reported, never thrown. */
  async runOnce(): Promise<void> {
    const { name } = this.config;
    const startedMs = Date.now();
    this.running = true;
    this.deps.spool.saveSyncRun({
      name,
      startedMs,
      finishedMs: null,
      result: 'running',
      files: 0,
      bytes: 0,
      message: null,
    });
    this.deps.onEvent({ type: 'sync.started', sync: name });
    try {
      const { sync } = await import('../s3/sync.js');
      const summary = await sync(this.config.from, this.config.to, {
        client: await this.deps.client(),
        throttling: this.deps.throttling,
        onEvent: (event) => {
          // Only the changes: where an adaptive run starts is the same every run.
          if (event.type !== 'concurrency' || event.from === undefined) return;
          if (event.reason === 'pinned' || event.reason === 'start') return;
          const { from, to, reason } = event;
          this.deps.onEvent({ type: 'sync.concurrency', sync: name, from, to, reason });
        },
        delete: this.config.delete,
        filters: syncFilters(this.config),
        sizeOnly: this.config.sizeOnly,
        checksum: this.config.checksum,
        signal: this.abort.signal,
        cwd: '/',
      });
      const files = summary.uploaded + summary.downloaded + summary.deleted;
      const failed = summary.failed.length;
      const message = failed > 0 ? `${failed} file(s) failed: ${summary.failed[0]!.message}` : null;
      this.record(startedMs, failed > 0 ? 'failed' : 'ok', files, summary.bytes, message);
      this.deps.onEvent({
        type: 'sync.finished',
        sync: name,
        files,
        bytes: summary.bytes,
        deleted: summary.deleted,
        failed,
        durationMs: Date.now() - startedMs,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.record(startedMs, 'failed', 0, 0, message);
      this.deps.onEvent({ type: 'sync.failed', sync: name, message });
    } finally {
      this.running = false;
    }
  }

  private record(
    startedMs: number,
    result: 'ok' | 'failed',
    files: number,
    bytes: number,
    message: string | null,
  ): void {
    const { name } = this.config;
    this.deps.spool.saveSyncRun({ name, startedMs, finishedMs: Date.now(), result, files, bytes, message });
    this.deps.spool.bump(`sync:${name}`, { runs: 1, failures: result === 'failed' ? 1 : 0, files, bytes });
  }

  /** No new run starts; a run under way may finish within `drainTimeoutMs`, then it is stopped (its multipart uploads aborted). */
  async close(drainTimeoutMs: number): Promise<void> {
    this.stop.abort();
    const timer = setTimeout(() => this.abort.abort(), drainTimeoutMs);
    await this.loop;
    clearTimeout(timer);
  }
}
