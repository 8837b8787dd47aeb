import type { Direction } from './entry.js';
import type { FilterRule } from './filters.js';
import { parseLocation, type LocalLocation, type S3Location, type SyncLocation } from './location.js';
import {
  compareModeOf,
  syncEnds,
  validateNumbers,
  type SyncSettingNames,
  type SyncSettings,
} from './options.js';
import { DEFAULT_MULTIPART_CHUNKSIZE, DEFAULT_MULTIPART_THRESHOLD } from './partSize.js';
import type { CompareMode } from './plan.js';

/**
 * A sync with every setting checked and every default filled in: made once by
 * {@link syncRequest}, then taken as it is by `runSync`. Nothing in it has touched the disk or
 * the network yet.
 */
export interface SyncRequest {
  /** `upload` (local to S3) or `download` (S3 to local). */
  readonly direction: Direction;
  /** The local end, its folder absolute. */
  readonly local: LocalLocation;
  /** The S3 end. */
  readonly s3: S3Location;
  /** How same-key files are compared, from `sizeOnly`, `exactTimestamps` and `checksum`. */
  readonly compare: CompareMode;
  /** Remove destination files the source lacks. */
  readonly delete: boolean;
  /** `--exclude`/`--include` rules in command-line order; empty when none. */
  readonly filters: readonly FilterRule[];
  /** Decide and report everything, change nothing. */
  readonly dryrun: boolean;
  /** Pinned by the caller; undefined: it fits the link (see `linkConcurrency`). */
  readonly concurrency: number | undefined;
  /** Files of at least this many bytes go in parts (default 8 MiB). */
  readonly multipartThreshold: number;
  /** Part size in bytes asked for (default 8 MiB, at least 5 MiB). */
  readonly multipartChunksize: number;
  /** Follow symlinks in the local folder (default true). */
  readonly followSymlinks: boolean;
}

/**
 * Checks a sync's ends and settings (a usage error names the setting as `names` calls it: the CLI
 * passes its flags) and returns the request. Local paths are resolved against `settings.cwd`.
 */
export function syncRequest(
  source: string | SyncLocation,
  destination: string | SyncLocation,
  settings: SyncSettings = {},
  names: SyncSettingNames = {},
): SyncRequest {
  const cwd = settings.cwd ?? process.cwd();
  const at = (end: string | SyncLocation) => (typeof end === 'string' ? parseLocation(end, cwd) : end);
  const { direction, local, s3 } = syncEnds(at(source), at(destination));
  const compare = compareModeOf(settings, names);
  validateNumbers(settings, names);
  return {
    direction,
    local,
    s3,
    compare,
    delete: settings.delete ?? false,
    filters: settings.filters ?? [],
    dryrun: settings.dryrun ?? false,
    concurrency: settings.concurrency,
    multipartThreshold: settings.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
    multipartChunksize: settings.multipartChunksize ?? DEFAULT_MULTIPART_CHUNKSIZE,
    followSymlinks: settings.followSymlinks ?? true,
  };
}
