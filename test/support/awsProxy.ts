/**
 * An AWS-fidelity proxy in front of moto (test support). Requests go through byte for byte, Host
 * included (moto verifies the SigV4 signature, which covers it), except where moto and AWS differ:
 * MaxSessionDuration and the role-chaining cap on AssumeRole, credential expiry, and the throttling,
 * partial failures and dropped connections that tests inject.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { awsError, errorAnswer, expiredTokenError, type Answer } from './awsProxy/answers.js';
import { createFaultQueue, type Fault } from './awsProxy/faults.js';
import { putRecordBatchPartially } from './awsProxy/firehosePartial.js';
import { describeRequest, signingScope, type ServiceName } from './awsProxy/request.js';
import {
  assumeRoleRefusal,
  createSessionBook,
  issuesCredentials,
  type IssuedCredentials,
} from './awsProxy/sessions.js';
import { createSessionShapeCheck } from './awsProxy/sessionShape.js';

export type { ErrorFault, Fault, NetworkFault, PartialFailureFault } from './awsProxy/faults.js';
export type { ServiceName } from './awsProxy/request.js';
export type { IssuedCredentials } from './awsProxy/sessions.js';

export interface ProxyLogEntry {
  service: ServiceName;
  /** `AssumeRole`, `PutRecordBatch`, `PutObject`, ... */
  action: string;
  /** The key that signed the request; undefined for unsigned requests. */
  accessKeyId: string | undefined;
  /** The HTTP status the client got; undefined when the connection was dropped (network fault). */
  status: number | undefined;
  /** The proxy answered itself (fault, expired key, AWS-only validation) instead of passing moto's answer on. */
  answeredByProxy: boolean;
  /** Parameters of awsQuery calls (STS, IAM), e.g. `DurationSeconds`, `TokenCode`; empty for the others. */
  params: Record<string, string>;
}

