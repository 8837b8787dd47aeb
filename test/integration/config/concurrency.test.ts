import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/config/ini.js';
import type { AwsFiles } from '../../../src/config/paths.js';
import { listProfiles, readProfile } from '../../../src/config/profiles.js';
import { REALISTIC_CREDENTIALS } from '../../unit/config/fixtures.js';
import { compileForNode } from './compileForNode.js';
import { expectSeedIntact, seed } from './seeded.js';

let child: { dir: string; main: string };
let dir: string;
let files: AwsFiles;

beforeAll(async () => {
  child = await compileForNode(join(import.meta.dirname, 'writeProfileChild.ts'));
});
afterAll(() => rm(child.dir, { recursive: true, force: true }));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-race-'));
  files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * Starts one process per profile, waits until every one is ready, then lets them all write
 * at the same moment (each calls writeProfile `rounds` times). Resolves when all have exited.
 */
async function raceWriters(
  profiles: string[],
  rounds: number,
  filesOf: (index: number) => AwsFiles = () => files,
): Promise<void> {
  const children = profiles.map((profile, i) =>
    spawn(process.execPath, [
      child.main,
      filesOf(i).configFile,
      filesOf(i).credentialsFile,
      profile,
      `${rounds}`,
    ]),
  );
  const exits = children.map(
    (proc) =>
      new Promise<string>((done) => {
        let stderr = '';
        proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        proc.on('close', (code) => done(code === 0 ? '' : `exit ${code}: ${stderr}`));
      }),
  );
  await Promise.all(children.map((proc) => new Promise((ready) => proc.stdout.once('data', ready))));
  for (const proc of children) proc.stdin.write('go\n');
  expect((await Promise.all(exits)).filter(Boolean)).toEqual([]);
}

describe('writeProfile from many processes at once', () => {
  it('loses nothing when 30 processes write 30 profiles into the same two files', async () => {
    await seed(files);
    const profiles = Array.from({ length: 30 }, (_, i) => `p${i + 1}`);

    await raceWriters(profiles, 1);

    await expectSeedIntact(files);
    for (const name of profiles) {
      expect((await readProfile(files, name))?.settings).toEqual({
        region: `region-${name}-1`,
        aws_access_key_id: `AKIA-${name}-1`,
        aws_secret_access_key: `secret-${name}-1`,
      });
    }
    // The new sections come in the order the processes won the lock.
    const listed = await listProfiles(files);
    expect(listed.slice(0, 3)).toEqual(['default', 'sts_user', 'tabbed']);
    expect(listed.slice(3).sort()).toEqual([...profiles].sort());
  });

  it('loses nothing when 10 write through symbolic links and 10 through the files they point to', async () => {
    // ~/.aws/credentials and config as links into a dotfiles folder, as many people keep them.
    const real = {
      configFile: join(dir, 'dotfiles', 'config'),
      credentialsFile: join(dir, 'dotfiles', 'credentials'),
    };
    await mkdir(join(dir, 'dotfiles'), { mode: 0o700 });
    await seed(real);
    await symlink('dotfiles/config', files.configFile);
    await symlink(real.credentialsFile, files.credentialsFile);
    const profiles = Array.from({ length: 20 }, (_, i) => `via${i % 2 === 0 ? 'link' : 'file'}${i}`);

    await raceWriters(profiles, 1, (i) => (i % 2 === 0 ? files : real));

    expect((await lstat(files.configFile)).isSymbolicLink()).toBe(true);
    expect((await lstat(files.credentialsFile)).isSymbolicLink()).toBe(true);
    for (const name of profiles) {
      expect((await readProfile(real, name))?.settings).toEqual({
        region: `region-${name}-1`,
        aws_access_key_id: `AKIA-${name}-1`,
        aws_secret_access_key: `secret-${name}-1`,
      });
    }
    expect(await readdir(join(dir, 'dotfiles'))).toEqual(['config', 'credentials']);
  });

  it('never lets a reader see a partly written file', async () => {
    // A big file, so that a write that is not atomic would be caught half done.
    const padded =
      REALISTIC_CREDENTIALS + Array.from({ length: 4000 }, (_, i) => `# padding ${i}\n`).join('');
    await writeFile(files.credentialsFile, padded);
    const versions = new Set<string>();
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(files.credentialsFile, 'utf8');
        expect(text.startsWith(padded)).toBe(true);
        parseIni(text, files.credentialsFile);
        versions.add(text);
        reads++;
      }
    })();

    await raceWriters(['a', 'b'], 25).finally(() => (writing = false));
    await reader;

    expect(reads).toBeGreaterThan(10);
    expect(versions.size).toBeGreaterThan(1);
    expect((await readProfile(files, 'a'))?.settings.aws_access_key_id).toBe('AKIA-a-25');
    expect((await readProfile(files, 'b'))?.settings.aws_access_key_id).toBe('AKIA-b-25');
  });
});
