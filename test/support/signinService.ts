/**
 * AWS Sign-In's token endpoint for `aws login` sessions, for tests: CreateOAuth2Token
 * (`POST /v1/token`, restJson1, camelCase as the AWS CLI and SDKs send it) with the refresh-token
 * grant. As AWS does, it requires a DPoP proof (RFC 9449: an ES256 JWT over the method and URL,
 * signed with the key the session was bound to at login) and rotates refresh tokens. It mints real
 * moto credentials (AssumeRole of the console role, signed by the administrator through the
 * proxy), answering `{ accessToken: { accessKeyId, secretAccessKey, sessionToken }, tokenType,
 * expiresIn, refreshToken }`. moto has no Sign-In.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsKeys } from './awsProxy.js';
import { ssoTimestamp } from './ssoPortal.js';

/** The cache file `aws login` writes: `~/.aws/login/cache/<sha256 of login_session>.json`. */
export interface LoginTokenCache {
  accessToken: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    accountId: string;
    expiresAt: string;
  };
  tokenType: string;
  clientId: string;
  refreshToken: string;
  idToken: string;
  dpopKey: string;
  signInRegion?: string;
}

export interface SigninLogEntry {
  status: number;
  /** The `error` AWS answered with (`TOKEN_EXPIRED`, `INVALID_DPOP_PROOF`), when it refused. */
  error?: string;
}

export interface SigninService {
  /** For `AWS_ENDPOINT_URL_SIGNIN`. */
  endpoint: string;
  /**
   * What `aws login` does: a console session of `roleArn` (in AWS the console identity; here a
   * moto role), its credentials valid `expiresInSeconds` (AWS: 900), bound to a new DPoP key.
   */
  login(options: {
    home: string;
    loginSession: string;
    roleArn: string;
    accountId: string;
    expiresInSeconds?: number;
  }): Promise<{ cacheFile: string; token: LoginTokenCache }>;
  /** Ends every session's refresh token, as a sign-out or a 12-hour session end does. */
  expireSessions(): void;
  readonly log: ReadonlyArray<SigninLogEntry>;
  stop(): Promise<void>;
}

const CLIENT_ID = 'arn:aws:signin:::devtools/same-device';

/** The cache file name `aws login` uses: SHA-256 of the login_session value. */
export function loginCacheFile(home: string, loginSession: string): string {
  return join(
    home,
    '.aws',
    'login',
    'cache',
    `${createHash('sha256').update(loginSession).digest('hex')}.json`,
  );
}

