/**
 * IAM Identity Center for tests: the portal (GetRoleCredentials) and SSO-OIDC (CreateToken with
 * a refresh token) on two loopback ports, with AWS's request and response shapes (restJson1, per
 * the SSO and SSO-OIDC API references and the services' models in botocore). moto has neither.
 *
 * The portal checks the bearer token in `x-amz-sso_bearer_token` and mints real credentials for a
 * moto role: AssumeRole signed by the administrator (through the AWS-fidelity proxy when the test
 * has one, so the proxy knows them as a role session), with the user's name as the session name,
 * as AWS names SSO sessions. `login()` writes the token cache file `aws sso login` would write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsKeys } from './awsProxy.js';

/** The cache file of one login, in the fields and formats `aws sso login` (botocore) writes. */
export interface SsoTokenCache {
  startUrl: string;
  region: string;
  accessToken: string;
  /** `2026-11-28T12:00:00Z` */
  expiresAt: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: string;
  refreshToken?: string;
}

export interface SsoLogin {
  /** Where the token was written: `~/.aws/sso/cache/<sha1>.json`. */
  cacheFile: string;
  token: SsoTokenCache;
}

export interface PortalLogEntry {
  service: 'portal' | 'oidc';
  path: string;
  status: number;
  /** Request fields as AWS names them: `account_id`, `role_name` or `grantType`, `clientId`. */
  fields: Record<string, string>;
}

export interface SsoServices {
  /** For `AWS_ENDPOINT_URL_SSO`. */
  portalEndpoint: string;
  /** For `AWS_ENDPOINT_URL_SSO_OIDC`. */
  oidcEndpoint: string;
  /** Lets `user` get credentials for `roleName` (a permission set's name) in `accountId`: the moto role `roleArn`. */
  assign(user: string, accountId: string, roleName: string, roleArn: string): void;
  /**
   * What `aws sso login` does for `user`: a new access token (valid `expiresInSeconds`, default
   * 8 h), with a client registration and refresh token for the sso-session form (`sessionName`),
   * without them for the legacy form; written to the cache under `home`.
   */
  login(options: {
    home: string;
    user: string;
    startUrl: string;
    region: string;
    sessionName?: string;
    expiresInSeconds?: number;
  }): Promise<SsoLogin>;
  /** Access tokens that CreateToken issues from now on live this long (default 8 h). */
  setTokenLifetime(seconds: number): void;
  /** Credentials the portal mints from now on live this long (default 3600). */
  setCredentialLifetime(seconds: number): void;
  readonly log: ReadonlyArray<PortalLogEntry>;
  stop(): Promise<void>;
}

export interface SsoServicesOptions {
  /** Where to call AssumeRole: moto or the proxy in front of it. */
  stsEndpoint: string;
  region: string;
  /** The administrator who signs AssumeRole; a function follows `LocalAws.reset()`. */
  admin: AwsKeys | (() => AwsKeys);
}

