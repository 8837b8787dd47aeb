/**
 * s3 sync over an emulated wide-area link (test/support/wan/linkProxy.ts: a delay each way, a
 * bandwidth limit, the handshake's round trip, a count of connections): the concurrency that fits
 * the link grows while latency is what limits it, comes down when the service throttles, the
 * parts of a large file go out together, and connections are reused. In front of the S3 double
 * that keeps connections alive as AWS does (moto closes each one), and of moto for what S3
 * decides. Behaviour only: how fast is bench/wan's business.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsDouble, type AwsDouble } from '../../support/wan/awsDouble.js';
import { startLinkProxy, type LinkProxy, type LinkOptions } from '../../support/wan/linkProxy.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { folder, removeFolder, startS3World, REGION, type S3World } from './world.js';

const BUCKET = 'wan';
const NO_HOME = join(tmpdir(), `tempcreds-no-home-${randomUUID()}`);
const stateDir = mkdtempSync(join(tmpdir(), 'tempcreds-wan-state-'));
let double: AwsDouble;
const links: LinkProxy[] = [];
beforeAll(async () => {
  double = await startAwsDouble();
  const made = await fetch(`${double.endpoint}/${BUCKET}`, { method: 'PUT' });
  expect(made.status).toBe(200);
});
afterAll(async () => {
  await Promise.all(links.map((l) => l.stop()));
  await double?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function link(options: Omit<LinkOptions, 'target'>, target = double.endpoint): Promise<LinkProxy> {
  const made = await startLinkProxy({ target, ...options });
  links.push(made);
  return made;
}

const env = (endpoint: string, keys = { id: 'AKIDEXAMPLE', secret: 'wan-secret' }): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  // A HOME of its own, never made: not /nonexistent (nobody's home, which other tests run as).
  HOME: NO_HOME,
  AWS_CONFIG_FILE: join(NO_HOME, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(NO_HOME, 'credentials'),
  TEMPCREDS_STATE_DIR: stateDir,
  AWS_ACCESS_KEY_ID: keys.id,
  AWS_SECRET_ACCESS_KEY: keys.secret,
  AWS_REGION: REGION,
  AWS_ENDPOINT_URL: endpoint,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const files = (count: number, bytes = 1024) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`r-${String(i).padStart(4, '0')}.dat`, 'x'.repeat(bytes)]),
  );

/** The `--debug` concurrency lines: each change's from, to and reason. */
function concurrency(result: CliResult) {
  const changes = [...result.stderr.matchAll(/concurrency (\d+) -> (\d+): (\w+(?: \w+)*)/g)].map((m) => ({
    from: Number(m[1]),
    to: Number(m[2]),
    reason: m[3]!,
  }));
  const limits = [32, ...changes.map((c) => c.to)];
  return { changes, peak: Math.max(...limits), last: limits.at(-1)! };
}

const arrived = (prefix: string) =>
  [...double.s3.objects(BUCKET).keys()].filter((key) => key.startsWith(prefix)).length;

async function sync(from: string, to: string, endpoint: string, extra: string[] = []): Promise<CliResult> {
  const result = await runCli(['s3', 'sync', from, to, '--debug', ...extra], {
    env: env(endpoint),
    timeoutMs: 120_000,
  });
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  return result;
}

