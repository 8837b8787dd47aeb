/**
 * S3 asking to slow down, injected through the AWS-fidelity proxy in front of moto: every file
 * still arrives, and the concurrency that fits the link comes down, also when the SDK's own
 * retries succeed (they would hide SlowDown from a policy told only of what the SDK gave up on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { runCli } from '../../support/cli.js';
import { ThrottleReports } from '../../../src/aws/throttleReports.js';
import { createS3Client } from '../../../src/s3/client.js';
import type { SyncEvent } from '../../../src/s3/events.js';
import { runSync } from '../../../src/s3/sync.js';
import { syncRequest } from '../../../src/s3/request.js';
import { folder, removeFolder, startS3World, REGION, type S3World } from './world.js';

let world: S3World;
let proxy: AwsProxy;
beforeAll(async () => {
  world = await startS3World();
  proxy = await startAwsProxy({ target: world.aws.endpoint, admin: () => world.aws.admin, region: REGION });
});
afterAll(async () => {
  await proxy?.stop();
  await world?.stop();
});

const files = (count: number) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`f-${String(i).padStart(3, '0')}.txt`, `${i}`]),
  );
const slowDown = (times: number) =>
  ({ kind: 'error', service: 's3', action: 'PutObject', code: 'SlowDown', times }) as const;
const throttledAnswers = () =>
  proxy.log.filter((e) => e.action === 'PutObject' && e.status === 503 && e.answeredByProxy).length;

describe('s3 sync under throttling', () => {
  it('the CLI: every file arrives, and --debug shows the concurrency coming down', async () => {
    const bucket = await world.bucket();
    const src = await folder(files(120));
    try {
      proxy.clearLog();
      proxy.inject(slowDown(60));
      const result = await runCli(['s3', 'sync', '.', `s3://${bucket}/`, '--debug'], {
        cwd: src,
        env: world.cliEnv(proxy.endpoint),
      });
      expect(result.code, result.stderr).toBe(0);
      expect((await world.objects(bucket)).size).toBe(120);
      expect(throttledAnswers()).toBe(60);
      expect(result.stderr).toContain('[debug] concurrency 32: start');
      const cuts = [...result.stderr.matchAll(/concurrency (\d+) -> (\d+): throttled/g)];
      expect(cuts.length).toBeGreaterThan(0);
      expect(Number(cuts[0]![1])).toBe(32);
      expect(Number(cuts[0]![2])).toBe(22);
      expect(Math.min(...cuts.map((m) => Number(m[2])))).toBeLessThan(22);
    } finally {
      proxy.clearFaults();
      await removeFolder(src);
    }
  });

  it('the library: throttles the SDK retried quietly reach the policy through ThrottleReports', async () => {
    const bucket = await world.bucket();
    const src = await folder(files(20));
    const throttling = new ThrottleReports();
    const client = createS3Client(
      { region: REGION, endpointUrl: proxy.endpoint, credentials: world.aws.admin },
      { throttling },
    );
    let heard = 0;
    const stop = throttling.on(() => heard++);
    try {
      proxy.clearLog();
      // Two refusals: the SDK's own retries (3 attempts) answer both, so no transfer step fails.
      proxy.inject(slowDown(2));
      const events: SyncEvent[] = [];
      const summary = await runSync(syncRequest(src, `s3://${bucket}/`), {
        client,
        throttling,
        onEvent: (e) => events.push(e),
      });
      expect(summary.uploaded).toBe(20);
      expect(summary.failed).toEqual([]);
      expect(heard).toBe(2);
      const changes = events.filter((e) => e.type === 'concurrency');
      expect(changes[0]).toMatchObject({ to: 32, reason: 'start' });
      expect(changes).toContainEqual(expect.objectContaining({ from: 32, to: 22, reason: 'throttled' }));
    } finally {
      stop();
      client.destroy();
      proxy.clearFaults();
      await removeFolder(src);
    }
  });

  it('--concurrency pins it: throttling changes nothing, and --debug says so', async () => {
    const bucket = await world.bucket();
    const src = await folder(files(10));
    try {
      proxy.inject(slowDown(3));
      const result = await runCli(['s3', 'sync', '.', `s3://${bucket}/`, '--debug', '--concurrency', '3'], {
        cwd: src,
        env: world.cliEnv(proxy.endpoint),
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('[debug] concurrency 3: pinned');
      expect(result.stderr).not.toMatch(/concurrency \d+ -> /);
      expect((await world.objects(bucket)).size).toBe(10);
    } finally {
      proxy.clearFaults();
      await removeFolder(src);
    }
  });
});
