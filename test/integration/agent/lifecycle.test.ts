/**
 * The agent's life as an operator sees it: restarts on the same state dir, `agent status` while it
 * runs and after it stopped, SIGHUP reloads, the credentials endpoint for local processes.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../support/localAws.js';
import { runCli } from '../../support/cli.js';
import { numberedLines, sorted } from '../firehose/world.js';
import {
  agentConfig,
  flowYaml,
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

const status = async (state: string) => {
  const result = await runCli(['agent', 'status', '--state-dir', state, '--output', 'json'], {
    env: world.env,
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as {
    pid?: number;
    flows: { name: string; counters: Record<string, number>; spool: { records: number } }[];
  };
};

describe('agent lifecycle', () => {
  it('a restart on the same state dir (after SIGTERM or SIGKILL) sends nothing already delivered', async () => {
    const { dir, logs, state } = await world.folder();
    const file = join(logs, 'a.log');
    const config = await writeConfig(
      dir,
      agentConfig({ endpoint: world.aws.endpoint, state, flows: flowYaml([join(logs, '*.log')]) }),
    );
    const lines = numberedLines(900, 'restart');
    let agent = await startAgent(config, world.env);
    await appendFile(file, lines.slice(0, 300).join('\n') + '\n');
    await waitFor('300 lines', async () => (await world.deliveredLines()).length >= 300);
    expect(await agent.stop()).toBe(0);

    const stopped = await status(state);
    expect(stopped.pid).toBeUndefined();
    expect(stopped.flows[0]).toMatchObject({ name: 'readings', spool: { records: 0 } });
    expect(stopped.flows[0]!.counters).toMatchObject({ read: 300, spooled: 300, delivered: 300 });
    const text = await runCli(['agent', 'status', '--state-dir', state, '--output', 'text'], {
      env: world.env,
    });
    expect(text.stdout).toMatch(/^agent: stopped; state in /);
    expect(text.stdout).toMatch(/flow readings: healthy; spool empty; read 300, spooled 300, delivered 300/);

    // Lines written while it was stopped are read at the next start, from where it was.
    await appendFile(file, lines.slice(300, 600).join('\n') + '\n');
    agent = await startAgent(config, world.env);
    expect((await status(state)).pid).toBe(agent.child.pid);
    await waitFor('600 lines', async () => (await world.deliveredLines()).length >= 600);
    await new Promise((r) => setTimeout(r, 1000)); // let anything sent twice arrive
    await agent.kill(); // idle: nothing in flight
    agent = await startAgent(config, world.env);
    await appendFile(file, lines.slice(600).join('\n') + '\n');
    await waitFor('900 lines', async () => (await world.deliveredLines()).length >= 900);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    expect(await agent.stop()).toBe(0);
  }, 120_000);

  it('SIGHUP reloads: a flow added starts, a flow removed stops, and both keep their state', async () => {
    const { dir, logs, state } = await world.folder();
    const flowA = flowYaml([join(logs, 'a*.log')]);
    const flowB = `  - { name: second, files: ["${join(logs, 'b*.log')}"], deliveryStream: ${STREAM}, startAt: beginning, flushInterval: 200ms }`;
    const write = (flows: string) =>
      writeConfig(dir, agentConfig({ endpoint: world.aws.endpoint, state, flows }));
    const config = await write(flowA);
    const agent = await startAgent(config, world.env);
    await appendFile(join(logs, 'a.log'), 'a1\n');
    await appendFile(join(logs, 'b.log'), 'b1\n');
    await waitFor('a1', async () => (await world.deliveredLines()).includes('a1'));
    await write(`${flowA}\n${flowB}`);
    agent.child.kill('SIGHUP');
    await waitFor('agent.reloaded', async () => agent.events('agent.reloaded').length === 1);
    expect(agent.events('agent.reloaded')[0]).toMatchObject({ added: ['second'], removed: [], changed: [] });
    await waitFor('b1', async () => (await world.deliveredLines()).includes('b1'));

    await write(flowB);
    agent.child.kill('SIGHUP');
    await waitFor('the second reload', async () => agent.events('agent.reloaded').length === 2);
    expect(agent.events('agent.reloaded')[1]).toMatchObject({ added: [], removed: ['readings'] });
    await appendFile(join(logs, 'a.log'), 'a2\n'); // no flow reads a*.log now
    await appendFile(join(logs, 'b.log'), 'b2\n');
    await waitFor('b2', async () => (await world.deliveredLines()).includes('b2'));
    expect(await world.deliveredLines()).not.toContain('a2');

    // A bad config is refused and the running one stays.
    await writeFile(config, 'flows: [');
    agent.child.kill('SIGHUP');
    await waitFor('agent.reloadFailed', async () => agent.events('agent.reloadFailed').length === 1);
    expect(agent.events('agent.reloadFailed')[0]!.message).toMatch(
      /agent\.yaml:1:\d+: .*the running config stays/,
    );

    // Flow A comes back where it was: a2 (written while it was gone) is sent, a1 is not sent again.
    await write(`${flowA}\n${flowB}`);
    agent.child.kill('SIGHUP');
    await waitFor('a2', async () => (await world.deliveredLines()).includes('a2'));
    await new Promise((r) => setTimeout(r, 800));
    expect(sorted(await world.deliveredLines())).toEqual(['a1', 'a2', 'b1', 'b2']);
    const figures = await status(state);
    expect(figures.flows.map((f) => f.name)).toEqual(['readings', 'second']);
    expect(await agent.stop()).toBe(0);
  }, 120_000);

  it('serves the session to local processes: the token in a 0600 file, botocore reads it', async () => {
    const { dir, state } = await world.folder();
    const port = await freePort();
    const config = await writeConfig(
      dir,
      agentConfig({ endpoint: world.aws.endpoint, state, extra: `server: { enabled: true, port: ${port} }` }),
    );
    const agent = await startAgent(config, world.env);
    const tokenFile = join(state, 'server-token');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const env = await readFile(join(state, 'server.env'), 'utf8');
    expect(env).toBe(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:${port}/credentials\nAWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${tokenFile}\n`,
    );
    const token = await readFile(tokenFile, 'utf8');
    expect(agent.log.join('\n')).not.toContain(token);
    const childEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: world.home.home,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    for (const line of env.trim().split('\n')) {
      const [key, value] = line.split('=') as [string, string];
      childEnv[key] = value;
    }
    const arn = execFileSync(
      'python3',
      [
        '-c',
        `import boto3; print(boto3.client('sts', endpoint_url='${world.aws.endpoint}').get_caller_identity()['Arn'])`,
      ],
      { env: childEnv, encoding: 'utf8' },
    ).trim();
    expect(arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/firehose-writer\/tempcreds-agent-/);
    expect(await agent.stop()).toBe(0);
  }, 60_000);

  it('refuses a second agent on the same state dir', async () => {
    const { dir, state } = await world.folder();
    const config = await writeConfig(
      dir,
      agentConfig({ endpoint: world.aws.endpoint, state, extra: 'server: { enabled: true }' }),
    );
    const first = await startAgent(config, world.env);
    const second = await runCli(['agent', 'run', '--config', config], { env: world.env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`Another agent (pid ${first.child.pid}) runs on ${state}`);
    expect(await first.stop()).toBe(0);
  }, 60_000);
});
