import type { PutRecordBatchOutput } from '@aws-sdk/client-firehose';

/** A record Firehose did not take, with the reason it gave. */
export interface FailedRecord {
  data: Uint8Array;
  errorCode: string;
  errorMessage?: string;
}

/** What one PutRecordBatch answer says about the records it was sent. */
export interface BatchOutcome {
  deliveredRecords: number;
  deliveredBytes: number;
  /** Entries with an `ErrorCode`: these, and only these, are to be sent again. */
  failed: FailedRecord[];
}

/**
 * Pairs the answer's `RequestResponses` with the records sent (same order, as the API promises).
 * An answer that cannot be paired (wrong length) while it reports failures is treated as all
 * failed: resending may duplicate, but losing records silently is worse.
 */
export function splitBatchOutput(sent: readonly Uint8Array[], output: PutRecordBatchOutput): BatchOutcome {
  const entries = output.RequestResponses ?? [];
  const failedCount = output.FailedPutCount ?? 0;
  const outcome: BatchOutcome = { deliveredRecords: 0, deliveredBytes: 0, failed: [] };
  if (entries.length !== sent.length) {
    if (failedCount === 0) {
      outcome.deliveredRecords = sent.length;
      outcome.deliveredBytes = sent.reduce((sum, data) => sum + data.length, 0);
    } else {
      outcome.failed = sent.map((data) => ({
        data,
        errorCode: 'UnpairedResponse',
        errorMessage: `FailedPutCount ${failedCount} with ${entries.length} entries for ${sent.length} records`,
      }));
    }
    return outcome;
  }
  entries.forEach((entry, i) => {
    const data = sent[i]!;
    if (entry.ErrorCode) {
      outcome.failed.push({ data, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage });
    } else {
      outcome.deliveredRecords += 1;
      outcome.deliveredBytes += data.length;
    }
  });
  return outcome;
}
