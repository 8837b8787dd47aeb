/**
 * S3 sync: listings, the pure sync plan, and the executor (pool, multipart).
 *
 * Behaviour, where `aws s3 sync` sets it and where tempcreds chose:
 * - What is copied: `copyReason` (the AWS CLI's rules per direction, times in whole seconds).
 * - `--checksum` (tempcreds only): same-size files are compared by ETag, see `sameContent`.
 * - Names are kept byte for byte: no Unicode normalization, so an NFC and an NFD name are two
 *   keys, as they are two files on Linux. Keys are `/`-separated on every OS.
 * - Symlinks are followed (`followSymlinks: false` skips them); broken ones, sockets, FIFOs,
 *   devices, names that are not UTF-8 and symlink loops are skipped with a warning event.
 * - Empty folders are not objects; zero-byte `dir/` markers in S3 are neither downloaded nor
 *   deleted; keys that cannot be a path below the folder (`..`, `a//b`) are skipped with a warning.
 * - Uploads carry Content-MD5, and a Content-Type guessed from the name (`contentTypeFor`).
 * - What a killed earlier run left is cleaned up (tempcreds only): its partial downloads
 *   (`.tempcreds-*.part`, never listed or uploaded) in the folder, and, given `uploadJournalDir`,
 *   the multipart uploads it left open under the destination; only its own, whose writer is gone.
 */
export { sync, runSync } from './sync.js';
export { syncRequest, type SyncRequest } from './request.js';
export {
  validateSyncOptions,
  parseConcurrency,
  type SyncOptions,
  type SyncSettings,
  type SyncRuntime,
  type SyncSettingNames,
} from './options.js';
export { fixedConcurrency, weighed, type ConcurrencyPolicy, type Task } from './pool.js';
export {
  linkConcurrency,
  SYNC_CONCURRENCY,
  SYNC_BYTES_IN_FLIGHT,
  type LinkConcurrencyOptions,
} from './linkConcurrency.js';
export {
  syncPlan,
  type SyncAction,
  type SyncPlanOptions,
  type CompareMode,
  type CopyReason,
} from './plan.js';
export type { SyncEntry, Direction } from './entry.js';
export type { SyncEvent, SyncSummary, SyncFailure, FileOperation, Leftover } from './events.js';
export { uploadJournalDir } from './uploadJournal.js';
export { createKeyFilter, type FilterRule, type KeyFilter } from './filters.js';
export { walkLocal, type WalkOptions, type WalkWarning } from './localWalk.js';
export { listObjects, type ListOptions } from './listObjects.js';
export { parseLocation, s3Url, type SyncLocation, type LocalLocation, type S3Location } from './location.js';
export {
  partSizeFor,
  parseSize,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_MULTIPART_CHUNKSIZE,
  MIN_PART_SIZE,
  MAX_PARTS,
} from './partSize.js';
export { createS3Client, connectionPool, type S3ClientOptions, type ConnectionPool } from './client.js';
