import type { PutRecordBatchOutput } from '@aws-sdk/client-firehose';

/** A record Firehose did not take, with the reason it gave. */
export interface FailedRecord {
  /** The record's bytes. */
  data: Uint8Array;
  /** Why, in AWS's words (an entry's `ErrorCode`) or Node's (`ECONNRESET`). */
  errorCode: string;
  /** The message with it. */
  errorMessage?: string;
}

/** What one PutRecordBatch answer says about the records it was sent. */
export interface BatchOutcome {
  deliveredRecords: number;
  deliveredBytes: number;
  /** Entries with an `ErrorCode`: these, and only these, are to be sent again. */
  failed: FailedRecord[];
}

/** Which of the records sent (by position in the call) an answer accepted, and which it failed, with why. */
export interface PairedEntries {
  delivered: number[];
  failed: Array<{ position: number; errorCode: string; errorMessage?: string }>;
}

/**
 * Pairs the answer's `RequestResponses` with the `count` records sent (same order, as the API
 * promises). An answer that cannot be paired (wrong length) while it reports failures is treated
 * as all failed: resending may duplicate, but losing records silently is worse.
 */
export function pairEntries(count: number, output: PutRecordBatchOutput): PairedEntries {
  const entries = output.RequestResponses ?? [];
  const failedCount = output.FailedPutCount ?? 0;
  const paired: PairedEntries = { delivered: [], failed: [] };
  if (entries.length !== count) {
    const all = Array.from({ length: count }, (_, i) => i);
    if (failedCount === 0) paired.delivered = all;
    else {
      const errorMessage = `FailedPutCount ${failedCount} with ${entries.length} entries for ${count} records`;
      paired.failed = all.map((position) => ({ position, errorCode: 'UnpairedResponse', errorMessage }));
    }
    return paired;
  }
  entries.forEach((entry, position) => {
    if (entry.ErrorCode) {
      paired.failed.push({ position, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage });
    } else paired.delivered.push(position);
  });
  return paired;
}

/** `pairEntries` for records in hand: the delivered ones counted, the failed ones returned. */
export function splitBatchOutput(sent: readonly Uint8Array[], output: PutRecordBatchOutput): BatchOutcome {
  const { delivered, failed } = pairEntries(sent.length, output);
  return {
    deliveredRecords: delivered.length,
    deliveredBytes: delivered.reduce((sum, i) => sum + sent[i]!.length, 0),
    failed: failed.map(({ position, errorCode, errorMessage }) => ({
      data: sent[position]!,
      errorCode,
      errorMessage,
    })),
  };
}
