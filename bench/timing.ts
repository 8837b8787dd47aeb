/** Small timing helpers for the benchmarks: wall-clock medians of whole commands. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Runs a command `runs` times (after one warm-up) and returns the median wall time. */
export function timeCommand(
  command: string,
  args: string[],
  options: SpawnSyncOptions & { runs?: number } = {},
): Timing {
  const runs = options.runs ?? 15;
  const once = () => {
    const started = performance.now();
    const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    const elapsed = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} exited ${result.status}: ${result.stderr?.toString().slice(0, 500)}`,
      );
    }
    return elapsed;
  };
  once();
  const samples = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs };
}

/** The AWS CLI v2 we compare against (Debian's awscli package). */
export function awsCliV2(): string {
  const path = '/usr/bin/aws';
  const version = existsSync(path) ? spawnSync(path, ['--version']).stdout.toString() : '';
  if (!version.startsWith('aws-cli/2')) {
    throw new Error('The benchmarks compare with the AWS CLI v2 at /usr/bin/aws: apt-get install awscli');
  }
  return path;
}

export function ratioLine(name: string, ours: Timing, theirs: Timing, goal: number): string {
  const ratio = ours.medianMs / theirs.medianMs;
  const verdict = ratio <= goal ? 'meets' : 'MISSES';
  return `${name}: tempcreds ${ours.medianMs.toFixed(0)} ms vs ${theirs.medianMs.toFixed(0)} ms -> ${ratio.toFixed(3)}x (goal <= ${goal}x: ${verdict})`;
}
