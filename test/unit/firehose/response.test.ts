import { describe, expect, it } from 'vitest';
import { splitBatchOutput } from '../../../src/firehose/response.js';

const records = [1, 2, 3].map((n) => new Uint8Array(n));

describe('splitBatchOutput', () => {
  it('counts what was delivered and returns only the entries with an ErrorCode', () => {
    const outcome = splitBatchOutput(records, {
      FailedPutCount: 1,
      RequestResponses: [
        { RecordId: 'a' },
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        { RecordId: 'c' },
      ],
    });
    expect(outcome.deliveredRecords).toBe(2);
    expect(outcome.deliveredBytes).toBe(4);
    expect(outcome.failed).toEqual([
      { data: records[1], errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' },
    ]);
  });

  it('treats an answer it cannot pair as all failed when failures are reported, all delivered when none are', () => {
    expect(splitBatchOutput(records, { FailedPutCount: 0, RequestResponses: [] }).deliveredRecords).toBe(3);
    const unpaired = splitBatchOutput(records, { FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }] });
    expect(unpaired.failed.map((f) => f.data)).toEqual(records);
  });
});
