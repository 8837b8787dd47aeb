/**
 * The `exec --server` endpoint, read by the AWS SDK's own container-credentials provider. The
 * credentials come from fake providers: the server's contract is with the provider interface (the
 * STS-backed provider is tested end to end elsewhere).
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { startCredentialsServer, type CredentialsServer } from '../../../src/credentials/server.js';
import { TempcredsError } from '../../../src/errors.js';

interface FakeProvider {
  provider: AwsCredentialIdentityProvider;
  /** How many times the provider was called. */
  readonly calls: number;
}

/**
 * A provider that issues call number N as key `ASIAFAKE<N>`, valid for `lifetimeSeconds` past the
 * next whole second (STS expirations are whole seconds).
 */
function fakeProvider(
  lifetimeSeconds: number,
  behaviour: { delayMs?: (call: number) => number; fails?: (call: number) => boolean } = {},
): FakeProvider {
  let calls = 0;
  const provider = async (): Promise<AwsCredentialIdentity> => {
    calls += 1;
    const call = calls;
    const delay = behaviour.delayMs?.(call) ?? 0;
    if (delay > 0) await sleep(delay);
    if (behaviour.fails?.(call)) throw new Error(`provider failure on call ${call}`);
    return {
      accessKeyId: `ASIAFAKE${call}`,
      secretAccessKey: `secret-${call}`,
      sessionToken: `token-${call}`,
      expiration: new Date(Math.ceil(Date.now() / 1000) * 1000 + lifetimeSeconds * 1000),
    };
  };
  return {
    provider,
    get calls() {
      return calls;
    },
  };
}

const servers: CredentialsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startCredentialsServer>[0]): Promise<CredentialsServer> {
  const server = await startCredentialsServer(options);
  servers.push(server);
  return server;
}

/** A request with headers fetch() will not send (`Host`), answered as status and body. */
function rawGet(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** One read by the SDK's container provider, as a child process configured by childEnv() does it. */
function sdkRead(
  server: CredentialsServer,
  token = server.authorizationToken,
): Promise<AwsCredentialIdentity> {
  return fromHttp({
    awsContainerCredentialsFullUri: server.url,
    awsContainerAuthorizationToken: token,
    maxRetries: 0,
  })();
}

interface Sample {
  at: number;
  ms: number;
  credentials: AwsCredentialIdentity;
}

async function timedRead(server: CredentialsServer): Promise<Sample> {
  const at = Date.now();
  const credentials = await sdkRead(server);
  return { at, ms: Date.now() - at, credentials };
}

/** Reads every `everyMs` until `until` says stop or `maxMs` passes. */
async function poll(
  server: CredentialsServer,
  everyMs: number,
  maxMs: number,
  until: (s: Sample) => boolean = () => false,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const sample = await timedRead(server);
    samples.push(sample);
    if (until(sample)) break;
    await sleep(everyMs);
  }
  return samples;
}

function expectNeverExpired(samples: Sample[]): void {
  for (const s of samples) {
    expect(
      s.credentials.expiration?.getTime(),
      `${s.credentials.accessKeyId} served expired`,
    ).toBeGreaterThan(s.at + s.ms);
  }
}

