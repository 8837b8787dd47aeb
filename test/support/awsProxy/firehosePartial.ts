/**
 * A PutRecordBatch that partly fails, as Firehose does under load. The client's signature covers
 * the whole body, so the trimmed batch cannot be forwarded as it came: it is sent again by an SDK
 * client (as the caller when the proxy knows its secret, else as the administrator), and only the
 * records meant to succeed ever reach moto.
 */
import { FirehoseClient, FirehoseServiceException, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { randomUUID } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import { errorAnswer, type Answer } from './answers.js';
import type { PartialFailureFault } from './faults.js';

interface WireBatch {
  DeliveryStreamName: string;
  Records: { Data: string }[];
}

type WireEntry = { RecordId: string } | { ErrorCode: string; ErrorMessage: string };

export interface ResendTarget {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>);
}

export async function putRecordBatchPartially(
  body: Buffer,
  fault: PartialFailureFault,
  target: ResendTarget,
): Promise<Answer> {
  const batch = JSON.parse(body.toString('utf8')) as WireBatch;
  const fails = (i: number) =>
    typeof fault.failing === 'function' ? fault.failing(i) : fault.failing.includes(i);
  const passing = batch.Records.filter((_, i) => !fails(i));

  let delivered: WireEntry[] = [];
  let encrypted = false;
  if (passing.length > 0) {
    const client = new FirehoseClient({ ...target, maxAttempts: 1 });
    try {
      const out = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: batch.DeliveryStreamName,
          Records: passing.map((r) => ({ Data: Buffer.from(r.Data, 'base64') })),
        }),
      );
      delivered = (out.RequestResponses ?? []).map((r) => ({ RecordId: r.RecordId ?? '' }));
      encrypted = out.Encrypted ?? false;
    } catch (err) {
      // The whole call failed (stream unknown, access denied): the caller gets that answer.
      if (!(err instanceof FirehoseServiceException)) throw err;
      return errorAnswer('firehose', {
        code: err.name,
        message: err.message,
        status: err.$metadata.httpStatusCode ?? 400,
      });
    } finally {
      client.destroy();
    }
  }

  const failure = {
    ErrorCode: fault.errorCode ?? 'ServiceUnavailableException',
    ErrorMessage: fault.errorMessage ?? 'Slow down.',
  };
  const entries = batch.Records.map((_, i) => (fails(i) ? failure : delivered.shift()!));
  return {
    status: 200,
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify({
      FailedPutCount: entries.length - passing.length,
      Encrypted: encrypted,
      RequestResponses: entries,
    }),
  };
}
