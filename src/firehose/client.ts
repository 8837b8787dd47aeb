import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { firehoseSdk } from '../aws/sdk.js';
import type { PutRecordBatchSend } from './delivery.js';
import { FIREHOSE_CONCURRENCY } from './limits.js';

/** How long a connection may take to open, and a call to be answered. */
export interface FirehoseTimeouts {
  /** Opening a connection (TCP and TLS), in milliseconds; the default is 10 s. */
  connectionTimeoutMs: number;
  /** One PutRecordBatch call, from sent to answered, in milliseconds; the default is 120 s. */
  requestTimeoutMs: number;
}

const TIMEOUTS: FirehoseTimeouts = { connectionTimeoutMs: 10_000, requestTimeoutMs: 120_000 };

/**
 * A Firehose client for `putRecords`: the context's region, endpoint and (refreshing) credentials,
 * the SDK's own retries off (`putRecords` retries, entry by entry, and would otherwise be
 * multiplied or hidden), and timeouts so a stalled connection or call fails and is retried. The
 * SDK only warns when a call outlasts `requestTimeout` unless told to throw: without that, a
 * server that stops answering holds a put forever. Keep-alive sockets for as many calls as the
 * engine may have in flight (the SDK's default of 50 would queue the rest for a socket).
 */
export function createFirehoseClient(ctx: AwsContext, timeouts: FirehoseTimeouts = TIMEOUTS): FirehoseClient {
  return new (firehoseSdk().FirehoseClient)({
    ...clientConfig('firehose', ctx),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: FIREHOSE_CONCURRENCY.max },
      httpsAgent: { keepAlive: true, maxSockets: FIREHOSE_CONCURRENCY.max },
    },
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
