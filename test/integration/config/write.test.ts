import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getSection, parseIni, renderIni } from '../../../src/config/ini.js';
import { setValues } from '../../../src/config/iniEdit.js';
import { updateIniFile, writeProfile } from '../../../src/config/write.js';
import { TempcredsError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-write-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const setRegion = (region: string) => (doc: ReturnType<typeof parseIni>) =>
  setValues(doc, 'default', { region });

describe('updateIniFile', () => {
  it('creates a missing file with mode 0600 and missing folders with 0700', async () => {
    const path = join(dir, 'home', '.aws', 'credentials');
    await updateIniFile(path, setRegion('r'));
    expect(await readFile(path, 'utf8')).toBe('[default]\nregion = r\n');
    expect(await mode(path)).toBe(0o600);
    expect(await mode(join(dir, 'home', '.aws'))).toBe(0o700);
    expect(await mode(join(dir, 'home'))).toBe(0o700);
  });

  it('makes an existing world-readable file 0600 when it writes it', async () => {
    const path = join(dir, 'credentials');
    await writeFile(path, '[default]\nregion = a\n', { mode: 0o644 });
    await updateIniFile(path, setRegion('b'));
    expect(await mode(path)).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('[default]\nregion = b\n');
  });

  it('leaves the mode of an existing folder alone', async () => {
    const aws = join(dir, '.aws');
    await mkdir(aws, { mode: 0o755 });
    await updateIniFile(join(aws, 'config'), setRegion('r'));
    expect(await mode(aws)).toBe(0o755);
  });

  it('honours another mode', async () => {
    const path = join(dir, 'config');
    await updateIniFile(path, setRegion('r'), { mode: 0o640 });
    expect(await mode(path)).toBe(0o640);
  });

  it('does not write when the text would not change', async () => {
    const path = join(dir, 'config');
    await writeFile(path, '[default]\nregion = r\n', { mode: 0o644 });
    const past = new Date(Date.now() - 60_000);
    await utimes(path, past, past);
    const before = await stat(path);
    await updateIniFile(path, setRegion('r'));
    await updateIniFile(path, (doc) => doc);
    const after = await stat(path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.mode & 0o777).toBe(0o644);
  });

  it('does not create a missing file for an edit that adds nothing', async () => {
    const path = join(dir, 'config');
    await updateIniFile(path, (doc) => setValues(doc, 'default', { region: null }));
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves a malformed file exactly as it was, and says where it is broken', async () => {
    const path = join(dir, 'credentials');
    const text = '[default]\naws_access_key_id = A\n\nthis is not ini\n';
    await writeFile(path, text, { mode: 0o644 });
    const past = new Date(Date.now() - 60_000);
    await utimes(path, past, past);
    const before = await stat(path);
    const err = await updateIniFile(path, setRegion('r')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TempcredsError);
    expect(err).toMatchObject({
      kind: 'usage',
      message: `${path} line 4 is not "key = value" or "[section]": "this is not ini"`,
    });
    expect(await readFile(path, 'utf8')).toBe(text);
    const after = await stat(path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['credentials']);
  });

  it('refuses a file that is not UTF-8 rather than changing its bytes', async () => {
    const path = join(dir, 'config');
    const bytes = Buffer.concat([Buffer.from('[default]\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await writeFile(path, bytes);
    await expect(updateIniFile(path, setRegion('r'))).rejects.toMatchObject({ kind: 'usage' });
    expect(await readFile(path)).toEqual(bytes);
  });

  it('keeps CRLF line endings', async () => {
    const path = join(dir, 'config');
    await writeFile(path, '# c\r\n[default]\r\nregion = a\r\n');
    await updateIniFile(path, setRegion('b'));
    expect(await readFile(path, 'utf8')).toBe('# c\r\n[default]\r\nregion = b\r\n');
  });

  it('refuses a file with a BOM, which the AWS CLI cannot read, and leaves it as it was', async () => {
    const path = join(dir, 'config');
    const text = '\ufeff[default]\r\nregion = a\r\n';
    await writeFile(path, text);
    await expect(updateIniFile(path, setRegion('b'))).rejects.toMatchObject({
      kind: 'usage',
      message: `${path} line 1 starts with a byte order mark (BOM), which the AWS CLI cannot read.`,
    });
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('removes its lock and leaves no temporary file, even when the edit throws', async () => {
    const path = join(dir, 'config');
    await updateIniFile(path, setRegion('r'));
    await expect(
      updateIniFile(path, () => {
        throw new Error('edit failed');
      }),
    ).rejects.toThrow('edit failed');
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('takes over a stale lock left by a crashed process', async () => {
    const path = join(dir, 'config');
    await mkdir(`${path}.lock`);
    const past = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, past, past);
    await updateIniFile(path, setRegion('r'));
    expect(await readFile(path, 'utf8')).toBe('[default]\nregion = r\n');
  });

  it('loses nothing when 30 updates in one process race', async () => {
    const path = join(dir, 'config');
    await writeFile(path, '# keep me\n');
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        updateIniFile(path, (doc) => setValues(doc, `s${i}`, { k: `${i}` })),
      ),
    );
    const doc = parseIni(await readFile(path, 'utf8'));
    expect(renderIni(doc).startsWith('# keep me\n')).toBe(true);
    for (let i = 0; i < 30; i++) expect(getSection(doc, `s${i}`)).toEqual({ k: `${i}` });
  });
});

describe('writeProfile errors', () => {
  it('never show the secret value', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
    const err = (await writeProfile(files, 'p', {
      credentials: { aws_secret_access_key: `${secret}\n` },
    }).catch((e: unknown) => e)) as TempcredsError;
    expect(err.kind).toBe('usage');
    expect(`${err.message} ${err.fix ?? ''}`).not.toContain(secret);
    await expect(stat(files.credentialsFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
