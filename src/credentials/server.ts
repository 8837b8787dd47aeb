import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { keepFresh, type FreshCredentials } from './keepFresh.js';
import { rfc3339 } from './timestamps.js';

const HOST = '127.0.0.1';
const PATH = '/credentials';

/** A running credentials endpoint, in the form the AWS SDKs' container provider reads. */
export interface CredentialsServer {
  /** `http://127.0.0.1:PORT/credentials` */
  url: string;
  /** The exact value clients send in the `Authorization` header. */
  authorizationToken: string;
  /**
   * `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`, nothing else; given
   * `tokenFile` (a file holding `authorizationToken`), `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
   * instead of the token itself (never both: the SDKs disagree on which wins).
   */
  childEnv(tokenFile?: string): Record<string, string>;
  /** Stops listening, drops open connections and stops refreshing. */
  close(): Promise<void>;
}

/** What {@link startCredentialsServer} serves, and how. */
export interface CredentialsServerOptions {
  /** Where fresh credentials come from (the role assumer). Must return session credentials. */
  credentials: AwsCredentialIdentityProvider;
  /** Renew before fewer than this many seconds remain (default 1200: botocore's 15 minutes plus a margin). */
  minTtlSeconds?: number;
  /** The clock that decides when to renew (default: the system clock). */
  now?: () => Date;
  /** The port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Failed background refreshes and server errors. Never carries a secret from this module. */
  onError?: (err: unknown) => void;
}

/**
 * The local endpoint of `tempcreds exec --server`: what ECS gives a container, on 127.0.0.1. Clients
 * (every AWS SDK and the CLI) send `GET` with `Authorization: <token>` and get
 * `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`, answered from memory while the
 * credentials are renewed in the background, well before they expire, so a child that runs for days
 * never holds expired keys and never waits on STS. Resolves once the first credentials are in hand.
 */
export async function startCredentialsServer(options: CredentialsServerOptions): Promise<CredentialsServer> {
  const fresh = await keepFresh(options);
  const authorizationToken = randomBytes(32).toString('base64url');
  const isAuthorized = tokenChecker(authorizationToken);
  let port = 0;
  const server = createServer((req, res) => {
    serve(req, res, { fresh, isAuthorized, port }).catch((err: unknown) => {
      options.onError?.(err);
      res.destroy();
    });
  });
  try {
    await listen(server, options.port ?? 0);
  } catch (err) {
    fresh.stop();
    throw err;
  }
  server.on('error', (err) => options.onError?.(err));
  port = (server.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}${PATH}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    authorizationToken,
    childEnv: (tokenFile) => ({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      ...(tokenFile === undefined
        ? { AWS_CONTAINER_AUTHORIZATION_TOKEN: authorizationToken }
        : { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }),
    }),
    close() {
      closing ??= new Promise<void>((done) => {
        fresh.stop();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface Serving {
  fresh: FreshCredentials;
  isAuthorized: (header: string | undefined) => boolean;
  /** The port listened on: the only one a `Host` header may name. */
  port: number;
}

/** The names a local client calls this endpoint by; anything else in `Host` is DNS rebinding. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * A browser tricked into calling the endpoint (DNS rebinding: evil.example resolving to 127.0.0.1)
 * sends its own host name in `Host`, and an `Origin`; SDKs send neither.
 */
function rebindingRefusal(req: IncomingMessage, port: number): string | undefined {
  if (req.headers.origin !== undefined)
    return 'Requests from a web page (with an Origin header) are refused.';
  const host = req.headers.host?.toLowerCase();
  if (!host || !LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    return `The Host header must be 127.0.0.1:${port} (or localhost:${port}).`;
  }
  return undefined;
}

async function serve(req: IncomingMessage, res: ServerResponse, serving: Serving): Promise<void> {
  req.resume();
  const { fresh, isAuthorized } = serving;
  const refused = rebindingRefusal(req, serving.port);
  if (refused) return send(res, 403, { Code: 'AccessDenied', Message: refused });
  const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
  if (path !== PATH) {
    return send(res, 404, { Code: 'NotFound', Message: `Credentials are served at ${PATH}.` });
  }
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return send(res, 405, { Code: 'MethodNotAllowed', Message: 'Only GET is supported.' });
  }
  if (!isAuthorized(req.headers.authorization)) {
    return send(res, 403, {
      Code: 'AccessDenied',
      Message: 'The Authorization header must carry the value of AWS_CONTAINER_AUTHORIZATION_TOKEN.',
    });
  }
  // A failure here was already reported through onError by the refresh that failed.
  const credentials = await fresh.current().catch(() => undefined);
  if (!credentials) {
    return send(res, 503, {
      Code: 'CredentialsUnavailable',
      Message: 'tempcreds could not renew the credentials; see its error output.',
    });
  }
  send(res, 200, {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: rfc3339(credentials.expiration),
  });
}

function send(res: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Compares digests, so that neither the content nor the length of the token leaks through timing. */
function tokenChecker(token: string): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (header) =>
    header !== undefined && timingSafeEqual(createHash('sha256').update(header).digest(), expected);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
}
