/**
 * The agent against AWS behaving badly, through the AWS-fidelity proxy: AWS unreachable for 30 s,
 * sessions of 3 s, a full spool, throttling and partial failures, a stream that does not exist.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../support/localAws.js';
import { BUCKET, numberedLines, partlyFailing, sorted, throttled } from '../firehose/world.js';
import {
  agentConfig,
  startAgent,
  startAgentWorld,
  STREAM,
  waitFor,
  writeConfig,
  type AgentWorld,
} from './agentWorld.js';

let world: AgentWorld;
beforeAll(async () => {
  world = await startAgentWorld();
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await world.clear();
});
/** An outage a failed test started ends before the next test starts. */
let outage: Promise<void> | undefined;
afterEach(async () => {
  await outage;
});
const startOutage = (ms: number) => (outage = world.proxy.outage(ms));

/** A config through the proxy with one flow on `logs/*.log` and /health + /metrics on `port`. */
async function setUp(flowExtra = '', extra = '', stream = STREAM) {
  const { dir, logs, state } = await world.folder();
  const port = await freePort();
  const flows = `  - { name: readings, files: ["${join(logs, '*.log')}"], deliveryStream: ${stream}, startAt: beginning, flushInterval: 200ms${flowExtra} }`;
  const config = await writeConfig(
    dir,
    agentConfig({
      endpoint: world.proxy.endpoint,
      state,
      flows,
      extra: `http: { listen: "127.0.0.1:${port}" }\n${extra}`,
    }),
  );
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const metric = async (name: string) => {
    const { text } = await get('/metrics');
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { dir, logs, state, config, get, metric, file: join(logs, 'a.log') };
}

/** Appends `lines` in `parts` writes, `pauseMs` apart. */
async function writeSlowly(file: string, lines: string[], parts: number, pauseMs: number) {
  const size = Math.ceil(lines.length / parts);
  for (let i = 0; i < lines.length; i += size) {
    await appendFile(file, lines.slice(i, i + size).join('\n') + '\n');
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

describe('agent delivery', () => {
  it('AWS unreachable for 30 s: the spool grows, then drains; lost 0', async () => {
    const t = await setUp();
    const agent = await startAgent(t.config, world.env);
    const lines = numberedLines(3000, 'outage');
    await appendFile(t.file, lines.slice(0, 500).join('\n') + '\n');
    await waitFor('the first lines', async () => (await world.deliveredLines()).length === 500);
    startOutage(30_000);
    const spooledDuring: number[] = [];
    await writeSlowly(t.file, lines.slice(500), 10, 2000);
    spooledDuring.push((await t.metric('tempcreds_agent_spool_records'))!);
    expect((await t.get('/health')).status).toBe(200); // failing for less than a minute: not yet unhealthy
    await outage;
    await waitFor('every line', async () => (await world.deliveredLines()).length >= 3000, 60_000);
    expect(spooledDuring[0]).toBe(2500);
    await waitFor('an empty spool', async () => (await t.metric('tempcreds_agent_spool_records')) === 0);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    expect(agent.events('records.requeued').length).toBeGreaterThan(0);
    expect(await agent.stop()).toBe(0);
  }, 150_000);

  it('sessions of 3 s for a whole run: no ExpiredToken surfaces as a failure', async () => {
    world.proxy.setSessionLifetime(3);
    const t = await setUp();
    const agent = await startAgent(t.config, world.env);
    const lines = numberedLines(2000, 'short');
    await writeSlowly(t.file, lines, 40, 250);
    await waitFor('every line', async () => (await world.deliveredLines()).length >= 2000, 60_000);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    const assumed = world.proxy.log.filter((e) => e.action === 'AssumeRole' && e.status === 200).length;
    expect(assumed).toBeGreaterThanOrEqual(5);
    expect(agent.events('flow.refused')).toEqual([]);
    expect(agent.events('records.requeued')).toEqual([]);
    expect(await t.metric('tempcreds_agent_credentials_refreshes_total')).toBeGreaterThanOrEqual(4);
    expect(await agent.stop()).toBe(0);
  }, 120_000);

  it('a full spool pauses reading (log line, metric, /health) and every record arrives once AWS is back', async () => {
    const t = await setUp('', 'spool: { maxBytes: 4KiB }');
    const agent = await startAgent(t.config, world.env);
    startOutage(8000);
    const lines = numberedLines(1000, 'full'); // about 33 KB
    await appendFile(t.file, lines.join('\n') + '\n');
    await waitFor('spool.full', async () => agent.events('spool.full').length > 0);
    expect(await t.metric('tempcreds_agent_spool_full')).toBe(1);
    // At most one small read (4 KiB) over maxBytes.
    expect(await t.metric('tempcreds_agent_spool_bytes')).toBeLessThan(8 * 1024 + 200);
    expect(await t.metric('tempcreds_agent_unread_bytes')).toBeGreaterThan(10_000);
    const health = await t.get('/health');
    expect(health.status).toBe(503);
    expect(health.text).toContain('spool full');
    await outage;
    await waitFor('every line', async () => (await world.deliveredLines()).length >= 1000, 60_000);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    expect(agent.events('spool.resumed').length).toBeGreaterThan(0);
    expect(await agent.stop()).toBe(0);
  }, 120_000);

  it('throttling and partial failures: every record arrives exactly once', async () => {
    const t = await setUp();
    const agent = await startAgent(t.config, world.env);
    world.proxy.inject(throttled(3));
    world.proxy.inject(partlyFailing((i) => i % 3 === 0, 4));
    world.proxy.inject(throttled(2, 'ThrottlingException'));
    const lines = numberedLines(3000, 'throttle');
    await writeSlowly(t.file, lines, 6, 100);
    await waitFor('every line', async () => (await world.deliveredLines()).length >= 3000, 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would come now
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    expect(await t.metric('tempcreds_agent_records_retried_total')).toBeGreaterThan(0);
    // The flow's calls in flight fit the link: Firehose's ServiceUnavailableException brought them down (logged).
    const cuts = agent.events('flow.concurrency').filter((e) => e.reason === 'throttled');
    expect(cuts[0]).toMatchObject({ flow: 'readings', from: 32, to: 22 });
    expect(await agent.stop()).toBe(0);
  }, 120_000);

  it('a stream AWS refuses: the records stay, the flow is unhealthy with AWS words and the fix, then recovers', async () => {
    const stream = `later-${Date.now()}`;
    const t = await setUp('', 'refusalRetry: 1s', stream);
    const agent = await startAgent(t.config, world.env);
    const lines = numberedLines(50, 'refused');
    await appendFile(t.file, lines.join('\n') + '\n');
    await waitFor('flow.refused', async () => agent.events('flow.refused').length > 0);
    const refused = agent.events('flow.refused')[0]!;
    expect(refused.reason).toMatch(/ResourceNotFoundException/);
    expect(refused.reason).toMatch(/list-delivery-streams/);
    const health = await t.get('/health');
    expect(health.status).toBe(503);
    expect(health.text).toContain('ResourceNotFoundException');
    expect(await t.metric('tempcreds_agent_flow_healthy')).toBe(0);
    expect(await t.metric('tempcreds_agent_spool_records')).toBe(50);
    await new FirehoseClient(world.aws.adminClientConfig()).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: stream,
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::123456789012:role/firehose_delivery_role',
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: 'later/',
        },
      }),
    );
    await waitFor('every line', async () => (await world.deliveredLines()).length >= 50);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    await waitFor('flow.recovered', async () => agent.events('flow.recovered').length > 0);
    expect((await t.get('/health')).status).toBe(200);
    expect(await agent.stop()).toBe(0);
  }, 120_000);
});
