/** Sending records to Amazon Data Firehose: record sources, batching, and the put with retries. */
export { putRecords } from './putRecords.js';
export type { PutProgress, PutRecordsOptions, PutSummary } from './putRecords.js';
export { batchRecords, resolveLimits } from './batches.js';
export type { Batch, BatchLimits } from './batches.js';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ATTEMPTS,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECORD_BYTES,
} from './limits.js';
export { splitLines } from './lines.js';
export type { Line, SplitLinesOptions } from './lines.js';
export { fileChunks, listRecords, readRecords, scanRecords, textRecord } from './sources.js';
export type { ReadRecordsOptions, RecordFormat, ScanResult } from './sources.js';
export { decodeBase64, formatRecordLine, parseRecord } from './recordJson.js';
export { openFailedFile } from './failedFile.js';
export type { FailedFile } from './failedFile.js';
export type { FailedRecord } from './response.js';
export { backoffDelay, classifyCallError, DEFAULT_BACKOFF } from './retry.js';
export type { BackoffPolicy, CallFailure } from './retry.js';
export { createFirehoseClient } from './client.js';