/** `2026-11-28T12:00:00Z`, as botocore writes `expiresAt` (no fraction). */
export const ssoTimestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The cache file name `aws sso login` uses: SHA-1 of the session name (or legacy start URL). */
export function ssoCacheFile(home: string, key: string): string {
  return join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`);
}

interface Grant {
  user: string;
  expiresAt: number;
}

export async function startSsoServices(options: SsoServicesOptions): Promise<SsoServices> {
  const accessTokens = new Map<string, Grant>();
  const refreshTokens = new Map<string, { user: string; clientId: string }>();
  const clients = new Map<string, string>();
  const assignments = new Map<string, string>();
  const log: PortalLogEntry[] = [];
  let tokenLifetime = 8 * 3600;
  let credentialLifetime = 3600;
  const admin = () => (typeof options.admin === 'function' ? options.admin() : options.admin);
  const sts = new STSClient({
    region: options.region,
    endpoint: options.stsEndpoint,
    credentials: async () => admin(),
  });
  const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

  const issueAccessToken = (user: string, seconds: number) => {
    const accessToken = token('aoa');
    accessTokens.set(accessToken, { user, expiresAt: Date.now() + seconds * 1000 });
    return accessToken;
  };

  const portal = async (req: IncomingMessage, url: URL): Promise<Answer> => {
    const fields = {
      account_id: url.searchParams.get('account_id') ?? '',
      role_name: url.searchParams.get('role_name') ?? '',
    };
    if (req.method !== 'GET' || url.pathname !== '/federation/credentials') return unknownOperation(url);
    const bearer = req.headers['x-amz-sso_bearer_token'];
    const grant = typeof bearer === 'string' ? accessTokens.get(bearer) : undefined;
    if (!fields.account_id || !fields.role_name) {
      return jsonError(
        400,
        'InvalidRequestException',
        { message: 'Missing account_id or role_name' },
        fields,
      );
    }
    if (!grant || grant.expiresAt <= Date.now()) {
      return jsonError(
        401,
        'UnauthorizedException',
        { message: 'Session token not found or invalid' },
        fields,
      );
    }
    const roleArn = assignments.get(`${grant.user}|${fields.account_id}|${fields.role_name}`);
    // Not in the model, but what the portal answers for a role the user is not assigned.
    if (!roleArn) return jsonError(403, 'ForbiddenException', { message: 'No access' }, fields);
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: grant.user,
        DurationSeconds: Math.max(900, credentialLifetime),
      }),
    );
    const c = out.Credentials!;
    const expiration = Math.min(c.Expiration!.getTime(), Date.now() + credentialLifetime * 1000);
    const body = {
      roleCredentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration,
      },
    };
    return { status: 200, body, fields };
  };

  const oidc = async (req: IncomingMessage, url: URL): Promise<Answer> => {
    if (req.method !== 'POST' || url.pathname !== '/token') return unknownOperation(url);
    const input = JSON.parse((await readAll(req)) || '{}') as Record<string, string>;
    const fields = { grantType: input.grantType ?? '', clientId: input.clientId ?? '' };
    const oauth = (status: number, type: string, error: string, description: string) =>
      jsonError(status, type, { error, error_description: description }, fields);
    if (input.grantType !== 'refresh_token') {
      return oauth(400, 'UnsupportedGrantTypeException', 'unsupported_grant_type', 'Unsupported grant type');
    }
    if (!input.clientId || clients.get(input.clientId) !== input.clientSecret) {
      return oauth(401, 'InvalidClientException', 'invalid_client', 'Invalid client provided');
    }
    const refresh = input.refreshToken ? refreshTokens.get(input.refreshToken) : undefined;
    if (!refresh || refresh.clientId !== input.clientId) {
      return oauth(400, 'InvalidGrantException', 'invalid_grant', 'Invalid refresh token provided');
    }
    // Refresh tokens rotate: the one just used is spent.
    refreshTokens.delete(input.refreshToken as string);
    const refreshToken = token('aor');
    refreshTokens.set(refreshToken, refresh);
    const body = {
      accessToken: issueAccessToken(refresh.user, tokenLifetime),
      tokenType: 'Bearer',
      expiresIn: tokenLifetime,
      refreshToken,
    };
    return { status: 200, body, fields };
  };

  const portalServer = await listen(portal, 'portal', log);
  const oidcServer = await listen(oidc, 'oidc', log);

  return {
    portalEndpoint: endpointOf(portalServer),
    oidcEndpoint: endpointOf(oidcServer),
    assign(user, accountId, roleName, roleArn) {
      assignments.set(`${user}|${accountId}|${roleName}`, roleArn);
    },
    async login({ home, user, startUrl, region, sessionName, expiresInSeconds = 8 * 3600 }) {
      const now = Date.now();
      const cache: SsoTokenCache = {
        startUrl,
        region,
        accessToken: issueAccessToken(user, expiresInSeconds),
        expiresAt: ssoTimestamp(now + expiresInSeconds * 1000),
      };
      if (sessionName !== undefined) {
        const clientId = token('client');
        const clientSecret = token('secret');
        const refreshToken = token('aor');
        clients.set(clientId, clientSecret);
        refreshTokens.set(refreshToken, { user, clientId });
        Object.assign(cache, {
          clientId,
          clientSecret,
          registrationExpiresAt: ssoTimestamp(now + 90 * 86400 * 1000),
          refreshToken,
        });
      }
      const cacheFile = ssoCacheFile(home, sessionName ?? startUrl);
      await mkdir(join(home, '.aws', 'sso', 'cache'), { recursive: true, mode: 0o700 });
      await writeFile(cacheFile, JSON.stringify(cache), { mode: 0o600 });
      return { cacheFile, token: cache };
    },
    setTokenLifetime(seconds) {
      tokenLifetime = seconds;
    },
    setCredentialLifetime(seconds) {
      credentialLifetime = seconds;
    },
    get log() {
      return log;
    },
    async stop() {
      sts.destroy();
      await Promise.all([portalServer, oidcServer].map(close));
    },
  };
}

interface Answer {
  status: number;
  body: unknown;
  /** restJson1 errors name their type in this header (with the body's `message` or OAuth fields). */
  errorType?: string;
  fields: Record<string, string>;
}

function jsonError(status: number, type: string, body: unknown, fields: Record<string, string>): Answer {
  return { status, body, errorType: type, fields };
}

function unknownOperation(url: URL): Answer {
  return jsonError(404, 'UnknownOperationException', { message: `No operation at ${url.pathname}` }, {});
}

async function listen(
  handler: (req: IncomingMessage, url: URL) => Promise<Answer>,
  service: PortalLogEntry['service'],
  log: PortalLogEntry[],
): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sso');
    handler(req, url)
      .catch((err: Error): Answer => jsonError(500, 'InternalServerException', { message: err.message }, {}))
      .then((answer) => {
        log.push({ service, path: url.pathname, status: answer.status, fields: answer.fields });
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(text)),
          'x-amzn-RequestId': randomBytes(16).toString('hex'),
          ...(answer.errorType && { 'x-amzn-ErrorType': answer.errorType }),
        });
        res.end(text);
      });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return server;
}

const endpointOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function close(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  server.closeAllConnections();
  return closed;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
