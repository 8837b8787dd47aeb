/**
 * The AWS console federation endpoint, as AWS runs it (test support; moto has none). `GET
 * /federation?Action=getSigninToken&Session=<JSON>[&SessionDuration=N]` checks the session's
 * credentials against moto (GetCallerIdentity through the AWS-fidelity proxy, so expired keys are
 * refused; federation tokens, which moto does not accept, against what the proxy saw STS issue)
 * and answers `{"SigninToken": "..."}`; `Action=login` redirects to the Destination. Refusals are
 * what AWS documents or what its users report: 400 for SessionDuration with a federation token, for
 * a role session that an AssumeRole signed with temporary credentials asked for with DurationSeconds,
 * and for SessionDuration on one assumed with temporary credentials at all; keys that are neither a
 * role session nor a federation token pass getSigninToken and fail at login ("Only federation
 * tokens or assume role tokens may be used for federated login."). Tokens last 15 minutes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { IssuedCredentials } from './awsProxy.js';

export interface FederationOptions {
  /** Where sessions are checked: the AWS-fidelity proxy in front of moto. */
  stsEndpoint: string;
  region: string;
  /** The partition's console host: Destination must be on it (or a subdomain). */
  consoleHost: string;
  /** How the proxy saw credentials issued (`AwsProxy.issued`). */
  issued?: (accessKeyId: string) => IssuedCredentials | undefined;
}

export interface FederationLogEntry {
  action: string;
  status: number;
  accessKeyId?: string;
  sessionDuration?: string;
  arn?: string;
  destination?: string;
  /** Why it was refused, when it was. */
  refusal?: string;
}

export interface SigninTokenRecord {
  arn: string;
  kind: 'role' | 'federation' | 'other';
  issuedAt: number;
  sessionDuration?: number;
}

export interface FederationServer {
  /** `http://127.0.0.1:PORT/federation`, for TEMPCREDS_FEDERATION_URL. */
  url: string;
  readonly log: ReadonlyArray<FederationLogEntry>;
  /** Every sign-in token issued, and for whom. */
  readonly tokens: ReadonlyMap<string, SigninTokenRecord>;
  stop(): Promise<void>;
}

const TOKEN_LIFETIME_MS = 15 * 60_000;

/** AWS's 400 page for a getSigninToken it will not serve (as its users quote it). */
const INVALID_CREDENTIALS = `<html><head><title>400 Bad Request</title></head><body><h1>HTTP Status 400</h1><p><b>message</b> <u>Invalid credentials parameter</u></p><p><b>description</b> <u>The request sent by the client was syntactically incorrect.</u></p></body></html>`;

interface Session {
  sessionId: string;
  sessionKey: string;
  sessionToken: string;
}