async function waitFor(condition: () => boolean, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('the credentials endpoint', () => {
  it('serves the provider credentials to the SDK container provider', async () => {
    const fake = fakeProvider(3600);
    const server = await start({ credentials: fake.provider });

    const got = await sdkRead(server);
    expect(got).toMatchObject({
      accessKeyId: 'ASIAFAKE1',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
    });
    expect(got.expiration?.getTime()).toBeGreaterThan(Date.now() + 3590_000);
    expect(got.expiration?.getMilliseconds()).toBe(0);
    expect(fake.calls).toBe(1);

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    expect(server.authorizationToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(server.childEnv()).toEqual({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: server.authorizationToken,
    });
  });

  it('answers with the exact container-credentials body and headers', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    const res = await fetch(server.url, { headers: { Authorization: server.authorizationToken } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('a child process with only childEnv() set gets the credentials through the default chain', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    const home = await mkdtemp(join(tmpdir(), 'tempcreds-server-home-'));
    try {
      const code = `
        import { defaultProvider } from '@aws-sdk/credential-provider-node';
        const c = await defaultProvider()();
        process.stdout.write(JSON.stringify(c));`;
      const out = await runNode(code, {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...server.childEnv(),
      });
      expect(JSON.parse(out)).toMatchObject({ accessKeyId: 'ASIAFAKE1', sessionToken: 'token-1' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('refuses a missing or wrong token with 403 AccessDenied, and the SDK fails', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'wrong' },
      { Authorization: `Bearer ${server.authorizationToken}` },
      { Authorization: server.authorizationToken.slice(0, -1) },
      { Authorization: `${server.authorizationToken}x` },
    ];
    for (const headers of attempts) {
      const res = await fetch(server.url, { headers });
      expect(res.status).toBe(403);
      const body = (await res.json()) as Record<string, string>;
      expect(body.Code).toBe('AccessDenied');
      expect(typeof body.Message).toBe('string');
      expect(JSON.stringify(body)).not.toContain('secret-1');
    }
    await expect(sdkRead(server, 'not-the-token')).rejects.toMatchObject({ Code: 'AccessDenied' });
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    const auth = { Authorization: server.authorizationToken };
    const origin = new URL(server.url).origin;
    expect((await fetch(`${origin}/`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.url}/x`, { headers: auth })).status).toBe(404);
    const post = await fetch(server.url, { method: 'POST', headers: auth });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await fetch(`${server.url}?x=1`, { headers: auth })).status).toBe(200);
  });

  it('refuses DNS rebinding: a Host that is not a loopback name with this port, and any Origin', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    const port = new URL(server.url).port;
    const get = (headers: Record<string, string>) => rawGet(server.url, headers);
    const auth = { Authorization: server.authorizationToken };
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get({ ...auth, Host: host })).status, host).toBe(200);
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1',
      `127.0.0.1:${Number(port) + 1}`,
      `127.0.0.2:${port}`,
      `localhost.evil.example:${port}`,
    ]) {
      const res = await get({ ...auth, Host: host });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).Code).toBe('AccessDenied');
      expect(res.body).not.toContain('AccessKeyId');
    }
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${port}`]) {
      const res = await get({ ...auth, Host: `127.0.0.1:${port}`, Origin: origin });
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).Message).toMatch(/Origin/);
    }
    // HTTP/1.0 allows no Host at all: refused too.
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.end(`GET /credentials HTTP/1.0\r\nAuthorization: ${server.authorizationToken}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.[01] 403 /);
    // A browser's preflight is refused the same way, and the SDK itself is unaffected.
    expect((await rawGet(server.url, { Origin: 'http://evil.example' }, 'OPTIONS')).status).toBe(403);
    await expect(sdkRead(server)).resolves.toMatchObject({ accessKeyId: 'ASIAFAKE1' });
  });

  it('childEnv(tokenFile) names the file instead of carrying the token', async () => {
    const server = await start({ credentials: fakeProvider(3600).provider });
    expect(server.childEnv('/private/token')).toEqual({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/private/token',
    });
  });

  it('renews 2-second sessions in the background: new keys keep coming, never an expired one', async () => {
    const fake = fakeProvider(2);
    const server = await start({ credentials: fake.provider });
    const started = Date.now();
    // Until the fourth set of keys: how long that takes is the machine's (a loaded CI machine saw three in
    // 5 s); the 20 s is a bound, not a measurement.
    const seen = new Set<string>();
    const samples = await poll(server, 150, 20_000, (s) => seen.add(s.credentials.accessKeyId).size >= 4);

    expectNeverExpired(samples);
    const keys = new Set(samples.map((s) => s.credentials.accessKeyId));
    expect(keys.size).toBeGreaterThanOrEqual(4);
    // Renewed at most once a second, however short the sessions.
    expect(fake.calls).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(200);
  });

  it('answers from memory, at once, while a slow refresh is running', async () => {
    const fake = fakeProvider(6, { delayMs: (call) => (call > 1 ? 3000 : 0) });
    const server = await start({ credentials: fake.provider });

    await waitFor(() => fake.calls === 2, 4000); // the background refresh has begun
    const during = await poll(server, 100, 2000);
    for (const s of during) {
      expect(s.ms).toBeLessThan(200);
      expect(s.credentials.accessKeyId).toBe('ASIAFAKE1');
    }
    expectNeverExpired(during);

    const after = await poll(server, 100, 3000, (s) => s.credentials.accessKeyId === 'ASIAFAKE2');
    expectNeverExpired(after);
    expect(after.at(-1)?.credentials.accessKeyId).toBe('ASIAFAKE2');
  });

  it('keeps serving valid keys while refreshes fail, reports each failure, and recovers', async () => {
    const errors: unknown[] = [];
    const fake = fakeProvider(5, { fails: (call) => call === 2 || call === 3 });
    const server = await start({ credentials: fake.provider, onError: (err) => errors.push(err) });

    const samples = await poll(server, 150, 8000, (s) => s.credentials.accessKeyId === 'ASIAFAKE4');
    expectNeverExpired(samples);
    expect(samples.at(-1)?.credentials.accessKeyId).toBe('ASIAFAKE4');
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'provider failure on call 2',
      'provider failure on call 3',
    ]);
    const keys = samples.map((s) => s.credentials.accessKeyId);
    expect(keys.filter((k) => k === 'ASIAFAKE1').length).toBeGreaterThan(10);
  });

  it('with nothing valid left, answers 503 while the provider fails and serves new keys once it works', async () => {
    let broken = true;
    const fake = fakeProvider(1, { fails: (call) => call > 1 && broken });
    const server = await start({ credentials: fake.provider, onError: () => undefined });

    await sleep(2200); // the first session (at most 2 s) has expired; every refresh failed
    const res = await fetch(server.url, { headers: { Authorization: server.authorizationToken } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as Record<string, string>).Code).toBe('CredentialsUnavailable');

    broken = false;
    await sleep(1100);
    const sample = await timedRead(server);
    expect(sample.credentials.accessKeyId).not.toBe('ASIAFAKE1');
    expectNeverExpired([sample]);
  });

  it('does not start when the first credentials cannot be had', async () => {
    const failing = fakeProvider(3600, { fails: () => true });
    await expect(startCredentialsServer({ credentials: failing.provider })).rejects.toThrow(
      'provider failure on call 1',
    );
    const longTerm = async () => ({ accessKeyId: 'AKIAFAKE', secretAccessKey: 'long-term' });
    await expect(startCredentialsServer({ credentials: longTerm })).rejects.toBeInstanceOf(TempcredsError);
  });

  it('close() stops listening and stops refreshing', async () => {
    const fake = fakeProvider(2);
    const server = await startCredentialsServer({ credentials: fake.provider });
    await sdkRead(server);
    await server.close();
    await server.close(); // twice is fine
    const calls = fake.calls;
    await expect(
      fetch(server.url, { headers: { Authorization: server.authorizationToken } }),
    ).rejects.toThrow();
    await sleep(2500);
    expect(fake.calls).toBe(calls);
  });
});

const REPO = resolve(import.meta.dirname, '../../..');

function runNode(code: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (status) =>
      status === 0 ? done(stdout) : fail(new Error(`node exited ${status}: ${stderr}`)),
    );
  });
}
