/** Firehose's PutRecordBatch limits (aws-facts.md). They cannot be raised. */

/** Records per PutRecordBatch call. */
export const MAX_BATCH_RECORDS = 500;

/** Bytes per PutRecordBatch call, counting the records' decoded bytes: 4 MiB. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Bytes per record, before base64: 1,000 KiB. */
export const MAX_RECORD_BYTES = 1_000 * 1024;

/** `1024000` -> `1,024,000`, for messages about sizes. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');
