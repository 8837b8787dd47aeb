/**
 * Credentials for the long haul: sessions that live 3 seconds (the proxy rewrites their Expiration
 * and refuses them afterwards, as AWS does), and a put paced to run across more than three of them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { numberedLines, ROLE, sorted, startFirehoseWorld, STREAM, type FirehoseWorld } from './world.js';

const LIFETIME_SECONDS = 3;

describe('firehose put outlives its sessions', () => {
  let world: FirehoseWorld;
  beforeAll(async () => {
    world = await startFirehoseWorld();
  });
  afterAll(() => world?.stop());

  it('--role with 3-second sessions: every record delivered across several expiries', async () => {
    await world.clear();
    world.proxy.setSessionLifetime(LIFETIME_SECONDS);
    const lines = numberedLines(10_000, 'haul');
    const path = join(world.home.home, 'haul.txt');
    await writeFile(path, lines.join('\n'));
    const started = Date.now();
    // 20 calls of 500, one at a time, 460 ms apart: over 9 s of pauses alone, more than three lifetimes.
    const result = await runCli(
      [
        'firehose',
        'put',
        STREAM,
        '--file',
        path,
        '--append-newline',
        '--role',
        ROLE,
        '--source-profile',
        'sts_user',
      ].concat(['--concurrency', '1', '--pause-ms', '460', '--endpoint-url', world.proxy.endpoint]),
      { env: world.env },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/: 10000 records, \d+ bytes, 20 calls, 0 retries, 0 failed/);
    expect(seconds).toBeGreaterThan(3 * LIFETIME_SECONDS);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));

    const calls = world.proxy.log.filter((e) => e.action === 'PutRecordBatch');
    const assumes = world.proxy.log.filter((e) => e.action === 'AssumeRole' && e.status === 200);
    // Each call was signed by a session the proxy still honoured, and the sessions rolled over.
    expect(calls.map((e) => e.status)).toEqual(Array(20).fill(200));
    expect(assumes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((e) => e.accessKeyId)).size).toBeGreaterThanOrEqual(4);
  });
});
