import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { httpHandlerSdk, s3Sdk } from '../aws/sdk.js';

export interface S3ClientOptions {
  /** Sockets to keep per host: at least the sync's concurrency, so workers never queue for one. */
  maxSockets?: number;
}

/**
 * An S3 client for sync: path-style with an endpoint override (see `clientConfig`), enough keep-alive
 * sockets for the pool, and checksums only where S3 requires them, because sync sends Content-MD5
 * on every PUT itself (the integrity check the AWS CLI uses, and the MD5 ETag `--checksum` reads).
 */
export function createS3Client(ctx: AwsContext, options: S3ClientOptions = {}): S3Client {
  const maxSockets = Math.max(50, options.maxSockets ?? 0);
  return new (s3Sdk().S3Client)({
    ...clientConfig('s3', ctx),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Resolve each command's middleware once, not per request (sends without options only).
    cacheMiddleware: true,
    requestHandler: new (httpHandlerSdk().NodeHttpHandler)({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  });
}
