/**
 * Local folders `s3 sync` cannot use (issue 8: EACCES, ENOTDIR, EISDIR and the like): one usage
 * error with the fix, exit 2, and nothing changed on either side. The CLI runs as a user the
 * permission bits bind (see test/support/unprivileged.ts).
 */
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { unprivileged } from '../../support/unprivileged.js';
import { folder, removeFolder, startS3World, type S3World } from './world.js';

let world: S3World;
let bucket: string;
beforeAll(async () => {
  world = await startS3World();
  bucket = await world.bucket();
  await world.put(bucket, 'p/a.txt', 'a');
  await world.put(bucket, 'p/b.txt', 'b');
});
afterAll(() => world?.stop());

/** `s3 sync ARGS` as the unprivileged user, from a folder everyone may enter. */
const sync = (args: string[]) =>
  runCli(['s3', 'sync', ...args], { cwd: tmpdir(), env: world.cliEnv(), ...unprivileged });

/** Exit 2 and one line saying what is wrong, then the fix. */
function refused(result: Awaited<ReturnType<typeof sync>>, message: RegExp, fix: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const [first, second, ...rest] = result.stderr.trimEnd().split('\n');
  expect(first).toMatch(/^tempcreds: /);
  expect(first).toMatch(message);
  expect(second).toMatch(/^ {2}fix: /);
  expect(second).toMatch(fix);
  expect(rest).toEqual([]);
  expect(result.stdout).toBe('');
}

describe('s3 sync refuses a local folder it cannot use', () => {
  it('an unreadable source folder (EACCES), even with --delete: S3 keeps every object', async () => {
    const src = await folder({ 'a.txt': 'a' });
    try {
      // Owned by the tester, closed to everyone else (as root: the CLI runs as nobody).
      await chmod(src, unprivileged.uid === undefined ? 0o000 : 0o700);
      const result = await sync([src, `s3://${bucket}/p/`, '--delete']);
      await chmod(src, 0o700);
      refused(result, /is not readable \(EACCES\): there is nothing to sync from\.$/, /chmod u\+rx /);
      expect([...(await world.objects(bucket, 'p/')).keys()].sort()).toEqual(['a.txt', 'b.txt']);
    } finally {
      await removeFolder(src);
    }
  });

  it('a destination folder that cannot be written (EACCES): nothing is downloaded', async () => {
    const dst = await folder();
    try {
      // Readable and searchable by everyone, writable by its owner only.
      await chmod(dst, unprivileged.uid === undefined ? 0o555 : 0o755);
      const result = await sync([`s3://${bucket}/p/`, dst]);
      await chmod(dst, 0o700);
      refused(result, /is not writable \(EACCES\): nothing can be downloaded into it\.$/, /chmod u\+wx /);
      expect(await readdir(dst)).toEqual([]);
    } finally {
      await removeFolder(dst);
    }
  });

  it('a destination below a file (ENOTDIR): nothing is made', async () => {
    const dir = await folder({ file: 'x' });
    try {
      await chmod(dir, 0o755);
      const result = await sync([`s3://${bucket}/p/`, join(dir, 'file', 'sub')]);
      refused(result, /cannot be a folder: .*\/file is not a folder\.$/, /Download into a folder/);
      expect(await readdir(dir)).toEqual(['file']);
    } finally {
      await removeFolder(dir);
    }
  });

  it('a destination to be made in a folder that cannot be written (EACCES): nothing is made', async () => {
    const dir = await folder();
    try {
      await mkdir(join(dir, 'closed'), { mode: 0o755 });
      if (unprivileged.uid === undefined) await chmod(join(dir, 'closed'), 0o555);
      await chmod(dir, 0o755);
      const result = await sync([`s3://${bucket}/p/`, join(dir, 'closed', 'new', 'deeper')]);
      await chmod(join(dir, 'closed'), 0o755);
      refused(result, /new\/deeper cannot be made: .*\/closed is not writable \(EACCES\)\.$/, /chmod u\+wx /);
      expect(await readdir(join(dir, 'closed'))).toEqual([]);
    } finally {
      await removeFolder(dir);
    }
  });

  it('a destination that is a file, a source that is a file: not folders', async () => {
    const dir = await folder({ file: 'x' });
    try {
      await chmod(dir, 0o755);
      refused(
        await sync([`s3://${bucket}/p/`, join(dir, 'file')]),
        /file is not a folder\.$/,
        /Download into a folder/,
      );
      refused(
        await sync([join(dir, 'file'), `s3://${bucket}/p/`]),
        /file is not a folder\.$/,
        /Sync from a folder/,
      );
      expect(await readdir(dir)).toEqual(['file']);
    } finally {
      await removeFolder(dir);
    }
  });
});
