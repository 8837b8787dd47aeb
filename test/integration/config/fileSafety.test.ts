/**
 * Where writes go and what they refuse: symbolic links written through (never replaced by a
 * file), read-only files, files and folders other users own or can write (ssh's rules), and
 * files other users could read. The ownership cases need root (to give files to `nobody`); this
 * project's test machines run as root.
 */
import { spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { parseIni } from '../../../src/config/ini.js';
import { setValues } from '../../../src/config/iniEdit.js';
import { updateIniFile, updateProfile } from '../../../src/config/write.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-safety-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const setRegion = (region: string) => (doc: ReturnType<typeof parseIni>) =>
  setValues(doc, 'default', { region });
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('symbolic links', () => {
  it('writes through a link to the file it points to, and keeps the link', async () => {
    await mkdir(join(dir, 'dotfiles'));
    const target = join(dir, 'dotfiles', 'credentials');
    await writeFile(target, '[default]\nregion = a\n');
    const link = join(dir, 'credentials');
    await symlink('dotfiles/credentials', link);
    await updateIniFile(link, setRegion('b'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('dotfiles/credentials');
    expect(await readFile(target, 'utf8')).toBe('[default]\nregion = b\n');
    expect(await readdir(join(dir, 'dotfiles'))).toEqual(['credentials']);
  });

  it('follows a chain of links and a linked folder', async () => {
    await mkdir(join(dir, 'real'));
    await symlink('real', join(dir, 'aws'));
    await writeFile(join(dir, 'real', 'file'), '[default]\n');
    await symlink('file', join(dir, 'real', 'second'));
    await symlink(join(dir, 'aws', 'second'), join(dir, 'first'));
    await updateIniFile(join(dir, 'first'), setRegion('c'));
    expect(await readFile(join(dir, 'real', 'file'), 'utf8')).toBe('[default]\nregion = c\n');
    expect((await lstat(join(dir, 'first'))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(dir, 'real', 'second'))).isSymbolicLink()).toBe(true);
  });

  it('creates the file a dangling link points to, instead of replacing the link', async () => {
    await mkdir(join(dir, 'vault'), { mode: 0o700 });
    const link = join(dir, 'credentials');
    await symlink(join(dir, 'vault', 'credentials'), link);
    await updateIniFile(link, setRegion('d'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, 'vault', 'credentials'), 'utf8')).toBe('[default]\nregion = d\n');
    expect(await mode(join(dir, 'vault', 'credentials'))).toBe(0o600);
  });

  it('refuses a dangling link into a folder that does not exist, and creates nothing', async () => {
    const link = join(dir, 'credentials');
    await symlink(join(dir, 'unmounted', 'credentials'), link);
    await expect(updateIniFile(link, setRegion('e'))).rejects.toMatchObject({
      kind: 'usage',
      message: `Cannot write ${link}: it is a symbolic link to ${join(dir, 'unmounted', 'credentials')}, whose folder does not exist.`,
      fix: `Create the folder (mkdir -p ${join(dir, 'unmounted')}) or remove the link (rm ${link}).`,
    });
    expect(await readdir(dir)).toEqual(['credentials']);
  });

  it('refuses a loop of links', async () => {
    await symlink('b', join(dir, 'a'));
    await symlink('a', join(dir, 'b'));
    await expect(updateIniFile(join(dir, 'a'), setRegion('f'))).rejects.toMatchObject({ kind: 'usage' });
  });
});

describe('files tempcreds leaves alone', () => {
  it.each([0o400, 0o444, 0o500])(
    'refuses a read-only file (mode %o), as the AWS CLI does',
    async (readOnly) => {
      const path = join(dir, 'credentials');
      await writeFile(path, '[default]\nregion = a\n');
      await chmod(path, readOnly);
      const err = await updateIniFile(path, setRegion('b')).catch((e: unknown) => e);
      expect(err).toMatchObject({
        kind: 'usage',
        message: `Cannot write ${path}: it is read-only (mode 0${readOnly.toString(8)}), so tempcreds leaves it as it is, as the AWS CLI does.`,
        fix: `If tempcreds may change it: chmod 600 ${path}`,
      });
      expect(await readFile(path, 'utf8')).toBe('[default]\nregion = a\n');
      expect(await mode(path)).toBe(readOnly);
      expect(await readdir(dir)).toEqual(['credentials']);
    },
  );

  it('refuses a folder where the file should be', async () => {
    await mkdir(join(dir, 'credentials'));
    await expect(updateIniFile(join(dir, 'credentials'), setRegion('b'))).rejects.toMatchObject({
      kind: 'usage',
      message: `Cannot write ${join(dir, 'credentials')}: it is not a regular file.`,
    });
  });

  it.each([
    ['0777', 'writable by everyone', 0o777],
    ['0775', 'writable by its group', 0o775],
    ['1777', 'writable by everyone, even with the sticky bit', 0o1777],
  ])(
    'refuses to write into a folder %s (%s): others could replace the file',
    async (_octal, _why, folderMode) => {
      const aws = join(dir, 'aws');
      await mkdir(aws);
      await chmod(aws, folderMode);
      const err = await updateIniFile(join(aws, 'credentials'), setRegion('b')).catch((e: unknown) => e);
      expect(err).toMatchObject({
        kind: 'usage',
        message: `Cannot write ${join(aws, 'credentials')}: the folder ${aws} is writable by other users (mode 0${(folderMode & 0o777).toString(8)}), who could replace the file.`,
        fix: `Make it writable by you only: chmod go-w ${aws}`,
      });
      expect(await readdir(aws)).toEqual([]);
    },
  );

  it('accepts a folder under a sticky folder writable by all (as /tmp is)', async () => {
    await chmod(dir, 0o1777);
    await mkdir(join(dir, 'mine'), { mode: 0o700 });
    await updateIniFile(join(dir, 'mine', 'credentials'), setRegion('b'));
    expect(await readFile(join(dir, 'mine', 'credentials'), 'utf8')).toBe('[default]\nregion = b\n');
  });

  it('warns about a file with secrets other users could read, and makes it 0600', async () => {
    const files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
    await writeFile(
      files.credentialsFile,
      '[p]\naws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\n',
    );
    await chmod(files.credentialsFile, 0o644);
    await writeFile(files.configFile, '[profile p]\nregion = a\n');
    await chmod(files.configFile, 0o644);
    const report = await updateProfile(files, 'p', {
      credentials: { aws_access_key_id: 'ASIANEW', aws_secret_access_key: 's', aws_session_token: 't' },
      config: { region: 'b' },
    });
    // The config file held no secret: made private without a word.
    expect(report.warnings).toEqual([
      `${files.credentialsFile} was open to other users (mode 0644) and holds secret keys; it is 0600 now. If others use this machine, rotate those keys.`,
    ]);
    expect(await mode(files.credentialsFile)).toBe(0o600);
    expect(await mode(files.configFile)).toBe(0o600);
  });
});

describe.runIf(isRoot)('files and folders of another user (as root)', () => {
  it('refuses a file that belongs to another user', async () => {
    const path = join(dir, 'credentials');
    await writeFile(path, '[default]\n');
    await chown(path, NOBODY, NOBODY);
    await expect(updateIniFile(path, setRegion('b'))).rejects.toMatchObject({
      kind: 'usage',
      message: `Cannot write ${path}: it belongs to another user (uid ${NOBODY}).`,
    });
    expect(await readFile(path, 'utf8')).toBe('[default]\n');
  });

  it('refuses a folder, or a folder above it, that belongs to another user', async () => {
    await mkdir(join(dir, 'theirs', 'aws'), { recursive: true, mode: 0o755 });
    await chown(join(dir, 'theirs'), NOBODY, NOBODY);
    await expect(
      updateIniFile(join(dir, 'theirs', 'aws', 'credentials'), setRegion('b')),
    ).rejects.toMatchObject({
      kind: 'usage',
      message: `Cannot write ${join(dir, 'theirs', 'aws', 'credentials')}: the folder ${join(dir, 'theirs')} belongs to another user (uid ${NOBODY}), who could replace the file.`,
    });
    expect(await readdir(join(dir, 'theirs', 'aws'))).toEqual([]);
  });
});

describe.runIf(isRoot)('one line with the fix, not a raw EACCES (as the user nobody)', () => {
  it('a read-only ~/.aws', async () => {
    const aws = join(dir, '.aws');
    await mkdir(aws);
    await writeFile(join(aws, 'credentials'), '[default]\nregion = a\n');
    await chmod(join(aws, 'credentials'), 0o600);
    await chown(dir, NOBODY, NOBODY);
    await chown(aws, NOBODY, NOBODY);
    await chown(join(aws, 'credentials'), NOBODY, NOBODY);
    await chmod(aws, 0o500);
    const result = asNobody(
      `import { updateIniFile } from ${JSON.stringify(join(import.meta.dirname, '../../../dist/config/write.js'))};
       import { setValues } from ${JSON.stringify(join(import.meta.dirname, '../../../dist/config/iniEdit.js'))};
       try { await updateIniFile(process.argv[1], (d) => setValues(d, 'default', { region: 'b' })); }
       catch (e) { console.log(JSON.stringify({ kind: e.kind, message: e.message, fix: e.fix })); }`,
      join(aws, 'credentials'),
    );
    expect(JSON.parse(result)).toEqual({
      kind: 'usage',
      message: `Cannot write ${join(aws, 'credentials')}: the folder ${aws} is not writable by you (EACCES).`,
      fix: `Make the folder writable by you: chmod u+rwx ${aws} (ls -ld ${aws} shows its owner)`,
    });
    expect(await readdir(aws)).toEqual(['credentials']);
  });
});

/** Runs an ES module as the user nobody; returns its stdout. */
function asNobody(source: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source, ...args], {
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return result.stdout;
}
