/**
 * firehose put over an emulated wide-area link (test/support/wan/linkProxy.ts): the batches in
 * flight grow while latency is what limits them, come down when Firehose throttles
 * (ServiceUnavailableException, from the double's quota) with every record arriving once, and
 * `--concurrency` pins them. In front of the Firehose double that keeps connections alive, as AWS
 * does. Behaviour only: how fast is bench/wan's business.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAwsDouble, type AwsDouble } from '../../support/wan/awsDouble.js';
import { startLinkProxy, type LinkProxy } from '../../support/wan/linkProxy.js';
import { runCli, type CliResult } from '../../support/cli.js';

const STREAM = 'iot-data-collector';
const NO_HOME = join(tmpdir(), `tempcreds-no-home-${randomUUID()}`);
const work = mkdtempSync(join(tmpdir(), 'tempcreds-firehose-wan-'));
let double: AwsDouble;
const links: LinkProxy[] = [];
beforeAll(async () => {
  double = await startAwsDouble();
});
beforeEach(() => {
  double.setQuota({});
  double.resetStats();
});
afterAll(async () => {
  await Promise.all(links.map((l) => l.stop()));
  await double?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function link(rttMs: number): Promise<LinkProxy> {
  const made = await startLinkProxy({ target: double.endpoint, rttMs });
  links.push(made);
  return made;
}

/** A file of `count` numbered readings, one a line. */
function readings(count: number): string {
  const file = join(work, `readings-${count}-${randomUUID()}.txt`);
  const lines = Array.from({ length: count }, (_, i) => `{"sensor":"s-${i % 7}","reading":${i}}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function put(file: string, endpoint: string, extra: string[] = []): Promise<CliResult> {
  const result = await runCli(['firehose', 'put', STREAM, '--file', file, '--debug', ...extra], {
    env: {
      PATH: process.env.PATH,
      HOME: NO_HOME,
      AWS_CONFIG_FILE: join(NO_HOME, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(NO_HOME, 'credentials'),
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wan-secret',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeoutMs: 120_000,
  });
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  return result;
}

/** The `--debug` concurrency lines: each change's from, to and reason. */
function concurrency(result: CliResult) {
  const changes = [...result.stderr.matchAll(/concurrency (\d+) -> (\d+): (\w+(?: \w+)*)/g)].map((m) => ({
    from: Number(m[1]),
    to: Number(m[2]),
    reason: m[3]!,
  }));
  return { changes, last: [32, ...changes.map((c) => c.to)].at(-1)! };
}

describe('firehose put over a wide-area link', () => {
  it('at 100 ms the batches in flight grow past where they start, on warm connections, and every record arrives once', async () => {
    const wan = await link(100);
    // 400 calls of 50 records: enough rounds for the limit to move.
    const result = await put(readings(20_000), wan.endpoint, ['--max-batch-records', '50']);
    expect(double.stats.records[STREAM]).toBe(20_000);
    expect(result.stderr).toMatch(/20000 records, \d+ bytes, 400 calls, 0 retries, 0 failed/);
    const { changes } = concurrency(result);
    expect(changes[0]).toMatchObject({ from: 32, to: 64, reason: 'growing' });
    // One connection per call in flight (the double answers at once: the calls wait on the link),
    // reused from call to call: more than the 32 it started with, never more than the 64 it grew to.
    expect(wan.stats.connections).toBeGreaterThan(32);
    expect(wan.stats.connections).toBeLessThanOrEqual(64);
  }, 120_000);

  it('throttled (ServiceUnavailableException) at a quota, the batches in flight come down and every record arrives once', async () => {
    const wan = await link(20);
    double.setQuota({ firehose: 20 });
    const result = await put(readings(3000), wan.endpoint, [
      '--max-batch-records',
      '50',
      '--max-attempts',
      '50',
    ]);
    expect(double.stats.throttled.firehose).toBeGreaterThan(0);
    expect(double.stats.records[STREAM]).toBe(3000);
    const { changes, last } = concurrency(result);
    expect(changes[0]).toMatchObject({ from: 32, to: 22, reason: 'throttled' });
    expect(last).toBeLessThan(22);
    expect(result.stderr).toMatch(/3000 records, \d+ bytes, \d+ calls, [1-9]\d* retries, 0 failed/);
  }, 120_000);

  it('--concurrency pins the batches in flight: no change, never more at once', async () => {
    const wan = await link(50);
    const result = await put(readings(5000), wan.endpoint, [
      '--max-batch-records',
      '50',
      '--concurrency',
      '4',
    ]);
    expect(double.stats.records[STREAM]).toBe(5000);
    expect(concurrency(result).changes).toEqual([]);
    expect(wan.stats.connections).toBeLessThanOrEqual(4);
  }, 120_000);
});
