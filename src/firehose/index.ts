/** Sending records to Amazon Data Firehose: record sources, batching, the delivery engine and the put with retries. */
export { putRecordsFrom } from './put.js';
export type { InputPosition, PutDeps, PutRequest, PutResult } from './put.js';
export { listInput, openRecordSource } from './recordSource.js';
export type { PutSource, RecordSource, Stdin } from './recordSource.js';
export { putRecords } from './putRecords.js';
export type { PutProgress, PutRecordsOptions, PutSummary, UndeliveredReason } from './putRecords.js';
export { deliverBatches } from './delivery.js';
export type {
  Batches,
  BatchSource,
  CallCounts,
  DeliveredRecords,
  DeliveryBatch,
  DeliveryOptions,
  DeliveryResult,
  DeliveryStats,
  FatalAction,
  PutRecordBatchSend,
  UndeliveredRecord,
  UndeliveredStatus,
} from './delivery.js';
export { batchRecords } from './batches.js';
export type { Batch, BatchTiming, Referenced } from './batches.js';
export { parseFlushInterval, putSettings, resolveFlushInterval, resolveLimits } from './settings.js';
export type { BatchLimits, PutSettings, PutSettingsInput, SettingNames } from './settings.js';
export { firehoseConcurrency, streamConcurrency } from './concurrency.js';
export {
  DEFAULT_FLUSH_INTERVAL_MS,
  FIREHOSE_BYTES_IN_FLIGHT,
  FIREHOSE_CONCURRENCY,
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
export { checkFailedFilePath, openFailedFile } from './failedFile.js';
export type { FailedFile, FailedFileOptions, FailedFileRecord } from './failedFile.js';
export type { FileIdentity } from './fileIdentity.js';
export type { FailedRecord } from './response.js';
export { answerLost, backoffDelay, classifyCallError, DEFAULT_BACKOFF } from './retry.js';
export type { BackoffPolicy, CallFailure } from './retry.js';
export { createFirehoseClient, firehoseSender, type FirehoseTimeouts } from './client.js';
