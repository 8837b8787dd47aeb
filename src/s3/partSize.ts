import { usageError } from '../errors.js';

/** S3's multipart limits and the AWS CLI's defaults. */
export const MiB = 1024 * 1024;
/** S3's smallest part (every part but the last): 5 MiB. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** S3's most parts in one multipart upload: 10,000. */
export const MAX_PARTS = 10_000;
/** Files of at least this many bytes are uploaded in parts (the AWS CLI's 8 MiB). */
export const DEFAULT_MULTIPART_THRESHOLD = 8 * MiB;
/** The part size asked for by default (the AWS CLI's 8 MiB), grown for files of more than 10,000 parts. */
export const DEFAULT_MULTIPART_CHUNKSIZE = 8 * MiB;

/**
 * The part size for a file: the chunk size asked for (at least 5 MiB), grown to a whole number of
 * MiB when the file would otherwise need more than 10,000 parts.
 */
export function partSizeFor(fileSize: number, chunkSize: number = DEFAULT_MULTIPART_CHUNKSIZE): number {
  let part = Math.max(chunkSize, MIN_PART_SIZE);
  if (Math.ceil(fileSize / part) > MAX_PARTS) part = Math.ceil(fileSize / MAX_PARTS / MiB) * MiB;
  return Math.min(part, MAX_PART_SIZE);
}

/** The byte ranges of a file split into parts of `partSize` (the last one shorter; one empty part for an empty file). */
export function partRanges(
  fileSize: number,
  partSize: number,
): Array<{ partNumber: number; start: number; end: number }> {
  const count = Math.max(1, Math.ceil(fileSize / partSize));
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSize,
    end: Math.min(fileSize, (i + 1) * partSize),
  }));
}

/** {@link parseSize} of a setting given as text (a flag): a usage error naming `name` when it is not a size. */
export function parseSizeArgument(text: string, name: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined)
    throw usageError(`${name} "${text}" is not a size.`, `Use bytes or a unit, e.g. ${name} 16MB.`);
  return bytes;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: MiB,
  mib: MiB,
  gb: 1024 * MiB,
  gib: 1024 * MiB,
  tb: 1024 * 1024 * MiB,
  tib: 1024 * 1024 * MiB,
};

/**
 * A size as the AWS CLI's s3 settings take it: bytes, or a number with KB/MB/GB/TB (powers of
 * 1024, as the AWS CLI reads them) or KiB/MiB/GiB/TiB. Returns undefined when it is not one.
 */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