export async function startSigninService(options: {
  stsEndpoint: string;
  region: string;
  admin: AwsKeys | (() => AwsKeys);
}): Promise<SigninService> {
  const admin = () => (typeof options.admin === 'function' ? options.admin() : options.admin);
  const sts = new STSClient({
    region: options.region,
    endpoint: options.stsEndpoint,
    credentials: async () => admin(),
  });
  const sessions = new Map<string, { roleArn: string; thumbprint: string }>();
  const seenProofs = new Set<string>();
  const log: SigninLogEntry[] = [];

  const mint = async (roleArn: string) => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'console', DurationSeconds: 900 }),
    );
    return out.Credentials!;
  };
  const refreshToken = (roleArn: string, thumbprint: string) => {
    const value = `ASOR${randomBytes(24).toString('base64url')}`;
    sessions.set(value, { roleArn, thumbprint });
    return value;
  };

  const handle = async (
    req: IncomingMessage,
    url: string,
  ): Promise<{ status: number; body: unknown; type?: string }> => {
    const refuse = (status: number, type: string, error: string, message: string) => ({
      status,
      type,
      body: { error, message },
    });
    if (req.method !== 'POST' || !url.endsWith('/v1/token'))
      return refuse(404, 'ValidationException', 'NOT_FOUND', 'No such operation');
    const input = JSON.parse(await readAll(req)) as Record<string, string>;
    if (input.grantType !== 'refresh_token' || input.clientId !== CLIENT_ID) {
      return refuse(400, 'ValidationException', 'INVALID_REQUEST', 'Unsupported client or grant');
    }
    const proof = checkDpop(req.headers.dpop, url, seenProofs);
    if (typeof proof === 'string') return refuse(400, 'ValidationException', 'INVALID_DPOP_PROOF', proof);
    const session = sessions.get(input.refreshToken ?? '');
    if (!session) return refuse(400, 'AccessDeniedException', 'TOKEN_EXPIRED', 'Your session has expired');
    if (session.thumbprint !== proof.thumbprint) {
      return refuse(400, 'ValidationException', 'INVALID_DPOP_PROOF', 'DPoP key does not match the session');
    }
    sessions.delete(input.refreshToken as string);
    const c = await mint(session.roleArn);
    return {
      status: 200,
      body: {
        accessToken: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
        },
        tokenType: 'aws_sigv4',
        expiresIn: 900,
        refreshToken: refreshToken(session.roleArn, proof.thumbprint),
      },
    };
  };

  const server: Server = createServer((req, res) => {
    const host = `http://${req.headers.host}`;
    handle(req, `${host}${req.url}`)
      .catch((err: Error) => ({
        status: 500,
        type: 'InternalServerException',
        body: { error: 'server_error', message: err.message },
      }))
      .then((answer) => {
        const body = answer.body as { error?: string };
        log.push({ status: answer.status, ...(answer.status !== 200 && { error: body.error }) });
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(text)),
          ...(answer.type && { 'x-amzn-ErrorType': answer.type }),
        });
        res.end(text);
      });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async login({ home, loginSession, roleArn, accountId, expiresInSeconds = 900 }) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const c = await mint(roleArn);
      const token: LoginTokenCache = {
        accessToken: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
          accountId,
          expiresAt: ssoTimestamp(Date.now() + expiresInSeconds * 1000),
        },
        tokenType: 'aws_sigv4',
        clientId: CLIENT_ID,
        refreshToken: refreshToken(roleArn, thumbprint(publicKey.export({ format: 'jwk' }))),
        idToken: 'eyJhbGciOiJub25lIn0.e30.',
        dpopKey: privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
        signInRegion: options.region,
      };
      const cacheFile = loginCacheFile(home, loginSession);
      await mkdir(join(home, '.aws', 'login', 'cache'), { recursive: true, mode: 0o700 });
      await writeFile(cacheFile, JSON.stringify(token, null, 2), { mode: 0o600 });
      return { cacheFile, token };
    },
    expireSessions: () => sessions.clear(),
    get log() {
      return log;
    },
    async stop() {
      sts.destroy();
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** RFC 7638 thumbprint of an EC public key. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Checks a DPoP proof for this request; returns its key's thumbprint, or why it is refused. */
function checkDpop(
  header: string | string[] | undefined,
  url: string,
  seen: Set<string>,
): { thumbprint: string } | string {
  if (typeof header !== 'string') return 'DPoP proof missing';
  const [head, payload, signature] = header.split('.');
  if (!head || !payload || !signature) return 'DPoP proof is not a JWT';
  const h = JSON.parse(Buffer.from(head, 'base64url').toString()) as {
    typ?: string;
    alg?: string;
    jwk?: JsonWebKey;
  };
  const p = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    jti?: string;
    htm?: string;
    htu?: string;
    iat?: number;
  };
  if (h.typ !== 'dpop+jwt' || h.alg !== 'ES256' || h.jwk?.kty !== 'EC' || h.jwk.crv !== 'P-256')
    return 'DPoP header invalid';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: h.jwk, format: 'jwk' });
  } catch {
    return 'DPoP key invalid';
  }
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'DPoP signature invalid';
  if (p.htm !== 'POST' || p.htu !== url) return `DPoP proof is for ${p.htm} ${p.htu}, not POST ${url}`;
  if (!p.jti || seen.has(p.jti)) return 'DPoP proof replayed';
  if (typeof p.iat !== 'number' || Math.abs(Date.now() / 1000 - p.iat) > 300) return 'DPoP proof too old';
  seen.add(p.jti);
  return { thumbprint: thumbprint(h.jwk) };
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
