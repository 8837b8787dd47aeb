import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../../support/awsProxy.js';
import { CLI, runCli, type TempHome } from '../../support/cli.js';
import { cacheFile } from '../../../src/credentials/processCache.cjs';
import { startRunbookFixture, type RunbookFixture, type World } from '../../support/world.js';

const run = promisify(execFile);

describe('tempcreds credential-process', () => {
  let fixture: RunbookFixture;
  let proxy: AwsProxy;
  let home: TempHome;
  let world: World;
  const env = () => fixture.env();
  const args = () => ['credential-process', '--role-arn', world.roleArn, '--source-profile', 'sts_user'];
  const cacheDir = () => env().TEMPCREDS_CACHE_DIR!;
  const assumeCalls = () => proxy.log.filter((e) => e.action === 'AssumeRole').length;

  beforeAll(async () => {
    fixture = await startRunbookFixture({ region: 'cn-northwest-1', proxy: true });
    ({ home, world } = fixture);
    proxy = fixture.proxy!;
  });
  afterAll(() => fixture?.stop());
  beforeEach(async () => {
    await rm(cacheDir(), { recursive: true, force: true });
    proxy.clearLog();
  });

  it('prints Version 1 JSON and caches it privately (dir 0700, file 0600)', async () => {
    const r = await runCli(args(), { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(out.Version).toBe(1);
    expect((await stat(cacheDir())).mode & 0o777).toBe(0o700);
    const [file] = await readdir(cacheDir());
    expect((await stat(join(cacheDir(), file!))).mode & 0o777).toBe(0o600);
    const again = await runCli(args(), { env: env() });
    expect(again.stdout).toBe(r.stdout);
    expect(assumeCalls()).toBe(1);
  });

  it('20 concurrent cold callers make one STS call and all get the same session', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => runCli(args(), { env: env() })));
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size).toBe(1);
    expect(assumeCalls()).toBe(1);
  });

  it('refreshes when less than TEMPCREDS_MIN_TTL remains', async () => {
    proxy.setSessionLifetime(900);
    try {
      const first = JSON.parse((await runCli(args(), { env: env() })).stdout);
      // 15 minutes left: inside a 20-minute minimum, so the next call renews.
      const second = JSON.parse(
        (await runCli(args(), { env: { ...env(), TEMPCREDS_MIN_TTL: '1200' } })).stdout,
      );
      expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
      const third = JSON.parse((await runCli(args(), { env: env() })).stdout);
      expect(third.AccessKeyId).toBe(second.AccessKeyId);
      expect(assumeCalls()).toBe(2);
    } finally {
      proxy.setSessionLifetime(undefined);
    }
  });

  it('replaces a corrupt cache file with a warning', async () => {
    await runCli(args(), { env: env() });
    const [file] = await readdir(cacheDir());
    await writeFile(join(cacheDir(), file!), '{"Version": 1, "AccessKeyId": tru');
    const r = await runCli(args(), { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: the cache file .* is corrupt \(not JSON\); replacing it\.\n$/);
    expect(JSON.parse(await readFile(join(cacheDir(), file!), 'utf8')).Version).toBe(1);
    expect(assumeCalls()).toBe(2);
  });

  describe('trusts only what the caller alone could have written', () => {
    const OTHER_UID = 54321;
    const only = async () =>
      join(cacheDir(), (await readdir(cacheDir())).filter((f) => f.endsWith('.json'))[0]!);
    const keyOf = (text: string) => JSON.parse(text).AccessKeyId as string;

    it('a folder others can write: a planted entry is not served, the folder is made private', async () => {
      const first = await runCli(args(), { env: env() });
      const file = await only();
      // Another user plants a perfect-looking entry (right identity, 0600) in a 0777 folder.
      const planted = JSON.parse(await readFile(file, 'utf8'));
      planted.AccessKeyId = 'ASIAPLANTEDBYMALLORY';
      await chmod(cacheDir(), 0o777);
      await rm(file);
      await writeFile(file, JSON.stringify(planted), { mode: 0o600 });
      await chown(file, OTHER_UID, OTHER_UID);
      const r = await runCli(args(), { env: env() });
      expect(r.code).toBe(0);
      expect(keyOf(r.stdout)).not.toBe('ASIAPLANTEDBYMALLORY');
      expect(keyOf(r.stdout)).not.toBe(keyOf(first.stdout));
      expect(r.stderr).toMatch(
        /^warning: the cache folder .* was not private \(others can write it \(mode 777\)\)/m,
      );
      expect(r.stderr).toMatch(
        new RegExp(
          `warning: the cache file .* is not served: it belongs to uid ${OTHER_UID}, not to you; replacing it\\.`,
        ),
      );
      expect((await stat(cacheDir())).mode & 0o777).toBe(0o700);
      const mine = await stat(file);
      expect([mine.uid, mine.mode & 0o777]).toEqual([process.geteuid!(), 0o600]);
      expect(assumeCalls()).toBe(2);
    });

    it('a folder another user owns is refused, exit 2, and nothing is served', async () => {
      await mkdir(cacheDir(), { recursive: true, mode: 0o700 });
      await chown(cacheDir(), OTHER_UID, OTHER_UID);
      const r = await runCli(args(), { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^tempcreds: The credential cache folder .* cannot be trusted: it belongs to uid ${OTHER_UID}, not to you, so another user could plant credentials there\\.\n  fix: .*TEMPCREDS_CACHE_DIR`,
        ),
      );
      expect(assumeCalls()).toBe(0);
    });

    it('an entry copied to the file name of other options is not served for them', async () => {
      const mine = await runCli(args(), { env: env() });
      const source = await only();
      const target = cacheFile({ roleArn: world.roleArn, sourceProfile: 'sts_user', duration: '1h' }, env());
      await cp(source, target);
      await chmod(target, 0o600);
      const r = await runCli([...args(), '--duration', '1h'], { env: env() });
      expect(r.code).toBe(0);
      expect(keyOf(r.stdout)).not.toBe(keyOf(mine.stdout));
      expect(r.stderr).toMatch(
        /warning: the cache file .* holds a session for another role or setup; replacing it\./,
      );
      expect(assumeCalls()).toBe(2);
    });

    it('a symlinked cache file is not followed: its target stays untouched', async () => {
      await runCli(args(), { env: env() });
      const file = await only();
      const precious = join(home.home, 'precious.txt');
      await writeFile(precious, 'do not overwrite me\n', { mode: 0o600 });
      await rm(file);
      await symlink(precious, file);
      const r = await runCli(args(), { env: env() });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/is not served: it is a symbolic link; replacing it\./);
      expect(await readFile(precious, 'utf8')).toBe('do not overwrite me\n');
      expect((await lstat(file)).isFile()).toBe(true);
    });

    it('a 0666 entry is not served as it is', async () => {
      const first = await runCli(args(), { env: env() });
      const file = await only();
      await chmod(file, 0o666);
      const r = await runCli(args(), { env: env() });
      expect(r.code).toBe(0);
      expect(keyOf(r.stdout)).not.toBe(keyOf(first.stdout));
      expect(r.stderr).toMatch(/is not served: its mode is 666, not 600; replacing it\./);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  });

  it('a cache hit does not load the AWS SDK (it works with no node_modules at all)', async () => {
    await runCli(args(), { env: env() });
    // A copy of the package without node_modules: any SDK import would fail to resolve.
    const bare = await mkdtemp(join(tmpdir(), 'tempcreds-bare-'));
    const root = resolve(CLI, '../..');
    await cp(join(root, 'bin'), join(bare, 'bin'), { recursive: true });
    await cp(join(root, 'dist'), join(bare, 'dist'), { recursive: true });
    await cp(join(root, 'package.json'), join(bare, 'package.json'));
    const hit = await run(process.execPath, [join(bare, 'bin/tempcreds.cjs'), ...args()], { env: env() });
    expect(JSON.parse(hit.stdout).Version).toBe(1);
    // The same copy cannot serve a miss: proof that the hit path was the one without the SDK.
    await rm(cacheDir(), { recursive: true, force: true });
    await expect(
      run(process.execPath, [join(bare, 'bin/tempcreds.cjs'), ...args()], { env: env() }),
    ).rejects.toThrow(/Cannot find (package|module)/);
    await rm(bare, { recursive: true, force: true });
  });

  it('is what the AWS CLI v2 runs for a credential_process profile', async () => {
    const aws2 = '/usr/bin/aws';
    await mkdir(home.home, { recursive: true });
    const line = `${process.execPath} ${CLI} ${args().join(' ')} --region cn-northwest-1`;
    await writeFile(
      home.configFile,
      `[profile sts_user]\nregion = cn-northwest-1\n[profile via-process]\ncredential_process = ${line}\nregion = cn-northwest-1\n`,
    );
    const { stdout } = await run(
      aws2,
      ['sts', 'get-caller-identity', '--profile', 'via-process', '--endpoint-url', proxy.endpoint],
      {
        env: env(),
      },
    );
    expect(JSON.parse(stdout).Arn).toMatch(
      new RegExp(`^arn:aws-cn:sts::123456789012:assumed-role/${world.roleName}/`),
    );
  });

  it('bad input exits 2', async () => {
    for (const bad of [
      ['credential-process'],
      ['credential-process', '--role-arn', 'target-role-name'],
      ['credential-process', '--role-arn', world.roleArn, '--duration', '20h'],
    ]) {
      const r = await runCli(bad, { env: env() });
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
  });
});
