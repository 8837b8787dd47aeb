/**
 * A local S3 and Firehose for the WAN benchmarks: one HTTP server that keeps connections alive
 * (as AWS does; moto closes each one) and answers at once, so what is measured is the client and
 * the link. S3 is `S3Double`; Firehose takes PutRecordBatch and PutRecord for any stream and
 * counts what arrived. A quota per service (requests a second) makes it throttle as AWS does:
 * S3 answers `SlowDown` (503), Firehose `ServiceUnavailableException`, to what comes faster.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { awsError, errorAnswer } from '../awsProxy/answers.js';
import { S3Double, type Answer } from './s3Double.js';

export interface DoubleStats {
  /** TCP connections the server accepted. */
  connections: number;
  /** Requests by `service:action`. */
  requests: Record<string, number>;
  /** Requests refused for the quota, by service. */
  throttled: { s3: number; firehose: number };
  /** Records Firehose accepted, by stream. */
  records: Record<string, number>;
  /** Most requests of each `service:action` that were open at once (received, not yet answered). */
  peakInFlight: Record<string, number>;
}

export interface AwsDouble {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  readonly s3: S3Double;
  readonly stats: DoubleStats;
  /** Requests a second each service takes before it throttles (undefined: no quota). */
  setQuota(quota: { s3?: number; firehose?: number }): void;
  resetStats(): void;
  stop(): Promise<void>;
}

/** A token bucket of `perSecond` holding a tenth of a second's worth: whether one more request may pass now. */
function quotaGate(perSecond: number): () => boolean {
  const depth = Math.max(1, perSecond / 10);
  let tokens = depth;
  let at = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(depth, tokens + ((now - at) * perSecond) / 1000);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

async function readJson(req: IncomingMessage): Promise<{ DeliveryStreamName?: string; Records?: unknown[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function firehoseAnswer(action: string, body: { DeliveryStreamName?: string; Records?: unknown[] }): Answer {
  const json = (value: unknown): Answer => ({
    status: 200,
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify(value),
  });
  if (action === 'PutRecord') return json({ RecordId: randomUUID(), Encrypted: false });
  const responses = (body.Records ?? []).map(() => ({ RecordId: randomUUID() }));
  return json({ FailedPutCount: 0, Encrypted: false, RequestResponses: responses });
}

export async function startAwsDouble(): Promise<AwsDouble> {
  const s3 = new S3Double();
  const fresh = (): DoubleStats => ({
    connections: 0,
    requests: {},
    throttled: { s3: 0, firehose: 0 },
    records: {},
    peakInFlight: {},
  });
  let stats = fresh();
  const open: Record<string, number> = {};
  const gates: { s3?: () => boolean; firehose?: () => boolean } = {};
  const sockets = new Set<Socket>();

  const answer = async (
    req: IncomingMessage,
    url: URL,
    service: 's3' | 'firehose',
    action: string,
  ): Promise<Answer> => {
    stats.requests[`${service}:${action}`] = (stats.requests[`${service}:${action}`] ?? 0) + 1;
    if (gates[service] && !gates[service]()) {
      stats.throttled[service]++;
      req.resume();
      const code = service === 's3' ? 'SlowDown' : 'ServiceUnavailableException';
      return errorAnswer(service, awsError(service, code));
    }
    if (service === 's3') return s3.handle(req, url, action);
    const body = await readJson(req);
    const stream = body.DeliveryStreamName ?? '';
    const count = action === 'PutRecord' ? 1 : (body.Records?.length ?? 0);
    stats.records[stream] = (stats.records[stream] ?? 0) + count;
    return firehoseAnswer(action, body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const target = String(req.headers['x-amz-target'] ?? '');
    const service = target.startsWith('Firehose_') ? 'firehose' : 's3';
    const action = service === 'firehose' ? (target.split('.').pop() ?? '') : s3.action(req, url);
    const name = `${service}:${action}`;
    open[name] = (open[name] ?? 0) + 1;
    stats.peakInFlight[name] = Math.max(stats.peakInFlight[name] ?? 0, open[name]);
    res.on('close', () => open[name]!--);
    answer(req, url, service, action).then(
      ({ status, headers, body }) => {
        // HEAD answers carry the object's Content-Length, and no body.
        res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
  // As AWS: connections stay open between requests.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('connection', (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    s3,
    get stats() {
      return stats;
    },
    setQuota(quota) {
      gates.s3 = quota.s3 === undefined ? undefined : quotaGate(quota.s3);
      gates.firehose = quota.firehose === undefined ? undefined : quotaGate(quota.firehose);
    },
    resetStats() {
      stats = fresh();
      s3.resetStats();
    },
    async stop() {
      const closed = new Promise((r) => server.close(r));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
