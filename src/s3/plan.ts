import type { Direction, SyncEntry } from './entry.js';
import { compareKeys } from './keyOrder.js';
import type { KeyFilter } from './filters.js';

/**
 * Why a file is copied: the target lacks it, sizes differ, the times (per the direction's rule), or
 * (`--checksum`, decided by the executor) the content differs.
 */
export type CopyReason = 'missing' | 'size' | 'source-newer' | 'target-newer' | 'time-differs' | 'content';

/** What the sync does with one key. */
export type SyncAction =
  /** Copy the source over the target (absent when `reason` is `missing`). */
  | { kind: 'copy'; key: string; reason: CopyReason; source: SyncEntry; target?: SyncEntry }
  /** `--checksum`, same size: the executor compares content and copies when it differs. */
  | { kind: 'compare'; key: string; source: SyncEntry; target: SyncEntry }
  /** `--delete`: the target has a key the source lacks. */
  | { kind: 'delete'; key: string; target: SyncEntry }
  /** Both sides have it and it is up to date. */
  | { kind: 'skip'; key: string; source: SyncEntry; target: SyncEntry };

/** How two files of the same key are compared (the AWS CLI's sync strategies, plus `checksum`). */
export type CompareMode = 'size-and-time' | 'size-only' | 'exact-timestamps' | 'checksum';

/** How {@link syncPlan} decides. */
export interface SyncPlanOptions {
  /** Which way the files go: the AWS CLI's rules for a newer or older file differ by direction. */
  direction: Direction;
  /** How same-key files are compared (default `size-and-time`, as `aws s3 sync`). */
  compare?: CompareMode;
  /** Remove target keys the source lacks. */
  delete?: boolean;
  /** `--exclude`/`--include`, applied to both sides (so excluded target keys are never deleted). */
  filter?: KeyFilter;
}

/** S3 keeps whole seconds; local mtimes are compared at that resolution too (see copyReason). */
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The AWS CLI's rule for a key on both sides (syncstrategy/base.py), or undefined when up to date.
 * - upload: copy when sizes differ or the local file is newer than the object.
 * - download: copy when sizes differ or the local file is newer than the object (the CLI sets a
 *   downloaded file's mtime to LastModified, so a newer local file was changed locally). An object
 *   replaced in S3 by one of the same size is not downloaded: that needs `--exact-timestamps`,
 *   which copies whenever the times differ.
 * Times are compared in whole seconds: the AWS CLI compares a fractional mtime with S3's whole
 * seconds, so a file written and synced within one second is uploaded again on the next run.
 */
export function copyReason(
  direction: Direction,
  source: SyncEntry,
  target: SyncEntry,
  compare: CompareMode = 'size-and-time',
): CopyReason | undefined {
  if (source.size !== target.size) return 'size';
  if (compare === 'size-only' || compare === 'checksum') return undefined;
  const src = seconds(source.lastModified);
  const dst = seconds(target.lastModified);
  if (direction === 'upload') return src > dst ? 'source-newer' : undefined;
  if (compare === 'exact-timestamps') return src !== dst ? 'time-differs' : undefined;
  return dst > src ? 'target-newer' : undefined;
}

function decide(source: SyncEntry, target: SyncEntry, options: SyncPlanOptions): SyncAction {
  const reason = copyReason(options.direction, source, target, options.compare);
  if (reason) return { kind: 'copy', key: source.key, reason, source, target };
  if (options.compare === 'checksum') return { kind: 'compare', key: source.key, source, target };
  return { kind: 'skip', key: source.key, source, target };
}

async function* filtered(entries: AsyncIterable<SyncEntry>, filter: KeyFilter | undefined) {
  let previous: string | undefined;
  for await (const entry of entries) {
    if (previous !== undefined && compareKeys(previous, entry.key) >= 0) {
      throw new Error(`sync listing out of order: "${entry.key}" came after "${previous}"`);
    }
    previous = entry.key;
    if (!filter || filter(entry.key)) yield entry;
  }
}

/**
 * The sync plan: a merge join of two listings sorted by key in S3's (UTF-8 byte) order. Pure: it
 * reads both listings once, lazily, and holds one entry of each, so it runs in constant memory
 * however many files there are. Yields one action per key present on either side (deletes only
 * with `delete`).
 */
export async function* syncPlan(
  source: AsyncIterable<SyncEntry>,
  target: AsyncIterable<SyncEntry>,
  options: SyncPlanOptions,
): AsyncGenerator<SyncAction> {
  const src = filtered(source, options.filter)[Symbol.asyncIterator]();
  const dst = filtered(target, options.filter)[Symbol.asyncIterator]();
  // Both listings start at once: the first S3 page and the local walk overlap.
  let [s, d] = await Promise.all([src.next(), dst.next()]);
  try {
    while (!s.done || !d.done) {
      const order = s.done ? 1 : d.done ? -1 : compareKeys(s.value.key, d.value.key);
      if (order < 0 && !s.done) {
        yield { kind: 'copy', key: s.value.key, reason: 'missing', source: s.value };
        s = await src.next();
      } else if (order > 0 && !d.done) {
        if (options.delete) yield { kind: 'delete', key: d.value.key, target: d.value };
        d = await dst.next();
      } else if (!s.done && !d.done) {
        yield decide(s.value, d.value, options);
        [s, d] = await Promise.all([src.next(), dst.next()]);
      }
    }
  } finally {
    // Stopped early (an abort): let both listings release what they hold.
    await Promise.all([src.return?.(), dst.return?.()]);
  }
}
