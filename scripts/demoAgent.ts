/**
 * The agent part of `npm run demo`: a collector writes readings, `tempcreds agent` ships them to
 * Firehose, it is killed with SIGKILL mid-way and started again, and every reading arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../test/support/localAws.js';
import { CLI, type TempHome } from '../test/support/cli.js';

export interface AgentDemo {
  home: TempHome;
  env: NodeJS.ProcessEnv;
  endpoint: string;
  region: string;
  role: string;
  stream: string;
  step(title: string, why: string): void;
  tempcreds(args: string[], expectCode?: number): string;
  /** Every record delivered to S3 so far, as text. */
  deliveredTexts(): Promise<string[]>;
  dim(text: string): string;
}

const READINGS = 3000;

function startAgent(config: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'agent', 'run', '--config', config], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((ready, fail) => {
    let log = '';
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes('"agent.started"')) ready(child);
    });
    child.once('exit', (code) => fail(new Error(`the agent exited ${code}: ${log}`)));
  });
}

const stopped = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<number | null>((done) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => done(code));
    child.kill(signal);
  });

/** The collector: `count` readings, one a millisecond or so, in one file rotated by rename half-way. */
async function collect(folder: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 50) {
    const lines = Array.from({ length: 50 }, (_, j) =>
      JSON.stringify({ reading: i + j, sensor: `s${(i + j) % 7}`, t: 20 + ((i + j) % 30) / 10 }),
    );
    await appendFile(join(folder, 'readings.log'), lines.join('\n') + '\n');
    await new Promise((r) => setTimeout(r, 40));
  }
}

export async function agentDemo(d: AgentDemo): Promise<void> {
  d.step(
    'tempcreds agent: the collector ships its readings, losing nothing',
    'One process: files to Firehose through a durable spool (SQLite), on one refreshing session, with /metrics.',
  );
  const folder = join(d.home.home, 'collector');
  await mkdir(folder, { recursive: true });
  const port = await freePort();
  const config = join(d.home.home, 'agent.yaml');
  await writeFile(
    config,
    [
      `credentials: { role: ${d.role}, sourceProfile: sts_user }`,
      `region: ${d.region}`,
      `endpointUrl: ${d.endpoint}`,
      `stateDir: ${join(d.home.home, '.local', 'state', 'tempcreds', 'agent')}`,
      'flows:',
      `  - { name: readings, files: ["${folder}/*.log*"], deliveryStream: ${d.stream}, startAt: beginning, flushInterval: 500ms }`,
      `http: { listen: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  console.log(d.dim(`--- ${config}`));
  d.tempcreds(['agent', 'check', '--config', config]);

  console.log(
    '$ tempcreds agent run --config agent.yaml &   (the collector writes 3,000 readings meanwhile)',
  );
  let agent = await startAgent(config, d.env);
  const writing = collect(folder, 0, READINGS / 2);
  await new Promise((r) => setTimeout(r, 800));
  await stopped(agent, 'SIGKILL');
  console.log('$ kill -9 <agent>            (mid-way, with records read, spooled and in flight)');
  await writing;
  const { rename } = await import('node:fs/promises');
  await rename(join(folder, 'readings.log'), join(folder, 'readings.log.1')); // rotated while it is down
  agent = await startAgent(config, d.env);
  console.log('$ tempcreds agent run --config agent.yaml &   (started again on the same state)');
  await collect(folder, READINGS / 2, READINGS / 2);

  const seen = new Map<number, number>();
  for (let waited = 0; waited < 60_000; waited += 250) {
    seen.clear();
    for (const text of await d.deliveredTexts()) {
      for (const m of text.matchAll(/"reading":(\d+)/g))
        seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
    }
    if (seen.size >= READINGS) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  const missing = READINGS - seen.size;
  console.log(
    missing === 0
      ? `every reading arrived: ${seen.size} of ${READINGS} (${duplicates} sent twice: records in flight at the kill)`
      : `MISSING ${missing} of ${READINGS} readings`,
  );
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  console.log(d.dim(`--- http://127.0.0.1:${port}/metrics (the agent's own figures)`));
  console.log(
    metrics
      .split('\n')
      .filter((l) =>
        /^tempcreds_agent_(records_\w+_total|spool_records|files_followed|credentials_expiry_seconds)\b/.test(
          l,
        ),
      )
      .join('\n'),
  );
  const code = await stopped(agent, 'SIGTERM');
  console.log(`$ kill -TERM <agent>          (drains, commits, exit ${code})`);
  d.tempcreds(['agent', 'status', '--config', config, '--output', 'text']);
  if (missing !== 0 || code !== 0) throw new Error('the agent lost readings or did not stop cleanly');
}
