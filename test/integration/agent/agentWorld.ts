/**
 * The agent's test world: the Firehose world (moto, the AWS-fidelity proxy, sts_user and a role
 * that may put records) plus a folder of files to follow, a state dir, and the agent run as a user
 * runs it: `tempcreds agent run --config FILE`, a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../support/cli.js';
import { ROLE, STREAM, startFirehoseWorld, type FirehoseWorld } from '../firehose/world.js';

export { STREAM, ROLE };

export interface AgentWorld extends FirehoseWorld {
  /** A fresh folder for this test's files and state: `dir/logs`, `dir/state`. */
  folder(): Promise<{ dir: string; logs: string; state: string }>;
}

export async function startAgentWorld(): Promise<AgentWorld> {
  const world = await startFirehoseWorld();
  const root = await mkdtemp(join(tmpdir(), 'tempcreds-agent-'));
  let n = 0;
  return {
    ...world,
    async folder() {
      const dir = join(root, `t${++n}`);
      const logs = join(dir, 'logs');
      await mkdir(logs, { recursive: true });
      return { dir, logs, state: join(dir, 'state') };
    },
    async stop() {
      await world.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A config (YAML) for the world: the role through sts_user, every call to `endpoint`. */
export function agentConfig(options: {
  endpoint: string;
  state: string;
  flows?: string;
  extra?: string;
}): string {
  return [
    `credentials: { role: ${ROLE}, sourceProfile: sts_user }`,
    'region: us-east-1',
    `endpointUrl: ${options.endpoint}`,
    `stateDir: ${options.state}`,
    'pollInterval: 50ms',
    'drainTimeout: 5s',
    ...(options.flows ? ['flows:', options.flows] : []),
    ...(options.extra ? [options.extra] : []),
    '',
  ].join('\n');
}

export const flowYaml = (files: string[], extra = '') =>
  `  - { name: readings, files: [${files.map((f) => JSON.stringify(f)).join(', ')}], deliveryStream: ${STREAM}, startAt: beginning, flushInterval: 200ms${extra ? `, ${extra}` : ''} }`;

export interface RunningAgent {
  child: ChildProcess;
  /** Every log line so far (JSON, one event each). */
  readonly log: string[];
  events(type?: string): Record<string, unknown>[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to commit anything. */
  kill(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function writeConfig(dir: string, yaml: string): Promise<string> {
  const file = join(dir, 'agent.yaml');
  await writeFile(file, yaml);
  return file;
}

/** Starts `tempcreds agent run --config FILE`; resolves once it logged agent.started (or exited). */
export async function startAgent(
  configFile: string,
  env: NodeJS.ProcessEnv,
  ready = true,
): Promise<RunningAgent> {
  const child = spawn(process.execPath, [CLI, 'agent', 'run', '--config', configFile], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  let partial = '';
  let onLine: (() => void) | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop()!;
    log.push(...lines);
    onLine?.();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  const events = (type?: string) =>
    log
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => type === undefined || e.event === type);
  if (ready) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the agent did not start:\n${log.join('\n')}`)),
        30_000,
      );
      onLine = () => {
        if (events('agent.started').length > 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`the agent exited ${code} before it started:\n${log.join('\n')}${partial}`));
      });
    });
  }
  return {
    child,
    log,
    events,
    exited,
    async stop() {
      child.kill('SIGTERM');
      return (await exited).code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `test` until it is true, or fails after `timeoutMs` with `what`. */
export async function waitFor(
  what: string,
  test: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
