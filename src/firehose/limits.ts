import { usageError, type TempcredsError } from '../errors.js';

/** Firehose's PutRecordBatch limits (aws-facts.md), which cannot be raised, and tempcreds' defaults within them. */

/** Records per PutRecordBatch call. */
export const MAX_BATCH_RECORDS = 500;

/** Bytes per PutRecordBatch call, counting the records' decoded bytes: 4 MiB. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Bytes per record, before base64: 1,000 KiB. */
export const MAX_RECORD_BYTES = 1_000 * 1024;

/**
 * Batches in flight when the concurrency adapts to the link (no `--concurrency`): it starts at
 * 32, so that a put of 10,000 records (20 calls) goes out in one round however far away the
 * region is (measuring takes a round trip, and at 300 ms a round spent low is time lost), and
 * may grow to 64, the most `--concurrency` takes. A stream quota it exceeds answers
 * ServiceUnavailableException, and the limit comes down (`streamConcurrency`).
 */
export const FIREHOSE_CONCURRENCY = { initial: 32, max: 64 } as const;

/**
 * The most bytes of batches in flight at once: eight full calls of 4 MiB (memory: a batch is
 * held until its call is answered). More than the bandwidth-delay product of 800 Mbit/s at
 * 300 ms, so full batches fill such a link; small records never reach it.
 */
export const FIREHOSE_BYTES_IN_FLIGHT = 8 * MAX_BATCH_BYTES;

/** Calls per batch, the first included, before its records count as failed. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/** A partial batch goes out this long after its first record, however slowly the input runs. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;

/** The longest flush interval: a day (Node timers hold up to 24.8 days). */
export const MAX_FLUSH_INTERVAL_MS = 24 * 3600 * 1000;

/** `1024000` -> `1,024,000`, for messages about sizes. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/**
 * The one wording of Firehose's per-record limit, whoever finds a record over it: `subject` names
 * the record (`data.txt line 1,234`, `Record 3`), `size` is what is known of it (`1,024,001`, `more than 1,024,000`).
 */
export function recordTooLarge(
  subject: string,
  size: string,
  maxBytes: number,
  fix?: string,
): TempcredsError {
  return usageError(
    `${subject} is ${size} bytes: Firehose takes at most ${formatCount(maxBytes)} bytes per record.`,
    fix,
  );
}
