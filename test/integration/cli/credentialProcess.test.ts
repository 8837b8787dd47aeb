import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../../support/awsProxy.js';
import { CLI, runCli, type TempHome } from '../../support/cli.js';
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
