import type { S3Client } from '@aws-sdk/client-s3';
import type { ThrottleReports } from '../aws/throttleReports.js';
import { usageError } from '../errors.js';
import type { Direction } from './entry.js';
import type { SyncEvent } from './events.js';
import type { FilterRule } from './filters.js';
import type { LocalLocation, S3Location, SyncLocation } from './location.js';
import { MAX_PART_SIZE, MIN_PART_SIZE } from './partSize.js';
import type { CompareMode } from './plan.js';
import type { ConcurrencyPolicy } from './pool.js';

/*
 * The options of a sync and their checks. No AWS SDK is loaded from here (the imports above are
 * types), so the CLI can refuse bad flags before it pays for loading the S3 client.
 */

/** What a sync does: the settings a user chooses (checked by {@link syncRequest}). */
export interface SyncSettings {
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
  /**
   * Requests in flight at once, pinned: whole small files and parts of large ones share it.
   * Default: chosen from what the link achieves (see `linkConcurrency`).
   */
  concurrency?: number;
  /** Files of at least this many bytes go in parts (default 8 MiB). */
  multipartThreshold?: number;
  /** Part size (default 8 MiB; at least 5 MiB; grown when a file would need more than 10,000 parts). */
  multipartChunksize?: number;
  /** Follow symlinks in the local folder (default true, as the AWS CLI does). */
  followSymlinks?: boolean;
  /** Folder that relative local paths are relative to (default `process.cwd()`). */
  cwd?: string;
}

/** What a sync works with: the client, and what comes and goes while it runs. */
export interface SyncRuntime {
  /** An S3 client; with a local AWS, built with `forcePathStyle` (see `createS3Client`). */
  client: S3Client;
  /** Stops the sync: nothing new starts, transfers under way are cut and multipart uploads aborted. */
  signal?: AbortSignal;
  /** Progress, warnings and failures as they happen (the library never prints). */
  onEvent?: (event: SyncEvent) => void;
  /**
   * How many requests are in flight (default: `fixedConcurrency(concurrency)` when it is set,
   * else `linkConcurrency()`, which fits the link); `concurrency` is then not used.
   */
  concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * Where the client reports throttled attempts (give the same to `createS3Client`), so that an
   * adaptive concurrency hears of SlowDown at once, also when the SDK's own retry succeeds.
   */
  throttling?: ThrottleReports;
  /**
   * Folder where this run writes down its open multipart uploads (see `uploadJournalDir`), so
   * that the next sync to the same place aborts the ones a killed run left open (billed until
   * someone does). Without it, nothing is written down and nothing is aborted.
   */
  uploadJournalDir?: string;
}

/** Everything {@link sync} takes besides its two ends: the settings and the runtime. */
export interface SyncOptions extends SyncSettings, SyncRuntime {}

/**
 * What the caller calls each setting, for messages: the CLI passes its flags (`--concurrency`);
 * by default the option names are used.
 */
export type SyncSettingNames = Partial<
  Record<
    'concurrency' | 'multipartThreshold' | 'multipartChunksize' | 'sizeOnly' | 'exactTimestamps' | 'checksum',
    string
  >
>;

const nameOf = (names: SyncSettingNames, key: keyof SyncSettingNames) => names[key] ?? key;

/** The compare mode the settings ask for; conflicting ones are a usage error. */
export function compareModeOf(
  options: Pick<SyncSettings, 'sizeOnly' | 'exactTimestamps' | 'checksum'>,
  names: SyncSettingNames = {},
): CompareMode {
  const chosen = (['sizeOnly', 'exactTimestamps', 'checksum'] as const).filter((flag) => options[flag]);
  if (chosen.length > 1) {
    const given = chosen.map((key) => nameOf(names, key));
    throw usageError(`${given.join(' and ')} cannot be used together.`, 'Pick one way to compare files.');
  }
  if (options.sizeOnly) return 'size-only';
  if (options.exactTimestamps) return 'exact-timestamps';
  if (options.checksum) return 'checksum';
  return 'size-and-time';
}

/** A concurrency given as text (a flag): a whole number, else a usage error naming `name`. */
export function parseConcurrency(text: string, name: string): number {
  if (!/^\d+$/.test(text))
    throw usageError(`${name} "${text}" is not a whole number.`, `Use e.g. ${name} 10.`);
  return Number(text);
}

/** Checks the numbers and the compare mode before anything is read or sent. */
export function validateSyncOptions(options: SyncSettings, names: SyncSettingNames = {}): void {
  compareModeOf(options, names);
  validateNumbers(options, names);
}

/** The numbers of {@link validateSyncOptions}. */
export function validateNumbers(options: SyncSettings, names: SyncSettingNames): void {
  const { concurrency, multipartThreshold, multipartChunksize } = options;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
  ) {
    const name = nameOf(names, 'concurrency');
    throw usageError(`${name} ${concurrency} is not a whole number from 1 to 1000.`, `Use e.g. ${name} 10.`);
  }
  if (
    multipartThreshold !== undefined &&
    (!Number.isSafeInteger(multipartThreshold) || multipartThreshold < 1)
  ) {
    const name = nameOf(names, 'multipartThreshold');
    throw usageError(`${name} must be at least 1 byte.`, `Use e.g. ${name} 8MB.`);
  }
  if (
    multipartChunksize !== undefined &&
    (!Number.isSafeInteger(multipartChunksize) ||
      multipartChunksize < MIN_PART_SIZE ||
      multipartChunksize > MAX_PART_SIZE)
  ) {
    const name = nameOf(names, 'multipartChunksize');
    throw usageError(
      `${name} must be from 5 MiB to 5 GiB (S3's part size limits), not ${multipartChunksize} bytes.`,
      `Use e.g. ${name} 8MB.`,
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
