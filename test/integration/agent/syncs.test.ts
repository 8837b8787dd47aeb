/** The agent's syncs (folders to S3 on a schedule, never overlapping) and its metrics for them. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/localAws.js';
import { runCli } from '../../support/cli.js';
import { BUCKET } from '../firehose/world.js';
import { startAgent, startAgentWorld, waitFor, writeConfig, type AgentWorld } from './agentWorld.js';

let world: AgentWorld;
beforeAll(async () => {
  world = await startAgentWorld();
  // moto's own S3 signature check rejects valid listings with "/" in the prefix (aws-facts.md).
  await world.aws.setEnforcement(false);
  const { accessKeyId, secretAccessKey } = world.aws.admin;
  await appendFile(
    world.home.credentialsFile,
    `\n[admin]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
  );
});
afterAll(async () => {
  await world?.stop();
});

describe('agent syncs', () => {
  it('syncs a folder to S3 again and again, never two runs at once, with figures in /metrics and status', async () => {
    const { dir, state } = await world.folder();
    const out = join(dir, 'out');
    await mkdir(join(out, 'sub'), { recursive: true });
    await writeFile(join(out, 'one.csv'), 'a,b\n');
    await writeFile(join(out, 'sub', 'two.csv'), 'c,d\n');
    await writeFile(join(out, 'skip.tmp'), 'no\n');
    const port = await freePort();
    const config = await writeConfig(
      dir,
      [
        'credentials: { profile: admin }',
        'region: us-east-1',
        `endpointUrl: ${world.aws.endpoint}`,
        `stateDir: ${state}`,
        'syncs:',
        `  - { name: up, from: ${out}, to: "s3://${BUCKET}/synced/", every: 1s, exclude: ["*.tmp"] }`,
        `http: { listen: "127.0.0.1:${port}" }`,
        '',
      ].join('\n'),
    );
    const agent = await startAgent(config, world.env);
    const s3 = new S3Client(world.aws.adminClientConfig());
    const keys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
        .map((o) => o.Key!)
        .filter((k) => k.startsWith('synced/'))
        .sort();
    await waitFor('the first run', async () => (await keys()).length === 2);
    expect(await keys()).toEqual(['synced/one.csv', 'synced/sub/two.csv']);
    await writeFile(join(out, 'three.csv'), 'e,f\n');
    await waitFor('the new file', async () => (await keys()).includes('synced/three.csv'));
    // Until a run after the new file's upload found nothing to do (status shows the last run: 0 files);
    // on a loaded machine the third run may be the one that uploaded it.
    await waitFor('a few runs, the last with nothing to do', async () => {
      const finished = agent.events('sync.finished');
      return finished.length >= 3 && finished[finished.length - 1]!.files === 0;
    });

    // Never overlapping: every start follows the previous run's end.
    const order = agent.events().filter((e) => e.event === 'sync.started' || e.event === 'sync.finished');
    order.forEach((e, i) => expect(e.event).toBe(i % 2 === 0 ? 'sync.started' : 'sync.finished'));

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^tempcreds_agent_sync_last_success\{sync="up"\} 1$/m);
    expect(
      Number(/^tempcreds_agent_sync_runs\{sync="up"\} (\d+)$/m.exec(metrics)![1]),
    ).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/^tempcreds_agent_sync_files\{sync="up"\} 3$/m);
    expect(metrics).toMatch(/^tempcreds_agent_sync_last_run_timestamp_seconds\{sync="up"\} \d+/m);
    expect(await agent.stop()).toBe(0);
    const status = await runCli(['agent', 'status', '--state-dir', state, '--output', 'text'], {
      env: world.env,
    });
    expect(status.stdout).toMatch(
      /sync up: last run \S+: ok, 0 files, 0 B; \d+ runs, 0 failed, 3 files and 12 B in all/,
    );
  }, 60_000);
});
