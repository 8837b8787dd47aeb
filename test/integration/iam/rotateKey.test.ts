/**
 * rotate-key at each point where it can fail, against moto (aws-cn, IAM enforcement on), with
 * AWS's refusals injected through the proxy and real file-system failures. Before the new key is
 * verified every failure rolls back (old key in the profile, new key deleted); after it, the
 * profile keeps the new, working key and the error says what is left. (The refused DeleteAccessKey
 * of the old key and a new key that stops working are in lifecycle.test.ts.)
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKey } from '../../../src/iam/rotateKey.js';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws, type StaticKeys } from '../../support/localAws.js';
import { giveToUnprivileged, takeFromUnprivileged, unprivileged } from '../../support/unprivileged.js';
import { createWorld, writeKeysProfile, type World } from '../../support/world.js';
import { adminHome, adminIam, filesOf, profileKeys, stsWith } from './helpers.js';

const REGION = 'cn-northwest-1';

describe('rotate-key, failure point by failure point', () => {
  let aws: LocalAws;
  let proxy: AwsProxy;
  let home: TempHome;
  let iam: IAMClient;

  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: REGION });
    home = await adminHome(aws);
    iam = adminIam(aws);
  });
  afterAll(async () => {
    iam?.destroy();
    await home?.cleanup();
    await proxy?.stop();
    await aws?.stop();
  });

  const keysOf = async (userName: string) =>
    ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [])
      .map((k) => ({ id: k.AccessKeyId, status: k.Status }))
      .sort((a, b) => (a.id! < b.id! ? -1 : 1));
  const whoIs = async (keys: StaticKeys | undefined) =>
    keys && (await stsWith(aws, keys).send(new GetCallerIdentityCommand({}))).Arn;
  const rotate = (profile: string, in_: TempHome = home, options: { uid?: number; gid?: number } = {}) =>
    runCli(
      ['rotate-key', '--source-profile', profile, '--profile', 'admin', '--endpoint-url', proxy.endpoint],
      { env: in_.env(), ...options },
    );
  /** The library, as the administrator, through the proxy; `onEvent` may act between steps. */
  const rotateWith = (profile: string, onEvent: Parameters<typeof rotateKey>[1]['onEvent']) =>
    rotateKey(
      { sourceProfile: profile },
      {
        aws: { region: REGION, endpointUrl: proxy.endpoint, credentials: aws.admin },
        files: home,
        sleep: async () => undefined,
        onEvent,
      },
    ).catch((err: Error) => err);
  const withProfile = async (profile: string): Promise<World> => {
    const world = await createWorld(aws);
    await writeKeysProfile(home, profile, world.userKeys, REGION);
    return world;
  };

  it('CreateAccessKey refused: nothing to undo, nothing changed', async () => {
    const world = await withProfile('rk-create');
    const before = await filesOf(home);
    proxy.clearFaults();
    proxy.inject({
      kind: 'error',
      service: 'iam',
      action: 'CreateAccessKey',
      code: 'AccessDenied',
      status: 403,
      message: 'User: admin is not authorized to perform: iam:CreateAccessKey',
    });
    const r = await rotate('rk-create');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tempcreds: CreateAccessKey sts_user\d+ failed: AccessDenied/);
    expect(await filesOf(home)).toBe(before);
    expect(await keysOf(world.userName)).toEqual([{ id: world.userKeys.accessKeyId, status: 'Active' }]);
  });

  // Slow: the lock on the credentials file retries EACCES for 20-40 s before giving up (src/config/write.ts).
  it(
    'the credentials file cannot be written (a read-only ~/.aws): the new key is deleted, the profile keeps the old one',
    { timeout: 120_000 },
    async () => {
      const own = await makeTempHome();
      try {
        const world = await createWorld(aws);
        await writeKeysProfile(own, 'admin', aws.admin, REGION);
        await writeKeysProfile(own, 'rk-write', world.userKeys, REGION);
        const before = await filesOf(own);
        // The files stay readable; the folder they are in may not be written (no lock, no new file).
        await giveToUnprivileged(own.home);
        await takeFromUnprivileged(join(own.home, '.aws'));
        await chmod(join(own.home, '.aws'), 0o555);
        const r = await rotate('rk-write', own, unprivileged);
        await chmod(join(own.home, '.aws'), 0o700);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/^ {2}created +new key AKIA\w+\n$/);
        const fresh = /new key (AKIA\w+)/.exec(r.stdout)![1];
        expect(r.stderr).toMatch(/^tempcreds: rotate-key could not write the new key \(/);
        expect(r.stderr).toContain(
          `State: profile rk-write still has ${world.userKeys.accessKeyId}; the new key ${fresh} was deleted.`,
        );
        expect(await filesOf(own)).toBe(before);
        expect(await keysOf(world.userName)).toEqual([{ id: world.userKeys.accessKeyId, status: 'Active' }]);
      } finally {
        await own.cleanup();
      }
    },
  );

  // The config and credentials files are checked and written as one (src/config/write.ts): a config
  // file that cannot be written stops the write before the credentials file is touched.
  it('the config file cannot be written (a folder in its place): neither file changes, the new key is deleted', async () => {
    const world = await withProfile('rk-half');
    const before = await filesOf(home);
    const aside = `${home.configFile}.aside`;
    const events: string[] = [];
    const error = await rotateWith('rk-half', async (event) => {
      events.push(event.type);
      if (event.type !== 'created') return;
      // The config file, now a folder, refuses the region; the credentials file is left alone.
      await rename(home.configFile, aside);
      await mkdir(home.configFile);
    });
    await rm(home.configFile, { recursive: true });
    await rename(aside, home.configFile);
    expect(events).toEqual(['created']);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^rotate-key could not write the new key \\(.*not a regular file.*\\)\\. State: profile rk-half still has ${world.userKeys.accessKeyId}; the new key AKIA\\w+ was deleted\\.$`,
      ),
    );
    expect(await filesOf(home)).toBe(before);
    expect(await whoIs(await profileKeys(home, 'rk-half'))).toBe(world.userArn);
    expect(await keysOf(world.userName)).toEqual([{ id: world.userKeys.accessKeyId, status: 'Active' }]);
  });

  it('the new key is never accepted and cannot be deleted either: the profile is restored, the stray key named with its fix', async () => {
    const world = await withProfile('rk-verify');
    const before = await filesOf(home);
    proxy.clearFaults();
    const error = await rotateWith('rk-verify', async (event) => {
      if (event.type !== 'created') return;
      // From now on: every GetCallerIdentity with the new key is refused, and so is its deletion.
      proxy.inject({
        kind: 'error',
        service: 'sts',
        action: 'GetCallerIdentity',
        code: 'InvalidClientTokenId',
        status: 403,
        message: 'The security token included in the request is invalid.',
        times: 8,
      });
      proxy.inject({
        kind: 'error',
        service: 'iam',
        action: 'DeleteAccessKey',
        code: 'AccessDenied',
        status: 403,
        message: 'not allowed',
      });
    });
    proxy.clearFaults();
    const message = (error as Error).message;
    const fresh = /the new key (AKIA\w+) could not be deleted/.exec(message)?.[1];
    expect(message).toMatch(
      /^rotate-key stopped: the new key does not work \(AWS did not accept the new key/,
    );
    expect(message).toContain(
      `State: profile rk-verify has its old key ${world.userKeys.accessKeyId} again; the new key ${fresh} could not be deleted (aws iam delete-access-key --user-name ${world.userName} --access-key-id ${fresh}).`,
    );
    expect(await filesOf(home)).toBe(before);
    expect(await keysOf(world.userName)).toEqual(
      [
        { id: world.userKeys.accessKeyId, status: 'Active' },
        { id: fresh, status: 'Active' },
      ].sort((a, b) => (a.id! < b.id! ? -1 : 1)),
    );
  });

  it('UpdateAccessKey (deactivate the old key) refused: the profile keeps the new, verified key; the old one is named with its fix', async () => {
    const world = await withProfile('rk-deactivate');
    proxy.clearFaults();
    proxy.inject({
      kind: 'error',
      service: 'iam',
      action: 'UpdateAccessKey',
      code: 'AccessDenied',
      status: 403,
      message: 'not allowed',
    });
    const r = await rotate('rk-deactivate');
    proxy.clearFaults();
    const old = world.userKeys.accessKeyId;
    const saved = await profileKeys(home, 'rk-deactivate');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}verified +AWS accepts AKIA\w+$/m);
    expect(r.stdout).not.toMatch(/deactivated/);
    expect(r.stderr).toContain(
      `tempcreds: rotate-key could not deactivate the old key (UpdateAccessKey ${old} failed: AccessDenied`,
    );
    expect(r.stderr).toContain(
      `State: profile rk-deactivate holds the new, verified key ${saved?.accessKeyId}; the old key ${old} is still active.`,
    );
    expect(r.stderr).toContain(
      `  fix: aws iam delete-access-key --user-name ${world.userName} --access-key-id ${old}`,
    );
    expect(await whoIs(saved)).toBe(world.userArn);
    expect(await keysOf(world.userName)).toEqual(
      [
        { id: old, status: 'Active' },
        { id: saved?.accessKeyId, status: 'Active' },
      ].sort((a, b) => (a.id! < b.id! ? -1 : 1)),
    );
  });
});
