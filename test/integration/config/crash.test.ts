/**
 * Writers killed with SIGKILL: what they leave behind (a lock, a temporary copy of every
 * secret) is cleaned up by the next write, which does not wait for a dead lock to go stale, and
 * nothing of the file is lost. Checked from outside: the folder's listing and the file's text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempPath } from '../../../src/config/atomicWrite.js';
import type { AwsFiles } from '../../../src/config/paths.js';
import { readProfile } from '../../../src/config/profiles.js';
import { writeProfile } from '../../../src/config/write.js';
import { REALISTIC_CREDENTIALS } from '../../unit/config/fixtures.js';
import { compileForNode } from './compileForNode.js';
import { expectSeedIntact, seed } from './seeded.js';

let writer: { dir: string; main: string };
let holder: { dir: string; main: string };
let dir: string;
let files: AwsFiles;

beforeAll(async () => {
  [writer, holder] = await Promise.all([
    compileForNode(join(import.meta.dirname, 'writeProfileChild.ts')),
    compileForNode(join(import.meta.dirname, 'lockHolderChild.ts')),
  ]);
});
afterAll(() => Promise.all([writer, holder].map((c) => rm(c.dir, { recursive: true, force: true }))));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-crash-'));
  files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
  await seed(files);
  return () => rm(dir, { recursive: true, force: true });
});

/** The next write, timed. */
async function timedWrite(profile: string): Promise<number> {
  const start = performance.now();
  await writeProfile(files, profile, { config: { region: 'us-east-1' } });
  return performance.now() - start;
}

/** What a dead writer may have left in the folder. */
const leftovers = async () => (await readdir(dir)).filter((name) => /\.tmp$|\.lock/.test(name));

async function killed(child: ChildProcess): Promise<void> {
  const exit = once(child, 'exit');
  child.kill('SIGKILL');
  await exit;
}

describe('a writer killed holding the lock', () => {
  it('costs the next write no wait: its pid is in the lock, and it is gone', async () => {
    const child = spawn(process.execPath, [holder.main, files.credentialsFile]);
    await once(child.stdout, 'data');
    await killed(child);
    expect(await leftovers()).toEqual(['credentials.lock']);

    const ms = await timedWrite('after-crash');
    // A lock judged by its age alone would hold the next writer for 10 s.
    expect(ms).toBeLessThan(2_000);
    expect(await leftovers()).toEqual([]);
  });

  it('still waits for a live holder', async () => {
    const child = spawn(process.execPath, [holder.main, files.credentialsFile]);
    await once(child.stdout, 'data');
    const write = timedWrite('behind-live-holder');
    await new Promise((done) => setTimeout(done, 500));
    expect(await readFile(files.configFile, 'utf8')).not.toContain('behind-live-holder');
    await killed(child);
    expect(await write).toBeGreaterThan(400);
    expect(await readFile(files.configFile, 'utf8')).toContain('[profile behind-live-holder]');
  });
});

describe('temporary copies left by killed writers', () => {
  it('are removed by the next write when their writer is dead, and only then', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    const deadTemp = tempPath(files.credentialsFile, dead.pid);
    const liveTemp = tempPath(files.credentialsFile, process.pid);
    const someoneElses = join(dir, 'credentials.20240101');
    for (const path of [deadTemp, liveTemp, someoneElses]) await writeFile(path, REALISTIC_CREDENTIALS);

    await timedWrite('cleaner');

    const names = await readdir(dir);
    expect(names).not.toContain(deadTemp.slice(dir.length + 1));
    // A live process's file (this one's), and a file tempcreds did not name, stay.
    expect(names).toContain(liveTemp.slice(dir.length + 1));
    expect(names).toContain('credentials.20240101');
    expect(hostname()).toBeTruthy();
  });
});

describe('writers killed at random moments', () => {
  it('leave nothing after the next write, lose nothing, and do not slow it down', async () => {
    let seed = 11;
    const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
    const acked = new Map<string, number>();
    const seen = { locks: 0, temps: 0 };
    const slowest: number[] = [];
    for (let wave = 0; wave < 8; wave++) {
      const names = [0, 1, 2].map((i) => `w${wave}-${i}`);
      let firstAck: () => void = () => undefined;
      const progress = new Promise<void>((done) => (firstAck = done));
      const children = names.map((name) => {
        const child = spawn(process.execPath, [
          writer.main,
          files.configFile,
          files.credentialsFile,
          name,
          '100000',
        ]);
        child.stdout.on('data', (chunk: Buffer) => {
          const rounds = chunk
            .toString()
            .split('\n')
            .filter((line) => /^\d+$/.test(line));
          if (rounds.length === 0) return;
          acked.set(name, Number(rounds.at(-1)));
          firstAck();
        });
        return child;
      });
      await Promise.all(children.map((child) => once(child.stdout, 'data')));
      for (const child of children) child.stdin.write('go\n');
      // Kill once writes are landing, at a moment that differs from wave to wave.
      await progress;
      await new Promise((done) => setTimeout(done, random(300)));
      await Promise.all(children.map(killed));

      const left = await leftovers();
      seen.locks += left.filter((name) => name.endsWith('.lock')).length;
      seen.temps += left.filter((name) => name.endsWith('.tmp')).length;
      slowest.push(await timedWrite(`probe${wave}`));
      expect(await leftovers()).toEqual([]);

      await expectSeedIntact(files);
      for (const [name, round] of acked) {
        const key = (await readProfile(files, name))?.settings.aws_access_key_id ?? '';
        expect(Number(key.split('-').at(-1)), name).toBeGreaterThanOrEqual(round);
      }
    }
    console.log(
      `crash test: 24 writers killed; left ${seen.locks} locks and ${seen.temps} temporary files; next writes took ${slowest.map((ms) => Math.round(ms)).join(', ')} ms`,
    );
    // The run did exercise it: writes landed before the kills, and kills left locks behind.
    expect(acked.size).toBeGreaterThanOrEqual(8);
    expect(seen.locks).toBeGreaterThan(0);
    // Waiting out a dead lock by its age would take 10 s.
    expect(Math.max(...slowest)).toBeLessThan(5_000);
  });
});
