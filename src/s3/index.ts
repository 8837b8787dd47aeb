/** S3 sync: listings, the pure sync plan, and the executor (pool, multipart). */
export { sync } from './sync.js';
export {
  compareModeOf,
  validateSyncOptions,
  syncEnds,
  DEFAULT_SYNC_CONCURRENCY,
  type SyncOptions,
} from './options.js';
export {
  syncPlan,
  copyReason,
  type SyncAction,
  type SyncPlanOptions,
  type CompareMode,
  type CopyReason,
} from './plan.js';
export type { SyncEntry, Direction } from './entry.js';
export type { SyncEvent, SyncSummary, SyncFailure, FileOperation } from './events.js';
export { createKeyFilter, globToRegExp, type FilterRule, type KeyFilter } from './filters.js';
export { walkLocal, type WalkOptions, type WalkWarning } from './localWalk.js';
export { listObjects, type ListOptions } from './listObjects.js';
export { parseLocation, s3Url, type SyncLocation, type LocalLocation, type S3Location } from './location.js';
export { compareKeys } from './keyOrder.js';
export { decodeListedKey, unsafeKeyReason } from './keys.js';
export {
  partSizeFor,
  parseSize,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_MULTIPART_CHUNKSIZE,
  MIN_PART_SIZE,
  MAX_PARTS,
} from './partSize.js';
export { localEtag, parseEtag } from './etag.js';
export { createS3Client, type S3ClientOptions } from './client.js';
