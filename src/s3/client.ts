import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { partitionOfRegion } from '../aws/partition.js';
import { httpHandlerSdk, s3Sdk } from '../aws/sdk.js';
import { reportThrottling, type ThrottleReports } from '../aws/throttleReports.js';
import { isThrottling } from './retry.js';

/**
 * Keep-alive connections, one pool per endpoint: a Node agent keeps its sockets per host and
 * port, so one pair of agents serves every endpoint a process talks to, and clients given the
 * same pair share warm connections (no new TCP or TLS handshake per request where the server
 * keeps the connection open).
 */
export interface ConnectionPool {
  /** Keep-alive agent for `http://` endpoints (a local AWS). */
  readonly httpAgent: HttpAgent;
  /** Keep-alive agent for `https://` endpoints (AWS). */
  readonly httpsAgent: HttpsAgent;
  /**
   * Closes every socket. (A client's own `destroy()` closes its pool's sockets too: clients that
   * share a pool end together.)
   */
  destroy(): void;
}

/** A {@link ConnectionPool} with up to `maxSockets` sockets per endpoint (at least 50). */
export function connectionPool(maxSockets = 0): ConnectionPool {
  const sockets = Math.max(50, maxSockets);
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: sockets });
  return {
    httpAgent,
    httpsAgent,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** How {@link createS3Client} sizes and shares its connections. */
export interface S3ClientOptions {
  /** Sockets to keep per host: at least the sync's concurrency, so workers never queue for one. */
  maxSockets?: number;
  /** Connections to share with other clients (default: a pool of this client's own, of `maxSockets`). */
  connections?: ConnectionPool;
  /** Told of every attempt S3 throttled (SlowDown, 503), the SDK's own retries included. */
  throttling?: ThrottleReports;
}

/**
 * An S3 client for sync: path-style with an endpoint override (see `clientConfig`), enough keep-alive
 * sockets for the pool, and checksums only where S3 requires them, because sync sends Content-MD5
 * on every PUT itself (the integrity check the AWS CLI uses, and the MD5 ETag `--checksum` reads).
 */
export function createS3Client(ctx: AwsContext, options: S3ClientOptions = {}): S3Client {
  const { httpAgent, httpsAgent } = options.connections ?? connectionPool(options.maxSockets);
  const client = new (s3Sdk().S3Client)({
    ...clientConfig('s3', ctx),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Resolve each command's middleware once, not per request (sends without options only).
    cacheMiddleware: true,
    requestHandler: new (httpHandlerSdk().NodeHttpHandler)({ httpAgent, httpsAgent }),
  });
  if (options.throttling) reportThrottling(client, options.throttling, isThrottling);
  return client;
}

/**
 * Which S3 a client talks to, as a string: its endpoint override (a local AWS), else the
 * partition of its region (bucket names are unique within a partition). Used to tell a bucket
 * from a namesake elsewhere.
 */
export async function s3Scope(client: S3Client): Promise<string> {
  const endpoint = client.config.isCustomEndpoint ? await client.config.endpoint?.() : undefined;
  if (endpoint) return `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port ?? ''}${endpoint.path}`;
  return `partition:${partitionOfRegion(await client.config.region())}`;
}
