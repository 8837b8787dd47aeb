/**
 * Start-up before and after a change, turn by turn in one run (same machine, same load): the
 * credential-process cache hit, `tempcreds --version` (the full CLI's start) and a real
 * `assume --format json` against one local moto. The baseline is another checkout, built:
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
 *   BENCH_BASELINE_DIR=/tmp/base npm run bench -- startup
 * Without BENCH_BASELINE_DIR it times this checkout alone.
 */
import { join } from 'node:path';
import { startLocalAws } from '../test/support/localAws.js';
import { makeTempHome, CLI } from '../test/support/cli.js';
import { createWorld, writeKeysProfile } from '../test/support/world.js';
import { timeCommand, type Timing } from './timing.js';

const baselineDir = process.env.BENCH_BASELINE_DIR;
const builds: Array<{ name: string; cli: string }> = [
  ...(baselineDir ? [{ name: 'before', cli: join(baselineDir, 'bin/tempcreds.cjs') }] : []),
  { name: 'after', cli: CLI },
];
const ROUNDS = 8;
const RUNS = 5;

const local = await startLocalAws({ region: 'cn-northwest-1' });
const homes = await Promise.all(builds.map(() => makeTempHome()));
try {
  const world = await createWorld(local);
  const cases = {
    'credential-process cache hit': [
      'credential-process',
      '--role-arn',
      world.roleArn,
      '--source-profile',
      'sts_user',
    ],
    'tempcreds --version': ['--version'],
    'assume --format json (STS call)': [
      'assume',
      world.roleArn,
      '--source-profile',
      'sts_user',
      '--format',
      'json',
    ],
  };
  const envs = await Promise.all(
    homes.map(async (home) => {
      await writeKeysProfile(home, 'sts_user', world.userKeys, 'cn-northwest-1');
      return home.env({ AWS_ENDPOINT_URL: local.endpoint });
    }),
  );
  const samples = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [what, args] of Object.entries(cases)) {
      builds.forEach((build, i) => {
        const t: Timing = timeCommand(process.execPath, [build.cli, ...args], { env: envs[i], runs: RUNS });
        const key = `${what}\t${build.name}`;
        samples.set(key, [...(samples.get(key) ?? []), t.medianMs]);
      });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const what of Object.keys(cases)) {
    const line = builds.map((b) => `${b.name} ${median(samples.get(`${what}\t${b.name}`)!).toFixed(1)} ms`);
    const ratio =
      builds.length === 2
        ? ` -> ${(median(samples.get(`${what}\tafter`)!) / median(samples.get(`${what}\tbefore`)!)).toFixed(3)}x`
        : '';
    console.log(`${what}: ${line.join(', ')}${ratio} (median of ${ROUNDS} rounds x ${RUNS} runs)`);
  }
} finally {
  await Promise.all(homes.map((home) => home.cleanup()));
  await local.stop();
}