export async function startFederation(options: FederationOptions): Promise<FederationServer> {
  const log: FederationLogEntry[] = [];
  const tokens = new Map<string, SigninTokenRecord>();

  const signinToken = async (q: URLSearchParams, entry: FederationLogEntry): Promise<[number, string]> => {
    const session = parseSession(q.get('Session'));
    entry.accessKeyId = session?.sessionId;
    const duration = q.get('SessionDuration') ?? undefined;
    entry.sessionDuration = duration;
    if (!session) return refuse(entry, 'no Session JSON');
    if (duration !== undefined && !(/^\d+$/.test(duration) && +duration >= 900 && +duration <= 43_200)) {
      return refuse(entry, 'SessionDuration outside 900..43200');
    }
    const identity = await checkSession(session, options);
    if (!identity) return refuse(entry, 'credentials refused');
    entry.arn = identity.arn;
    const kind = /:assumed-role\//.test(identity.arn)
      ? 'role'
      : /:federated-user\//.test(identity.arn)
        ? 'federation'
        : 'other';
    const made = identity.issued;
    if (kind === 'federation' && duration !== undefined)
      return refuse(entry, 'SessionDuration with a federation token');
    if (kind === 'role' && made?.signedWithSession && made.durationSecondsGiven) {
      return refuse(entry, 'AssumeRole with DurationSeconds signed with temporary credentials');
    }
    if (kind === 'role' && made?.signedWithSession && duration !== undefined) {
      return refuse(entry, 'SessionDuration for a role assumed with temporary credentials');
    }
    const token = randomBytes(96).toString('base64url');
    tokens.set(token, {
      arn: identity.arn,
      kind,
      issuedAt: Date.now(),
      ...(duration !== undefined && { sessionDuration: Number(duration) }),
    });
    return [200, JSON.stringify({ SigninToken: token })];
  };

  const login = (q: URLSearchParams, entry: FederationLogEntry): [number, string, string?] => {
    const record = tokens.get(q.get('SigninToken') ?? '');
    const destination = q.get('Destination') ?? '';
    entry.destination = destination;
    entry.arn = record?.arn;
    if (!record || Date.now() - record.issuedAt > TOKEN_LIFETIME_MS)
      return refuse(entry, 'sign-in token unknown or expired');
    if (record.kind === 'other') {
      return refuse(entry, 'Only federation tokens or assume role tokens may be used for federated login.');
    }
    let host = '';
    try {
      const url = new URL(destination);
      host = url.protocol === 'https:' ? url.hostname : '';
    } catch {
      host = '';
    }
    if (host !== options.consoleHost && !host.endsWith(`.${options.consoleHost}`)) {
      return refuse(entry, 'Destination is not on the console');
    }
    entry.status = 302;
    return [302, '', destination];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://federation');
    const entry: FederationLogEntry = { action: url.searchParams.get('Action') ?? '', status: 400 };
    let answer: [number, string, string?] = refuse(entry, 'unknown action');
    if (req.method !== 'GET' || url.pathname !== '/federation') answer = refuse(entry, 'not GET /federation');
    else if (entry.action === 'getSigninToken') answer = await signinToken(url.searchParams, entry);
    else if (entry.action === 'login') answer = login(url.searchParams, entry);
    const [status, body, location] = answer;
    entry.status = status;
    log.push(entry);
    res.writeHead(status, {
      'Content-Type': status === 200 ? 'application/json' : 'text/html',
      ...(location !== undefined && { Location: location }),
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`federation: ${err.message}`);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation`,
    log,
    tokens,
    async stop() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}

function refuse(entry: FederationLogEntry, why: string): [number, string] {
  entry.refusal = why;
  return [400, INVALID_CREDENTIALS];
}

function parseSession(text: string | null): Session | undefined {
  try {
    const s = JSON.parse(text ?? '') as Partial<Session>;
    const ok = [s.sessionId, s.sessionKey, s.sessionToken].every((v) => typeof v === 'string' && v !== '');
    return ok ? (s as Session) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who the credentials are, if they are valid: a federation token by what STS issued (moto does
 * not accept its keys), anything else by GetCallerIdentity (AccessDenied still proves the
 * signature, and names the caller).
 */
async function checkSession(
  session: Session,
  options: FederationOptions,
): Promise<{ arn: string; issued?: IssuedCredentials } | undefined> {
  const issued = options.issued?.(session.sessionId);
  if (issued?.action === 'GetFederationToken') {
    const same =
      issued.secretAccessKey === session.sessionKey && issued.sessionToken === session.sessionToken;
    const live = issued.expiresAt === undefined || Date.now() < issued.expiresAt;
    return same && live && issued.arn ? { arn: issued.arn, issued } : undefined;
  }
  const sts = new STSClient({
    region: options.region,
    endpoint: options.stsEndpoint,
    credentials: {
      accessKeyId: session.sessionId,
      secretAccessKey: session.sessionKey,
      sessionToken: session.sessionToken,
    },
    maxAttempts: 1,
  });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { arn: out.Arn ?? '', issued };
  } catch (err) {
    const denied = /User: (arn:\S+) is not authorized/.exec((err as Error).message)?.[1];
    return (err as Error).name === 'AccessDenied' && denied ? { arn: denied, issued } : undefined;
  } finally {
    sts.destroy();
  }
}
