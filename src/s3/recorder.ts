import { awsErrorCode } from '../errors.js';
import type { Direction } from './entry.js';
import type { FileOperation, Leftover, SyncEvent, SyncSummary } from './events.js';

/** A failure, in one line: AWS's code and message, or the system's. */
export function describeError(err: unknown): string {
  if (err instanceof Error && err.name === 'AbortError') return 'interrupted';
  const code = awsErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code && !message.startsWith(code)) return `${code}: ${message}`;
  return message;
}

/** Keeps the summary and sends each event on: the one place where outcomes are counted. */
export class Recorder {
  readonly summary: SyncSummary;
  private readonly started = Date.now();

  constructor(
    direction: Direction,
    dryrun: boolean,
    private readonly onEvent: (event: SyncEvent) => void = () => {},
  ) {
    this.summary = {
      direction,
      dryrun,
      uploaded: 0,
      downloaded: 0,
      deleted: 0,
      unchanged: 0,
      warnings: 0,
      failed: [],
      bytes: 0,
      durationMs: 0,
    };
  }

  private emit(event: SyncEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // A listener's bug must not break the sync or its accounting.
    }
  }

  warning(location: string, message: string): void {
    this.summary.warnings++;
    this.emit({ type: 'warning', location, message });
  }

  unchanged(key: string): void {
    this.summary.unchanged++;
    this.emit({ type: 'unchanged', key });
  }

  begin(operation: FileOperation, key: string, size: number): void {
    this.emit({ type: 'started', operation, key, size });
  }

  bytes(bytes: number): void {
    this.emit({ type: 'bytes', bytes });
  }

  done(operation: FileOperation, key: string, to: string, size: number, from?: string): void {
    if (operation === 'upload') this.summary.uploaded++;
    else if (operation === 'download') this.summary.downloaded++;
    else this.summary.deleted++;
    if (operation !== 'delete') this.summary.bytes += size;
    this.emit({ type: 'done', operation, key, from, to, size, dryrun: this.summary.dryrun });
  }

  failed(operation: FileOperation, key: string, to: string, error: unknown, from?: string): void {
    const message = describeError(error);
    this.summary.failed.push({ operation, key, from, to, message });
    this.emit({ type: 'failed', operation, key, from, to, message, error });
  }

  /** The concurrency was set or changed (see the `concurrency` event). */
  concurrency(event: Omit<Extract<SyncEvent, { type: 'concurrency' }>, 'type'>): void {
    this.emit({ type: 'concurrency', ...event });
  }

  /** A leftover of an earlier run cleaned up (or not, with `error`): told, never counted. */
  cleanedUp(what: Leftover, location: string, error?: unknown): void {
    this.emit({
      type: 'cleanup',
      what,
      location,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  finish(): SyncSummary {
    this.summary.durationMs = Date.now() - this.started;
    return this.summary;
  }
}
