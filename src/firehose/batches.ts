import { usageError } from '../errors.js';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES, formatCount } from './limits.js';

/** One PutRecordBatch call's worth of records. */
export interface Batch {
  records: Uint8Array[];
  /** Sum of the records' sizes (decoded bytes, as Firehose counts them). */
  bytes: number;
  /** 0-based position of the first record in the whole input. */
  first: number;
}

export interface BatchLimits {
  /** At most 500 (Firehose's limit). */
  maxRecords?: number;
  /** At most 4 MiB (Firehose's limit). */
  maxBytes?: number;
  /** At most 1,024,000 (Firehose's limit). */
  maxRecordBytes?: number;
}

/** Limits within Firehose's own; smaller ones are for tests and small batches. */
export function resolveLimits(limits: BatchLimits = {}): Required<BatchLimits> {
  const pick = (value: number | undefined, max: number, what: string) => {
    if (value === undefined) return max;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw usageError(`${what} must be a whole number from 1 to ${formatCount(max)}, not ${value}.`);
    }
    return value;
  };
  return {
    maxRecords: pick(limits.maxRecords, MAX_BATCH_RECORDS, 'records per batch'),
    maxBytes: pick(limits.maxBytes, MAX_BATCH_BYTES, 'bytes per batch'),
    maxRecordBytes: pick(limits.maxRecordBytes, MAX_RECORD_BYTES, 'bytes per record'),
  };
}

/**
 * Groups records into batches as full as the limits allow, in input order: a batch closes when
 * one more record would exceed the record count or the byte total. A record over the per-record
 * limit is refused (naming its position) before its batch is yielded.
 */
export async function* batchRecords(
  records: AsyncIterable<Uint8Array>,
  limits: BatchLimits = {},
): AsyncGenerator<Batch> {
  const { maxRecords, maxBytes, maxRecordBytes } = resolveLimits(limits);
  let batch: Batch = { records: [], bytes: 0, first: 0 };
  let index = 0;
  for await (const data of records) {
    if (data.length > maxRecordBytes) {
      throw usageError(
        `Record ${formatCount(index + 1)} is ${formatCount(data.length)} bytes: Firehose takes at most ${formatCount(maxRecordBytes)} bytes per record.`,
        'Split that record.',
      );
    }
    if (batch.records.length === maxRecords || batch.bytes + data.length > maxBytes) {
      yield batch;
      batch = { records: [], bytes: 0, first: index };
    }
    batch.records.push(data);
    batch.bytes += data.length;
    index += 1;
  }
  if (batch.records.length > 0) yield batch;
}
