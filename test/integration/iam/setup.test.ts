/**
 * `tempcreds setup` through the CLI against moto with IAM enforcement on, in the China partition.
 * Results are checked with independent IAM reads (and the AWS CLI for the runbook's step 5).
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setup } from '../../../src/iam/setup.js';
import type { TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { ASSUME_ONLY_POLICY } from '../../support/world.js';
import { ACCOUNT, adminHome, adminIam, cliIn, filesOf, profileKeys, stsWith } from './helpers.js';

const REGION = 'cn-northwest-1';
const ROLE = 'target-role-name';
const ROLE_ARN = `arn:aws-cn:iam::${ACCOUNT}:role/${ROLE}`;
const USER_ARN = `arn:aws-cn:iam::${ACCOUNT}:user/sts_user`;
const ADMIN_ARN = `arn:aws-cn:iam::${ACCOUNT}:user/admin`;
const POLICY_ARN = `arn:aws-cn:iam::${ACCOUNT}:policy/STSAssumeRolePolicy`;

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const decode = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? ''));

describe('tempcreds setup (aws-cn, IAM enforcement on)', () => {
  let aws: LocalAws;
  let home: TempHome;
  let iam: IAMClient;
  let cli: ReturnType<typeof cliIn>;

  const createRole = (trust: string, name = ROLE) =>
    iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  const trustOf = async (name = ROLE) =>
    decode((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.AssumeRolePolicyDocument);
  const userExists = () =>
    iam.send(new GetUserCommand({ UserName: 'sts_user' })).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
  });
  beforeEach(async () => {
    await aws.reset();
    await home?.cleanup();
    home = await adminHome(aws);
    iam?.destroy();
    iam = adminIam(aws);
    cli = cliIn(aws, home);
  });
  afterAll(async () => {
    await home?.cleanup();
    await aws?.stop();
  });

  it('in a fresh account makes every step of the runbook, and the runbook step 5 then works', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const r = await cli(['setup', '--role', ROLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Setup in account 123456789012 \(aws-cn\) for arn:aws-cn:iam::123456789012:role\/target-role-name:$/m,
    );
    for (const [what, state] of [
      ['policy +STSAssumeRolePolicy', 'create'],
      ['user +sts_user', 'create'],
      ['attachment +STSAssumeRolePolicy -> user sts_user', 'create'],
      ['access key +user sts_user -> profile sts_user \\(region cn-northwest-1\\)', 'create'],
      [`trust +role ${ROLE} trusts ${USER_ARN}`, 'update'],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${what} +${state}$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^  ${what} +${state}d$`, 'm'));
    }
    expect(r.stdout).toMatch(/^Done: 5 changes\.$/m);

    // Independent reads: the policy is the runbook's, attached; one key, and it is the profile's.
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }));
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: policy.Policy!.DefaultVersionId! }),
    );
    expect(decode(version.PolicyVersion?.Document)).toEqual(ASSUME_ONLY_POLICY);
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'sts_user' }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([POLICY_ARN]);
    const keys =
      (await iam.send(new ListAccessKeysCommand({ UserName: 'sts_user' }))).AccessKeyMetadata ?? [];
    const saved = await profileKeys(home, 'sts_user');
    expect(keys.map((k) => k.AccessKeyId)).toEqual([saved?.accessKeyId]);
    expect(r.stdout + r.stderr).not.toContain(saved!.secretAccessKey);
    expect(await filesOf(home)).toMatch(/\[profile sts_user\]\nregion = cn-northwest-1/);
    expect((await stat(home.credentialsFile)).mode & 0o777).toBe(0o600);
    // The trust keeps the administrator and adds the user.
    expect(await trustOf()).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: [ADMIN_ARN, USER_ARN] }, Action: 'sts:AssumeRole' }],
    });
    // Runbook step 5, as written, with the AWS CLI and the profile setup wrote.
    const { stdout } = await promisify(execFile)(
      '/usr/bin/aws',
      [
        'sts',
        'assume-role',
        '--role-arn',
        ROLE_ARN,
        '--role-session-name',
        'role-name-session1',
        '--duration-seconds',
        '3600',
        '--profile',
        'sts_user',
        '--endpoint-url',
        aws.endpoint,
      ],
      { env: home.env() },
    );
    expect(JSON.parse(stdout).AssumedRoleUser.Arn).toBe(
      `arn:aws-cn:sts::${ACCOUNT}:assumed-role/${ROLE}/role-name-session1`,
    );
  });

  it('a second run finds everything in place: every line exists, nothing to do, nothing touched', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    expect((await cli(['setup', '--role', ROLE])).code).toBe(0);
    const files = await filesOf(home);
    const trust = await trustOf();
    const r = await cli(['setup', '--role', ROLE]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(1, -1).every((line) => line.endsWith(' exists'))).toBe(true);
    expect(lines).toHaveLength(7);
    expect(lines.at(-1)).toBe('Nothing to do.');
    expect(await filesOf(home)).toBe(files);
    expect(await trustOf()).toEqual(trust);
    expect(
      (await iam.send(new ListAccessKeysCommand({ UserName: 'sts_user' }))).AccessKeyMetadata,
    ).toHaveLength(1);
  });

  it('keeps the principals and statements of a role others trust, in order (independent GetRole)', async () => {
    const others = {
      Sid: 'Others',
      Effect: 'Allow',
      Principal: { AWS: [ADMIN_ARN, `arn:aws-cn:iam::${ACCOUNT}:role/ci`] },
      Action: 'sts:AssumeRole',
    };
    const ec2 = {
      Sid: 'Ec2',
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const vendor = {
      Sid: 'Vendor',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws-cn:iam::111122223333:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'vendor-123' } },
    };
    await createRole(doc(others, ec2, vendor));
    const r = await cli(['setup', '--role', ROLE]);
    expect(r.code).toBe(0);
    expect(await trustOf()).toEqual({
      Version: '2012-10-17',
      Statement: [{ ...others, Principal: { AWS: [...others.Principal.AWS, USER_ARN] } }, ec2, vendor],
    });
  });

  it('turns a string principal into a list (role given as an ARN), and the user can assume the role', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const r = await cli(['setup', '--role', ROLE_ARN]);
    expect(r.code).toBe(0);
    expect((await trustOf()).Statement[0].Principal).toEqual({ AWS: [ADMIN_ARN, USER_ARN] });
    const keys = (await profileKeys(home, 'sts_user'))!;
    const assumed = await stsWith(aws, keys).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'check' }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toContain(`assumed-role/${ROLE}/check`);
  });

  it('reports a policy with another document and does not overwrite it; the rest is still set up', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const theirs = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
    };
    await iam.send(
      new CreatePolicyCommand({ PolicyName: 'STSAssumeRolePolicy', PolicyDocument: JSON.stringify(theirs) }),
    );
    const r = await cli(['setup', '--role', ROLE]);
    expect(r.stdout).toMatch(/^ {2}policy +STSAssumeRolePolicy +differs$/m);
    expect(r.stdout).toMatch(
      /^note: Policy STSAssumeRolePolicy exists with another document than the runbook's; it is not overwritten, and it does not allow sts:AssumeRole on the role\.$/m,
    );
    expect(r.stdout).toMatch(/^ {2}user +sts_user +created$/m);
    expect(r.stdout).toMatch(/^ {2}trust .* updated$/m);
    // The user cannot assume with that policy: setup says so and fails.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^tempcreds: Policy STSAssumeRolePolicy does not allow sts:AssumeRole on the role/,
    );
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }));
    expect(policy.Policy?.DefaultVersionId).toBe('v1');
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' }));
    expect(decode(version.PolicyVersion?.Document)).toEqual(theirs);
  });

  it('a user that already has two keys: an error naming both, and nothing changed', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    await iam.send(new CreateUserCommand({ UserName: 'sts_user' }));
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push(
        (await iam.send(new CreateAccessKeyCommand({ UserName: 'sts_user' }))).AccessKey!.AccessKeyId!,
      );
    const files = await filesOf(home);
    const trust = await trustOf();
    const r = await cli(['setup', '--role', ROLE]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`${ids[0]} (Active) and ${ids[1]} (Active)`);
    expect(lines[1]).toMatch(
      /^ {2}fix: Delete the one you no longer use \(aws iam delete-access-key --user-name sts_user --access-key-id AKIA/,
    );
    expect(await filesOf(home)).toBe(files);
    expect(await trustOf()).toEqual(trust);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).rejects.toThrow();
  });

  it('--dry-run prints the plan and changes nothing in IAM or on disk', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const files = await filesOf(home);
    const r = await cli(['setup', '--role', ROLE, '--dry-run', '--max-session-duration', '43200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}max session +role target-role-name 3600 -> 43200 seconds +update$/m);
    expect(r.stdout).not.toMatch(/created|updated/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Dry run: nothing was changed.');
    expect(await filesOf(home)).toBe(files);
    expect(await userExists()).toBe(false);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).rejects.toThrow();
    const role = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    expect(role.Role?.MaxSessionDuration).toBe(3600);
    expect(decode(role.Role?.AssumeRolePolicyDocument).Statement[0].Principal).toEqual({ AWS: ADMIN_ARN });
  });

  it('--create-role makes a missing role trusting the user, with --max-session-duration', async () => {
    const r = await cli(['setup', '--role', 'new-role', '--create-role', '--max-session-duration', '43200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ {2}role +new-role trusting ${USER_ARN} +created$`, 'm'));
    const role = await iam.send(new GetRoleCommand({ RoleName: 'new-role' }));
    expect(role.Role?.MaxSessionDuration).toBe(43200);
    expect(decode(role.Role?.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 'sts:AssumeRole' }],
    });
    const keys = (await profileKeys(home, 'sts_user'))!;
    expect((await stsWith(aws, keys).send(new GetCallerIdentityCommand({}))).Arn).toBe(USER_ARN);
  });

  it('a missing role without --create-role: exit 1 pointing at --create-role, nothing changed', async () => {
    const r = await cli(['setup', '--role', 'no-such-role']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Role no-such-role does not exist in account 123456789012\.\n {2}fix: .*--create-role/,
    );
    expect(await userExists()).toBe(false);
  });

  it('bad input exits 2 with one line and its fix, before changing anything', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const files = await filesOf(home);
    const cases: Array<[string[], RegExp]> = [
      [
        ['--role', ROLE, '--max-session-duration', '100'],
        /--max-session-duration "100" is not a MaxSessionDuration: AWS allows 3600\.\.43200 seconds/,
      ],
      [['--role', 'bad role!'], /"bad role!" is not a valid role name/],
      [['--role', ROLE, '--user', 'not a user'], /--user "not a user" is not a valid IAM user name/],
      [
        ['--role', ROLE, '--source-profile', 'admin'],
        /--source-profile admin is the administrator's profile/,
      ],
      [['--user', 'sts_user'], /required option '--role <role>' not specified/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(['setup', ...args])));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(2);
      expect(r.stdout).toBe('');
    });
    expect(await filesOf(home)).toBe(files);
    expect(await userExists()).toBe(false);
  });

  it('library: a declined confirmation changes nothing', async () => {
    await createRole(doc({ Effect: 'Allow', Principal: { AWS: ADMIN_ARN }, Action: 'sts:AssumeRole' }));
    const asked: string[] = [];
    const result = await setup(
      { role: ROLE, userName: 'sts_user', policyName: 'STSAssumeRolePolicy', sourceProfile: 'sts_user' },
      { aws: { region: REGION, endpointUrl: aws.endpoint, credentials: aws.admin }, files: home },
      { confirm: async (plan) => (asked.push(plan.roleArn), false) },
    );
    expect(result.outcome).toBe('declined');
    expect(asked).toEqual([ROLE_ARN]);
    expect(await userExists()).toBe(false);
  });
});
