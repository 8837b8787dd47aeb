/** Connections: one keep-alive pool per endpoint, shared by the clients given it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionPool, createS3Client } from '../../../src/s3/client.js';

const EMPTY_LISTING =
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>';

let server: Server;
let endpoint: string;
let connections = 0;
beforeAll(async () => {
  // An S3 that keeps connections open, as AWS does (moto closes each one).
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(EMPTY_LISTING);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((closed) => server.close(closed)));

const context = () => ({
  region: 'us-east-1',
  endpointUrl: endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const list = (client: ReturnType<typeof createS3Client>) =>
  client.send(new ListObjectsV2Command({ Bucket: 'b' }));

describe('createS3Client connections', () => {
  it('keeps one connection alive across requests, and two clients given one pool share it', async () => {
    connections = 0;
    const pool = connectionPool(4);
    const first = createS3Client(context(), { connections: pool });
    const second = createS3Client(context(), { connections: pool });
    try {
      for (let i = 0; i < 5; i++) {
        await list(first);
        await list(second);
      }
      expect(connections).toBe(1);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it('without a pool given, each client has its own', async () => {
    connections = 0;
    const first = createS3Client(context());
    const second = createS3Client(context());
    try {
      await list(first);
      await list(second);
      await list(first);
      expect(connections).toBe(2);
    } finally {
      first.destroy();
      second.destroy();
    }
  });
});
