import type { ConcurrencyReason } from '../aws/adaptiveConcurrency.js';
import type { Direction } from './entry.js';

/** What a killed run leaves: a partial download, an open (billed) multipart upload. */
export type Leftover = 'partial download' | 'multipart upload';

/** What the sync does to one file. */
export type FileOperation = 'upload' | 'download' | 'delete';

/**
 * Progress of a sync, as it happens. Locations are `s3://bucket/key` or absolute local paths;
 * the CLI prints them the way the AWS CLI does.
 */
export type SyncEvent =
  /** A file was skipped for a reason the user should hear (broken symlink, unsafe key, ...). */
  | { type: 'warning'; location: string; message: string }
  /** A transfer began (not sent for deletes or in a dry run). */
  | { type: 'started'; operation: FileOperation; key: string; size: number }
  /** Bytes moved since the last event of this type (uploads: acknowledged parts; downloads: received). */
  | { type: 'bytes'; bytes: number }
  /** A file is up to date: nothing to do. */
  | { type: 'unchanged'; key: string }
  /** A file was copied or deleted (or would have been, with `dryrun`). `from` is absent for deletes. */
  | {
      type: 'done';
      operation: FileOperation;
      key: string;
      from?: string;
      to: string;
      size: number;
      dryrun: boolean;
    }
  /**
   * What an earlier, killed run of tempcreds left here was cleaned up: a partial download removed,
   * or a multipart upload it left open aborted (`error`: it could not be, and stays). Never counted
   * in the summary: these were no files of the sync.
   */
  | {
      type: 'cleanup';
      what: Leftover;
      /** The local path, or `s3://bucket/key` of the upload. */
      location: string;
      error?: string;
    }
  /**
   * How many requests may be in flight: once at the start (`pinned` by the `concurrency` setting,
   * or where an adaptive run `start`s), then at each change of an adaptive one, with the
   * throughput of the window that decided it (none for throttling, decided at once).
   */
  | {
      type: 'concurrency';
      from?: number;
      to: number;
      reason: ConcurrencyReason | 'pinned' | 'start';
      requestsPerSecond?: number;
      bytesPerSecond?: number;
    }
  /** A file failed; the sync goes on with the others. */
  | {
      type: 'failed';
      operation: FileOperation;
      key: string;
      from?: string;
      to: string;
      message: string;
      error: unknown;
    };

/** One file the sync could not copy or delete; the sync goes on with the others. */
export interface SyncFailure {
  /** What was being done to it. */
  operation: FileOperation;
  /** Its path below the sync root (`/`-separated): the S3 key without the prefix. */
  key: string;
  /** Where it was copied from: `s3://bucket/key` or an absolute path; absent for a delete. */
  from?: string;
  /** What was written or deleted: `s3://bucket/key` or an absolute path. */
  to: string;
  /** Why, in AWS's words where S3 refused (`AccessDenied: ...`). */
  message: string;
}

/** What a sync did. */
export interface SyncSummary {
  /** Which way the files went. */
  direction: Direction;
  /** Nothing was changed: the counts say what a real run would do. */
  dryrun: boolean;
  /** Files uploaded (or, in a dry run, that would be). */
  uploaded: number;
  /** Files downloaded (or, in a dry run, that would be). */
  downloaded: number;
  /** Destination files deleted with `delete` (or, in a dry run, that would be). */
  deleted: number;
  /** Files on both sides that were up to date. */
  unchanged: number;
  /** Files skipped with a warning (broken symlinks, unsafe keys, ...). */
  warnings: number;
  /** Files that failed; empty when every operation succeeded. */
  failed: SyncFailure[];
  /** Bytes of the files copied (their sizes; retries not counted). */
  bytes: number;
  /** Wall-clock time of the whole sync, listings included, in milliseconds. */
  durationMs: number;
}
