/**
 * What the credential-process cache serves: only the caller's own 0600 files, never through a
 * link, from a folder no one else can write, and only for the identity asked for. The tests run
 * as root in CI, so "another user" is a chown to an unused uid.
 */
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheDirTrust,
  cacheEntry,
  cacheFileText,
  readCache,
  type CacheEntry,
} from '../../../src/credentials/processCache.cjs';

const OTHER_UID = 54321;
const now = Date.parse('2026-11-28T12:00:00Z');
const credentials = {
  Version: 1 as const,
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'S',
  SessionToken: 'T',
  Expiration: '2026-11-28T13:00:00Z',
};

let dir: string;
let entry: CacheEntry;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-trust-'));
  entry = cacheEntry({ roleArn: 'arn:aws:iam::111122223333:role/a' }, { TEMPCREDS_CACHE_DIR: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const write = (text = cacheFileText(credentials, entry), mode = 0o600) =>
  writeFile(entry.path, text, { mode }).then(() => chmod(entry.path, mode));

describe('cache files', () => {
  it("serves the caller's own 0600 file for its identity, printing only the five fields", async () => {
    await write();
    const read = await readCache(entry, 300, now);
    expect(read.state).toBe('hit');
    expect(read.state === 'hit' && JSON.parse(read.text)).toEqual(credentials);
  });

  it.each([0o666, 0o644, 0o640, 0o604, 0o700, 0o400])('does not serve a file of mode %o', async (mode) => {
    await write(undefined, mode);
    expect(await readCache(entry, 300, now)).toEqual({
      state: 'untrusted',
      reason: `its mode is ${mode.toString(8)}, not 600`,
    });
  });

  it('does not serve a file another user owns', async () => {
    await write();
    await chown(entry.path, OTHER_UID, OTHER_UID);
    expect(await readCache(entry, 300, now)).toEqual({
      state: 'untrusted',
      reason: `it belongs to uid ${OTHER_UID}, not to you`,
    });
  });

  it('never follows a symbolic link, even to a perfect entry', async () => {
    const target = join(dir, 'elsewhere.json');
    await writeFile(target, cacheFileText(credentials, entry), { mode: 0o600 });
    await symlink(target, entry.path);
    expect(await readCache(entry, 300, now)).toEqual({ state: 'untrusted', reason: 'it is a symbolic link' });
  });

  it('does not serve a folder in place of a file', async () => {
    await mkdir(entry.path);
    expect((await readCache(entry, 300, now)).state).toBe('untrusted');
  });

  it('does not serve a session copied from another role, source, region or setup', async () => {
    for (const other of [
      cacheEntry({ roleArn: 'arn:aws:iam::111122223333:role/b' }, { TEMPCREDS_CACHE_DIR: dir }),
      cacheEntry(
        { roleArn: 'arn:aws:iam::111122223333:role/a', sourceProfile: 'x' },
        { TEMPCREDS_CACHE_DIR: dir },
      ),
      cacheEntry(
        { roleArn: 'arn:aws:iam::111122223333:role/a', region: 'cn-north-1' },
        { TEMPCREDS_CACHE_DIR: dir },
      ),
      cacheEntry(
        { roleArn: 'arn:aws:iam::111122223333:role/a', duration: '1h' },
        { TEMPCREDS_CACHE_DIR: dir },
      ),
      cacheEntry(
        { roleArn: 'arn:aws:iam::111122223333:role/a', externalId: 'e1' },
        { TEMPCREDS_CACHE_DIR: dir },
      ),
      cacheEntry(
        { roleArn: 'arn:aws:iam::111122223333:role/a' },
        { TEMPCREDS_CACHE_DIR: dir, AWS_CONFIG_FILE: '/x' },
      ),
    ]) {
      expect(other.path).not.toBe(entry.path);
      await write(cacheFileText(credentials, other));
      expect(await readCache(entry, 300, now), other.identity).toEqual({ state: 'mismatch', legacy: false });
    }
  });

  it('an entry without an identity (written before identities) is a quiet miss', async () => {
    await write(JSON.stringify(credentials));
    expect(await readCache(entry, 300, now)).toEqual({ state: 'mismatch', legacy: true });
  });

  it('the identity stored is the one compared', () => {
    expect(JSON.parse(cacheFileText(credentials, entry)).Identity).toEqual(JSON.parse(entry.identity));
  });
});

describe('cache folders', () => {
  it("trusts the caller's own folder that no one else can write", async () => {
    for (const mode of [0o700, 0o755, 0o711]) {
      await chmod(dir, mode);
      expect(await cacheDirTrust(dir)).toEqual({ trust: 'private' });
    }
  });

  it("calls a folder others can write fixable, and another user's folder or a link foreign", async () => {
    for (const mode of [0o777, 0o770, 0o702, 0o1777]) {
      await chmod(dir, mode);
      expect(await cacheDirTrust(dir)).toEqual({
        trust: 'writable',
        reason: `others can write it (mode ${(mode & 0o777).toString(8)})`,
      });
    }
    await chmod(dir, 0o700);
    const link = `${dir}-link`;
    await symlink(dir, link);
    expect(await cacheDirTrust(link)).toEqual({ trust: 'foreign', reason: 'it is a symbolic link' });
    await rm(link);
    await chown(dir, OTHER_UID, OTHER_UID);
    expect(await cacheDirTrust(dir)).toEqual({
      trust: 'foreign',
      reason: `it belongs to uid ${OTHER_UID}, not to you`,
    });
    await writeFile(join(tmpdir(), `tc-notdir-${process.pid}`), '');
    expect((await cacheDirTrust(join(tmpdir(), `tc-notdir-${process.pid}`))).trust).toBe('foreign');
    await rm(join(tmpdir(), `tc-notdir-${process.pid}`));
    expect(await cacheDirTrust(join(dir, 'missing'))).toEqual({ trust: 'missing' });
  });
});
