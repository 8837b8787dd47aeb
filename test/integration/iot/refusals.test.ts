/**
 * Every way the credentials provider refuses a device, provoked once through the CLI (`whoami
 * --profile` of an IoT profile), each explained in AWS's words with the fix; a private key open
 * to others refused before any request (exit 2, with the chmod). And the IoT session as the
 * source of an assume-role: role chaining, capped at one hour with the usual warning.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import {
  ACCOUNT,
  startIotWorld,
  type Device,
  type DeviceOptions,
  type IotWorld,
} from '../../support/iot/world.js';

const REGION = 'cn-northwest-1';
const ALIASES = `arn:aws-cn:iot:${REGION}:${ACCOUNT}:rolealias/*`;

describe('an IoT profile refused, and chained (aws-cn)', () => {
  let world: IotWorld;
  let home: TempHome;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    world = await startIotWorld({ region: REGION, awsProxy: true });
    home = await makeTempHome();
    env = home.env({
      ...(await world.deviceEnv(join(home.home, 'provider'))),
      AWS_ENDPOINT_URL: world.awsProxy!.endpoint,
    });
  });
  afterAll(async () => {
    await home?.cleanup();
    await world?.stop();
  });

  const deviceProfile = (name: string, options?: DeviceOptions, settings?: Record<string, string>) =>
    world.deviceProfile(home, name, options, settings);
  const whoami = (profile: string) => runCli(['whoami', '--profile', profile], { env });
  const setStatus = (device: Device, newStatus: 'INACTIVE' | 'REVOKED') =>
    world.iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus }));

  it.each<[string, string, (name: string) => Promise<unknown>, string, string, string]>([
    [
      'certificate INACTIVE',
      'ref-inactive',
      async (name) => setStatus((await deviceProfile(name)).device, 'INACTIVE'),
      '403 AccessDeniedException: Certificate is invalid on this endpoint',
      'is not ACTIVE in this account and region: it is INACTIVE, REVOKED, or registered elsewhere',
      'aws iot update-certificate --certificate-id',
    ],
    [
      'certificate REVOKED',
      'ref-revoked',
      async (name) => setStatus((await deviceProfile(name)).device, 'REVOKED'),
      '403 AccessDeniedException: Certificate is invalid on this endpoint',
      'is not ACTIVE in this account and region',
      'if it was revoked, issue a new one: tempcreds iot setup --thing ref-revoked',
    ],
    [
      'certificate not attached to the thing',
      'ref-unattached',
      (name) => deviceProfile(name, { attachToThing: false }),
      '403 AccessDeniedException: Invalid thing name passed',
      'the certificate is not attached to thing ref-unattached, or there is no such thing',
      'aws iot list-principal-things --principal CERTIFICATE_ARN --region cn-northwest-1',
    ],
    [
      'thing name wrong',
      'ref-thing',
      (name) => deviceProfile(name, {}, { tempcreds_iot_thing_name: 'no-such-thing' }),
      '403 AccessDeniedException: Invalid thing name passed',
      'the certificate is not attached to thing no-such-thing',
      'set tempcreds_iot_thing_name of profile ref-thing',
    ],
    [
      'the IoT policy does not allow the alias',
      'ref-policy',
      (name) =>
        deviceProfile(name, {
          policy: [
            {
              Effect: 'Allow',
              Action: 'iot:AssumeRoleWithCertificate',
              Resource: `${ALIASES.slice(0, -1)}other-alias`,
            },
          ],
        }),
      '403 AccessDeniedException: Access Denied',
      'no IoT policy attached to the certificate allows iot:AssumeRoleWithCertificate on role alias ref-policy-alias',
      'tempcreds doctor --source-profile ref-policy --admin-profile ADMIN',
    ],
    [
      'alias unknown',
      'ref-alias',
      (name) =>
        deviceProfile(
          name,
          { policy: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: ALIASES }] },
          { tempcreds_iot_role_alias: 'no-such-alias' },
        ),
      '404 ResourceNotFoundException: Role alias does not exist',
      'there is no role alias no-such-alias in this account and region',
      'aws iot list-role-aliases --region cn-northwest-1',
    ],
    [
      'the role does not trust credentials.iot.amazonaws.com',
      'ref-trust',
      (name) =>
        deviceProfile(name, {
          trust: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      '400 InvalidRequestException: Unable to assume the role, or the role to assume does not exist',
      'does not exist, or its trust policy does not allow credentials.iot.amazonaws.com to assume it',
      'adds that trust to the role, keeping everything else',
    ],
    [
      'a duration longer than the role allows',
      'ref-duration',
      (name) => deviceProfile(name, { credentialDurationSeconds: 7200, maxSessionDuration: 3600 }),
      '400 InvalidRequestException: The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role',
      "asks for longer sessions (credentialDurationSeconds) than its role's MaxSessionDuration",
      'tempcreds role set-max-duration ROLE SECONDS',
    ],
  ])(
    '%s: exit 1, AWS’s answer, what it means, the fix',
    async (_case, profile, arrange, aws, meaning, fix) => {
      await arrange(profile);
      const r = await whoami(profile);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const [message, fixLine] = r.stderr.split('\n');
      expect(message).toMatch(
        new RegExp(
          `^tempcreds: AWS IoT credentials provider 127\\.0\\.0\\.1:\\d+ refused profile ${profile} \\(role alias [\\w-]+\\): `,
        ),
      );
      expect(message).toContain(aws);
      expect(message).toContain(meaning);
      expect(fixLine).toMatch(/^ {2}fix: /);
      expect(fixLine).toContain(fix);
    },
  );

  it('a private key open to group and others: exit 2 before any request, with the chmod to run', async () => {
    const { key } = await deviceProfile('ref-mode');
    await chmod(key, 0o644);
    world.provider.clearLog();
    const r = await whoami('ref-mode');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is open to group and others (mode 0644)`);
    expect(r.stderr).toContain(`  fix: chmod 600 ${key}\n`);
    expect(world.provider.log).toEqual([]);
  });

  it('an IoT session as the source of an assume-role is role chaining: 1 h at most, with the usual warning', async () => {
    const { device } = await deviceProfile('chainer');
    const iam = world.iam();
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'downstream',
        MaxSessionDuration: 43200,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: device.roleArn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'downstream',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      }),
    );
    const r = await runCli(['assume', 'downstream', '--source-profile', 'chainer', '--duration', '2h'], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      'warning: The source credentials are a role session (role chaining): AWS caps the session at 3600 seconds, not 7200.\n',
    );
    const out = JSON.parse(r.stdout);
    expect(out.AssumedRoleUser.Arn).toMatch(
      new RegExp(`^arn:aws-cn:sts::${ACCOUNT}:assumed-role/downstream/`),
    );
    const left = Date.parse(out.Credentials.Expiration) - Date.now();
    expect(left).toBeLessThanOrEqual(3600_000);
    expect(left).toBeGreaterThan(3500_000);
    // The AssumeRole was signed by the IoT session, which the fidelity proxy knows as a session.
    const assume = world.awsProxy!.log.filter(
      (e) => e.action === 'AssumeRole' && e.params.RoleArn?.endsWith('/downstream'),
    );
    expect(assume.map((e) => [e.status, e.params.DurationSeconds])).toEqual([[200, '3600']]);

    // configure over the IoT profile writes a process profile (AWS CLI 2.9 cannot use a role profile
    // whose source_profile has only credential_process): every AWS tool then gets the chained session.
    const configured = await runCli(
      ['configure', 'downstream', '--profile-name', 'down', '--source-profile', 'chainer'],
      { env },
    );
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(/^Wrote \[profile down\] \(process\)/);
    const cli = await promisify(execFile)(
      '/usr/bin/aws',
      [
        'sts',
        'get-caller-identity',
        '--profile',
        'down',
        '--output',
        'json',
        '--endpoint-url',
        world.awsProxy!.endpoint,
      ],
      { env },
    ).catch((e: { stderr: string }) => ({ stdout: '', stderr: e.stderr }));
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout).Arn).toMatch(
      new RegExp(`^arn:aws-cn:sts::${ACCOUNT}:assumed-role/downstream/`),
    );
  });
});
