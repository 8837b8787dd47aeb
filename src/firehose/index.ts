/** Sending records to Amazon Data Firehose: record sources, batching, and the put with retries. */
export { putRecords } from './putRecords.js';
export type { PutProgress, PutRecordsOptions, PutSummary, UndeliveredReason } from './putRecords.js';
export { batchRecords, resolveFlushInterval, resolveLimits } from './batches.js';
export type { Batch, BatchLimits, BatchTiming } from './batches.js';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_ATTEMPTS,
  MAX_FLUSH_INTERVAL_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECORD_BYTES,
} from './limits.js';
export { splitLines } from './lines.js';
export type { Line, SplitLinesOptions } from './lines.js';
export { fileChunks, listRecords, readRecords, scanRecords, streamChunks, textRecord } from './sources.js';
export type { ByteStream, ReadRecordsOptions, RecordFormat, ScanResult } from './sources.js';
export { decodeBase64, formatRecordLine, parseRecord } from './recordJson.js';
export { openFailedFile } from './failedFile.js';
export type { FailedFile } from './failedFile.js';
export type { FailedRecord } from './response.js';
export { backoffDelay, classifyCallError, DEFAULT_BACKOFF } from './retry.js';
export type { BackoffPolicy, CallFailure } from './retry.js';
export { createFirehoseClient } from './client.js';
