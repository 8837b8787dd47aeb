/**
 * The crash test of issue 10: a writer appends numbered lines over 4 files, rotating them every
 * 10,000 lines (3 by rename, one by copytruncate), while the agent is killed with SIGKILL at random
 * moments and started again each time. At the end every line number must be in S3 (lost: 0);
 * duplicates are counted and printed (they may only come from calls in flight at a kill).
 *
 * AGENT_CRASH_LINES (default 100,000) and AGENT_CRASH_KILLS (default 10) change the size.
 */
import { appendFileSync, copyFileSync, renameSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentConfig,
  startAgent,
  startAgentWorld,
  waitFor,
  writeConfig,
  type AgentWorld,
  type RunningAgent,
} from './agentWorld.js';
import { STREAM } from '../firehose/world.js';
import { runCli } from '../../support/cli.js';

const LINES = Number(process.env.AGENT_CRASH_LINES ?? 100_000);
const KILLS = Number(process.env.AGENT_CRASH_KILLS ?? 10);
const ROTATE_EVERY = 10_000;
const FILES = ['a', 'b', 'c', 'd'] as const;
/** d.log rotates by copytruncate; the others by rename. */
const COPYTRUNCATE = 'd';

/** A small seeded PRNG (mulberry32), so a failing run can be told apart and repeated. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const line = (n: number, file: string) => `n=${String(n).padStart(6, '0')} f=${file} ${'x'.repeat(n % 40)}\n`;

let world: AgentWorld;
beforeAll(async () => {
  world = await startAgentWorld();
});
afterAll(async () => {
  await world?.stop();
});

describe('agent crash test', () => {
  it(`loses none of ${LINES} lines through rotations and ${KILLS}+ SIGKILLs`, async () => {
    const seed = Number(process.env.AGENT_CRASH_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const { dir, logs, state } = await world.folder();
    const flows = `  - { name: crash, files: ["${join(logs, '*.log*')}"], deliveryStream: ${STREAM}, startAt: beginning, flushInterval: 200ms }`;
    const config = await writeConfig(dir, agentConfig({ endpoint: world.aws.endpoint, state, flows }));
    let agent: RunningAgent = await startAgent(config, world.env);

    let written = 0;
    let rotations = 0;
    const writer = (async () => {
      while (written < LINES) {
        const burst = Math.min(LINES - written, 50 + Math.floor(random() * 150));
        const parts = new Map<string, string[]>();
        for (let i = 0; i < burst; i++) {
          written += 1;
          const file = FILES[written % FILES.length]!;
          (parts.get(file) ?? parts.set(file, []).get(file)!).push(line(written, file));
          if (written % ROTATE_EVERY === 0) {
            for (const [f, lines] of parts) appendFileSync(join(logs, `${f}.log`), lines.join(''));
            parts.clear();
            rotations += 1;
            for (const f of FILES) {
              const path = join(logs, `${f}.log`);
              if (f === COPYTRUNCATE) {
                copyFileSync(path, `${path}.${rotations}`);
                truncateSync(path, 0);
              } else renameSync(path, `${path}.${rotations}`);
            }
          }
        }
        for (const [f, lines] of parts) appendFileSync(join(logs, `${f}.log`), lines.join(''));
        await new Promise((r) => setTimeout(r, 10 + random() * 20));
      }
    })();

    const agentLogs: string[][] = [agent.log];
    let kills = 0;
    const killer = (async () => {
      while (kills < KILLS || written < LINES) {
        await new Promise((r) => setTimeout(r, 300 + random() * 1700));
        await agent.kill();
        kills += 1;
        await new Promise((r) => setTimeout(r, random() * 200));
        // Not waiting for it to be ready: a kill during start-up is one of the moments too.
        agent = await startAgent(config, world.env, false);
        agentLogs.push(agent.log);
      }
    })();
    await Promise.all([writer, killer]);
    await agent.kill();
    agent = await startAgent(config, world.env);
    agentLogs.push(agent.log);

    const numbersIn = async () => {
      const seen = new Map<number, number>();
      for (const body of await world.deliveredObjects()) {
        for (const m of body.toString('utf8').matchAll(/^n=(\d{6}) /gm)) {
          const n = Number(m[1]);
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
      }
      return seen;
    };
    let seen = new Map<number, number>();
    await waitFor(
      'every line in S3',
      async () => {
        seen = await numbersIn();
        return seen.size >= LINES;
      },
      60_000,
    ).catch(() => undefined);
    expect(await agent.stop()).toBe(0);
    seen = await numbersIn();
    const lost = Array.from({ length: LINES }, (_, i) => i + 1).filter((n) => !seen.has(n));
    const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
    console.log(
      `crash test (seed ${seed}): ${LINES} lines, ${rotations} rotations of 4 files, ${kills} SIGKILLs: lost ${lost.length}, duplicates ${duplicates}`,
    );
    const status = await runCli(['agent', 'status', '--state-dir', state, '--output', 'json'], {
      env: world.env,
    });
    const flow = (
      JSON.parse(status.stdout) as {
        flows: { counters: Record<string, number>; spool: { records: number } }[];
      }
    ).flows[0]!;
    console.log(
      `spool at the end: ${flow.spool.records} records; counters ${JSON.stringify(flow.counters)}; ${(await world.deliveredObjects()).length} objects`,
    );
    const bySegment = new Map<string, number>();
    for (const n of lost) {
      const key = `${FILES[n % FILES.length]}.log segment ${Math.ceil(n / ROTATE_EVERY)}`;
      bySegment.set(key, (bySegment.get(key) ?? 0) + 1);
    }
    if (lost.length > 0) console.log('lost by file and rotation:', Object.fromEntries(bySegment));
    const troubles = agentLogs.flat().filter((l) => /"level":"(warn|error)"/.test(l));
    if (troubles.length > 0) console.log(troubles.slice(0, 30).join('\n'));
    expect(lost.slice(0, 20)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(seen.size).toBe(LINES);
  }, 240_000);
});