export interface AwsProxy {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /**
   * From now on, credentials issued by AssumeRole, GetSessionToken and GetFederationToken expire
   * after `seconds` (their `<Expiration>` is rewritten); undefined leaves moto's answer alone.
   * Either way a key is refused with `ExpiredToken` once the Expiration it was issued with has passed.
   */
  setSessionLifetime(seconds: number | undefined): void;
  /**
   * AWS unreachable for `ms`: open connections are cut and new ones refused (ECONNREFUSED: nothing
   * listens on the port), then the proxy listens on the same port again. Resolves when it is back.
   */
  outage(ms: number): Promise<void>;
  /** Queue a fault: the next `times` (default 1) requests matching service/action get it instead of moto's answer. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Credentials the proxy saw STS (or IAM) issue, and how the issuing call was made. */
  issued(accessKeyId: string): IssuedCredentials | undefined;
  /** Every request seen, in the order their answers completed. */
  readonly log: ReadonlyArray<ProxyLogEntry>;
  clearLog(): void;
  stop(): Promise<void>;
}

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsProxyOptions {
  /** moto's endpoint, `http://127.0.0.1:PORT`. */
  target: string;
  /** Administrator keys, to read roles; pass `() => aws.admin` to follow `LocalAws.reset()`. */
  admin: AwsKeys | (() => AwsKeys);
  /** Region for the proxy's own IAM calls (default us-east-1). */
  region?: string;
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const target = new URL(options.target);
  const region = options.region ?? 'us-east-1';
  const admin = async () => (typeof options.admin === 'function' ? options.admin() : options.admin);
  const iam = new IAMClient({ region, endpoint: options.target, credentials: admin });
  const faults = createFaultQueue();
  const sessions = createSessionBook();
  const sessionShapeRefusal = createSessionShapeCheck(iam);
  const log: ProxyLogEntry[] = [];
  let lifetimeSeconds: number | undefined;

  // Read at every AssumeRole, never cached: tests change MaxSessionDuration with UpdateRole.
  const maxSessionDuration = async (roleName: string) => {
    try {
      return (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.MaxSessionDuration ?? 3600;
    } catch {
      return undefined; // unknown role: moto has already answered for it
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const scope = signingScope(req, url);
    entry.accessKeyId = scope?.accessKeyId;
    // S3 bodies stream; the rest are small and needed whole (awsQuery action, Firehose records).
    const body = scope?.service === 's3' ? undefined : await readAll(req);
    const { service, action, params } = describeRequest(req, url, scope, body);
    Object.assign(entry, { service, action, params: Object.fromEntries(params) });

    const fault = faults.take(service, action);
    if (fault?.kind === 'network' && fault.answerLost) {
      entry.answeredByProxy = true;
      return forwardThenDrop(target, req, body, res);
    }
    if (fault || sessions.isExpired(scope?.accessKeyId)) {
      entry.answeredByProxy = true;
      if (fault?.kind === 'network') return void req.socket.destroy();
      await drain(req);
      if (fault?.kind === 'error')
        return send(res, errorAnswer(service, awsError(service, fault.code, fault)));
      if (fault?.kind === 'partialFailure') {
        // Re-sent as the caller when its secret was seen issued, so moto still checks its permissions.
        const credentials = sessions.get(scope?.accessKeyId) ?? admin;
        const resend = { endpoint: options.target, region: scope?.region ?? region, credentials };
        return send(res, await putRecordBatchPartially(body!, fault, resend));
      }
      return send(res, errorAnswer(service, expiredTokenError(service)));
    }
    if (!issuesCredentials(service, action)) return forward(target, req, body, res);

    const signedBy = sessions.get(scope?.accessKeyId);
    return forward(target, req, body, res, async (status, text) => {
      if (status !== 200) return text;
      // moto has authenticated and authorized the call; refuse now what AWS would refuse as well.
      const refusal =
        action === 'AssumeRole' ? await assumeRoleRefusal(params, signedBy, maxSessionDuration) : undefined;
      if (refusal) {
        entry.answeredByProxy = true;
        return errorAnswer('sts', { code: 'ValidationError', status: 400, message: refusal });
      }
      // Tags, SourceIdentity and session policies, which moto takes unchecked.
      const shapeRefused =
        action === 'AssumeRole' ? await sessionShapeRefusal(params, scope?.accessKeyId, signedBy) : undefined;
      if (shapeRefused) {
        entry.answeredByProxy = true;
        return errorAnswer('sts', shapeRefused);
      }
      return sessions.learn(action, text, lifetimeSeconds, undefined, {
        signedWithSession: req.headers['x-amz-security-token'] !== undefined,
        durationSecondsGiven: params.has('DurationSeconds'),
      });
    });
  };

  const server = createServer((req, res) => {
    const entry: ProxyLogEntry = {
      service: 'other',
      action: '',
      accessKeyId: undefined,
      status: undefined,
      answeredByProxy: false,
      params: {},
    };
    handle(req, res, entry)
      .catch((err: Error) => {
        if (res.headersSent) return void res.destroy(err);
        entry.answeredByProxy = true;
        send(res, {
          status: 502,
          headers: { 'Content-Type': 'text/plain' },
          body: `awsProxy: ${err.message}`,
        });
      })
      .finally(() => {
        entry.status = res.headersSent ? res.statusCode : undefined;
        log.push(entry);
      });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    async outage(ms) {
      const closed = new Promise((r) => server.close(r));
      for (const socket of sockets) socket.destroy();
      await closed;
      await new Promise((r) => setTimeout(r, ms));
      await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
    },
    setSessionLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
    inject: (fault) => faults.add(fault),
    issued: (accessKeyId) => sessions.get(accessKeyId),
    clearFaults: () => faults.clear(),
    get log() {
      return log;
    },
    clearLog() {
      log.length = 0;
    },
    async stop() {
      iam.destroy();
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Sends the request to moto as it came (method, path, every header, body); `onAnswer` gets moto's answer. */
function sendUpstream(
  target: URL,
  req: IncomingMessage,
  body: Buffer | undefined,
  onAnswer: (answer: IncomingMessage) => void,
  fail: (err: Error) => void,
): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.rawHeaders },
    (answer) => {
      answer.on('error', fail);
      onAnswer(answer);
    },
  );
  upstream.on('error', fail);
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

/**
 * Sends the request to moto as it came. Without `rewrite`, moto's answer streams back as it is;
 * with it, the answer is buffered and `rewrite` may replace its body (a string, sent with moto's
 * status and headers) or the whole answer.
 */
export function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer | undefined,
  res: ServerResponse,
  rewrite?: (status: number, body: string) => Promise<Answer | string>,
): Promise<void> {
  return new Promise<void>((done, fail) => {
    const onAnswer = (answer: IncomingMessage) => {
      const status = answer.statusCode ?? 502;
      if (!rewrite) {
        res.once('close', done); // after the last byte, or when the client went away
        res.writeHead(status, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
        return;
      }
      readAll(answer)
        .then((raw) => rewrite(status, raw.toString('utf8')))
        .then((out) => {
          if (typeof out !== 'string') return send(res, out);
          const headers = answer.rawHeaders.filter(
            (_, i, all) => !FRAMING.has(all[i - (i % 2)]!.toLowerCase()),
          );
          res.writeHead(status, answer.statusMessage, [
            ...headers,
            'Content-Length',
            String(Buffer.byteLength(out)),
          ]);
          res.end(out);
        })
        .then(done, fail);
    };
    sendUpstream(target, req, body, onAnswer, fail);
  });
}

/**
 * Sends the request to moto as it came and waits for moto's whole answer, then destroys the
 * client's connection: the call was carried out, and its answer is lost.
 */
function forwardThenDrop(target: URL, req: IncomingMessage, body: Buffer | undefined, res: ServerResponse) {
  return new Promise<void>((done, fail) => {
    const onAnswer = (answer: IncomingMessage) => {
      answer.resume();
      answer.on('end', () => {
        res.destroy();
        req.socket.destroy();
        done();
      });
    };
    sendUpstream(target, req, body, onAnswer, fail);
  });
}

/** Headers that describe the framing of moto's body, replaced when the proxy rewrites it. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads what is left of a request the proxy answers itself, so the client can finish sending. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await new Promise((r) => req.once('end', r));
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, {
    ...answer.headers,
    'Content-Length': String(Buffer.byteLength(answer.body)),
  });
  res.end(answer.body);
}
