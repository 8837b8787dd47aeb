/**
 * `tempcreds doctor --source-profile P` for an IoT profile, against moto (aws-cn) through the IoT
 * control proxy and the local credentials provider: each broken precondition found by its own
 * check (with --admin-profile, reading AWS IoT and IAM), the fix named, and the real request last.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type TempHome } from '../../support/cli.js';
import { ACCOUNT, startIotWorld, type DeviceOptions, type IotWorld } from '../../support/iot/world.js';

const REGION = 'cn-northwest-1';
const ADMIN_ARN = `arn:aws-cn:iam::${ACCOUNT}:user/admin`;

describe('tempcreds doctor for an IoT profile (aws-cn)', () => {
  let world: IotWorld;
  let home: TempHome;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    world = await startIotWorld({ region: REGION });
    home = await world.adminHome();
    env = home.env(await world.deviceEnv(join(home.home, 'provider')));
    env.AWS_ENDPOINT_URL = world.endpoint;
  });
  afterAll(async () => {
    await home?.cleanup();
    await world?.stop();
  });

  const deviceProfile = (name: string, options?: DeviceOptions, settings?: Record<string, string>) =>
    world.deviceProfile(home, name, options, settings);
  const doctor = (profile: string, ...extra: string[]) =>
    runCli(['doctor', '--source-profile', profile, '--admin-profile', 'admin', ...extra], { env });
  const line = (stdout: string, name: string) =>
    stdout.split('\n').find((l) => new RegExp(`^(ok|FAIL|skip) +${name} `).test(l)) ?? '';

  it('a working device: every check ok, ending with a session from the credentials provider', async () => {
    const { device } = await deviceProfile('doc-ok');
    const r = await doctor('doc-ok');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Can IoT profile doc-ok get a session with its certificate\?$/m);
    for (const name of [
      'iot profile',
      'device files',
      'endpoint',
      'certificate',
      'thing',
      'iot policy',
      'role alias',
      'role trust',
      'duration',
      'credentials',
    ])
      expect(line(r.stdout, name), name).toMatch(/^ok /);
    expect(line(r.stdout, 'endpoint')).toContain("is the account's");
    expect(line(r.stdout, 'role alias')).toContain(`doc-ok-alias -> ${device.roleArn}, sessions of 3600 s`);
    expect(r.stdout).toMatch(/^Result: the credentials provider issues a session\.$/m);
  });

  it('without --admin-profile: the AWS IoT checks are skipped, the real request still decides', async () => {
    await deviceProfile('doc-noadmin');
    const r = await runCli(['doctor', '--source-profile', 'doc-noadmin'], { env });
    expect(r.code).toBe(0);
    expect(line(r.stdout, 'certificate')).toMatch(/^skip +certificate +needs --admin-profile/);
    expect(line(r.stdout, 'credentials')).toMatch(/^ok /);
  });

  it.each<[string, string, (name: string) => Promise<unknown>, string, string]>([
    [
      'an INACTIVE certificate',
      'certificate',
      async (name) => {
        const { device } = await deviceProfile(name);
        await world
          .iot()
          .send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'INACTIVE' }));
      },
      'is INACTIVE',
      '--new-status ACTIVE --region cn-northwest-1',
    ],
    [
      'a certificate not attached to the thing',
      'thing',
      (name) => deviceProfile(name, { attachToThing: false }),
      'the certificate is not attached to thing doc-thing',
      'aws iot attach-thing-principal --thing-name doc-thing --principal arn:aws-cn:iot:cn-northwest-1:123456789012:cert/',
    ],
    [
      'no policy for the alias',
      'iot policy',
      (name) => deviceProfile(name, { policy: null }),
      'no IoT policy is attached to the certificate',
      'aws iot attach-policy --policy-name POLICY --target arn:aws-cn:iot:',
    ],
    [
      'an unknown alias',
      'role alias',
      (name) =>
        deviceProfile(
          name,
          { policy: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] },
          { tempcreds_iot_role_alias: 'nope' },
        ),
      'there is no role alias nope in cn-northwest-1',
      'tempcreds iot setup --thing THING --role ROLE --role-alias nope',
    ],
    [
      'a role that does not trust the provider',
      'role trust',
      (name) =>
        deviceProfile(name, {
          trust: [{ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }],
        }),
      'does not trust credentials.iot.amazonaws.com',
      'tempcreds iot setup --thing doc-trust --role doc-trust-role --role-alias doc-trust-alias',
    ],
    [
      'a duration over the role’s',
      'duration',
      (name) => deviceProfile(name, { credentialDurationSeconds: 7200 }),
      'the alias asks for 7200 s, the role allows 3600 s',
      'tempcreds role set-max-duration doc-duration-role 7200 --profile admin',
    ],
  ])(
    '%s: the %s check fails with the fix, and so does the real request',
    async (_case, check, arrange, detail, fix) => {
      const profile = `doc-${check === 'iot policy' ? 'policy' : check === 'role alias' ? 'alias' : check === 'role trust' ? 'trust' : check}`;
      await arrange(profile);
      const r = await doctor(profile);
      expect(r.code).toBe(1);
      expect(line(r.stdout, check), r.stdout).toMatch(new RegExp(`^FAIL +${check} `));
      expect(line(r.stdout, check)).toContain(detail);
      expect(r.stdout).toContain(fix);
      expect(line(r.stdout, 'credentials')).toMatch(/^FAIL +credentials +AWS IoT refused: /);
      expect(r.stdout).toMatch(new RegExp(`see the failed .*${check}`));
      expect(r.stdout).toMatch(/^Result: no session \(failed: .*\)\.$/m);
    },
  );

  it('a private key others can read: the device files check fails with the chmod, nothing is requested', async () => {
    const { key } = await deviceProfile('doc-mode');
    await chmod(key, 0o640);
    const r = await doctor('doc-mode');
    expect(r.code).toBe(1);
    expect(line(r.stdout, 'device files')).toMatch(/^FAIL +device files/);
    expect(r.stdout).toContain(`fix:   chmod 600 ${key}`);
    expect(line(r.stdout, 'credentials')).toMatch(/^skip /);
  });

  it('with ROLE: the IoT checks, then the usual ones from the IoT session (role chaining)', async () => {
    const { device } = await deviceProfile('doc-chain');
    await world.iam().send(
      new CreateRoleCommand({
        RoleName: 'doc-downstream',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: device.roleArn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const r = await runCli(['doctor', 'doc-downstream', '--source-profile', 'doc-chain'], { env });
    expect(r.stdout).toMatch(/^Result: the credentials provider issues a session\.$/m);
    expect(r.stdout).toMatch(/^Can profile doc-chain assume doc-downstream\?$/m);
    expect(line(r.stdout, 'keys')).toContain(`assumed-role/doc-chain-role/`);
    expect(r.stdout).toMatch(/^Result: AssumeRole works\.$/m);
    expect(r.code).toBe(0);
  });

  it('without ROLE, a profile that is not an IoT profile is bad input', async () => {
    const r = await runCli(['doctor', '--source-profile', 'admin'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('doctor needs ROLE (or --source-profile of an IoT profile).');
  });
});