describe('s3 sync over an emulated wide-area link', () => {
  it('150 ms away: grows past its start, reuses its connections, and a no-op re-sync copies nothing', async () => {
    const wan = await link({ rttMs: 150 });
    const src = await folder(files(400));
    try {
      const first = await sync(src, `s3://${BUCKET}/grow/`, wan.endpoint);
      expect(arrived('grow/')).toBe(400);
      expect(first.stderr).toContain('[debug] concurrency 32: start');
      const { changes, peak } = concurrency(first);
      expect(changes[0]).toMatchObject({ from: 32, to: 128, reason: 'growing' });
      // More in flight than the start took more connections; keep-alive: no more than the most
      // requests in flight (and a couple for the listing), not one per file.
      expect(wan.stats.connections).toBeGreaterThan(32);
      expect(wan.stats.connections).toBeLessThanOrEqual(peak + 2);

      wan.resetStats();
      double.resetStats();
      await sync(src, `s3://${BUCKET}/grow/`, wan.endpoint);
      expect(double.stats.requests['s3:PutObject']).toBeUndefined();
      expect(wan.stats.connections).toBeLessThanOrEqual(2);
    } finally {
      await removeFolder(src);
    }
  });

  it('the service throttles (SlowDown above 60 requests a second): every file arrives, the concurrency comes down', async () => {
    const wan = await link({ rttMs: 100 });
    const src = await folder(files(300, 64));
    try {
      double.resetStats();
      double.setQuota({ s3: 60 });
      const result = await sync(src, `s3://${BUCKET}/throttled/`, wan.endpoint);
      expect(arrived('throttled/')).toBe(300);
      expect(double.stats.throttled.s3).toBeGreaterThan(0);
      const { changes, peak, last } = concurrency(result);
      const cuts = changes.filter((c) => c.reason === 'throttled');
      expect(cuts.length).toBeGreaterThan(0);
      for (const cut of cuts) expect(cut.to).toBe(Math.max(1, Math.floor(cut.from * 0.7)));
      // 60 a second at 100 ms: 6 in flight use the quota up.
      expect(last).toBeLessThan(peak);
      expect(last).toBeLessThanOrEqual(16);
    } finally {
      double.setQuota({});
      await removeFolder(src);
    }
  });

  it('--concurrency pins it over the link too: no change, at most that many in flight', async () => {
    const wan = await link({ rttMs: 100 });
    const src = await folder(files(60));
    try {
      double.resetStats();
      const result = await sync(src, `s3://${BUCKET}/pinned/`, wan.endpoint, ['--concurrency', '5']);
      expect(arrived('pinned/')).toBe(60);
      expect(result.stderr).toContain('[debug] concurrency 5: pinned');
      expect(concurrency(result).changes).toEqual([]);
      expect(wan.stats.connections).toBeLessThanOrEqual(5 + 2);
    } finally {
      await removeFolder(src);
    }
  });

  it('one 48 MiB file at 50 ms and 200 Mbit/s: its parts go out together, and it arrives whole', async () => {
    const wan = await link({ rttMs: 50, bitsPerSecond: 200e6 });
    const src = await folder({});
    try {
      const fd = openSync(join(src, 'capture.bin'), 'w');
      ftruncateSync(fd, 48 * 1024 * 1024);
      closeSync(fd);
      double.resetStats();
      await sync(src, `s3://${BUCKET}/big/`, wan.endpoint);
      expect(double.s3.objects(BUCKET).get('big/capture.bin')?.size).toBe(48 * 1024 * 1024);
      // Six parts of 8 MiB, all within the 96 MiB budget: they go out together (the first may be
      // done before the last is read and sent), not one after another.
      expect(double.stats.requests['s3:UploadPart']).toBe(6);
      expect(double.stats.peakInFlight['s3:UploadPart']).toBeGreaterThanOrEqual(4);
    } finally {
      await removeFolder(src);
    }
  });
});

describe('s3 sync over an emulated link to moto', () => {
  let world: S3World;
  beforeAll(async () => {
    world = await startS3World();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('80 ms away: every file arrives as S3 stores it, and the re-sync finds nothing to do', async () => {
    const wan = await link({ rttMs: 80 }, world.aws.endpoint);
    const bucket = await world.bucket();
    const src = await folder(files(120, 300));
    try {
      const cliEnv = world.cliEnv(wan.endpoint);
      const first = await runCli(['s3', 'sync', '.', `s3://${bucket}/`, '--debug'], {
        cwd: src,
        env: cliEnv,
      });
      expect(first.code, first.stderr.slice(-2000)).toBe(0);
      const objects = await world.objects(bucket);
      expect(objects.size).toBe(120);
      expect([...objects.values()].every((o) => o.size === 300)).toBe(true);
      const again = await runCli(['s3', 'sync', '.', `s3://${bucket}/`], { cwd: src, env: cliEnv });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('');
    } finally {
      await removeFolder(src);
    }
  });
});
