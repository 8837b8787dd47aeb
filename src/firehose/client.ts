import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { firehoseSdk } from '../aws/sdk.js';
import type { PutRecordBatchSend } from './delivery.js';

/**
 * A Firehose client for `putRecords`: the context's region, endpoint and (refreshing) credentials,
 * the SDK's own retries off (`putRecords` retries, entry by entry, and would otherwise be
 * multiplied or hidden), and a socket timeout so a stalled connection fails and is retried.
 */
export function createFirehoseClient(ctx: AwsContext): FirehoseClient {
  return new (firehoseSdk().FirehoseClient)({
    ...clientConfig('firehose', ctx),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

/**
 * What the delivery engine needs of a client: one PutRecordBatch call, and new credentials after
 * an expired token (by default the client's own provider with `forceRefresh`: a refreshing
 * provider has usually renewed already).
 */
export function firehoseSender(client: FirehoseClient): {
  send: PutRecordBatchSend;
  refreshCredentials: () => Promise<unknown>;
} {
  const { PutRecordBatchCommand } = firehoseSdk();
  return {
    send: (input, abortSignal) => client.send(new PutRecordBatchCommand(input), { abortSignal }),
    refreshCredentials: () => client.config.credentials({ forceRefresh: true }),
  };
}
