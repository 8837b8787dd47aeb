/**
 * After setup: `role show`, `role set-max-duration`, `rotate-key` (including failures midway) and
 * `teardown`, through the CLI against moto with IAM enforcement on (aws-cn).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKey } from '../../../src/iam/rotateKey.js';
import type { TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws, type StaticKeys } from '../../support/localAws.js';
import { createWorld, writeKeysProfile, type World } from '../../support/world.js';
import { ACCOUNT, adminHome, adminIam, cliIn, filesOf, profileKeys, stsWith } from './helpers.js';

const REGION = 'cn-northwest-1';
const ADMIN_ARN = `arn:aws-cn:iam::${ACCOUNT}:user/admin`;

describe('role, rotate-key and teardown (aws-cn, IAM enforcement on)', () => {
  let aws: LocalAws;
  let home: TempHome;
  let iam: IAMClient;
  let cli: ReturnType<typeof cliIn>;

  const trustOf = async (roleName: string) =>
    JSON.parse(
      decodeURIComponent(
        (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!,
      ),
    );
  const keysOf = async (userName: string) =>
    ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map(
      (k) => ({
        id: k.AccessKeyId,
        status: k.Status,
      }),
    );
  const whoIs = async (keys: StaticKeys | undefined) =>
    keys && (await stsWith(aws, keys).send(new GetCallerIdentityCommand({}))).Arn;

  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
    home = await adminHome(aws);
    iam = adminIam(aws);
    cli = cliIn(aws, home);
  });
  afterAll(async () => {
    iam?.destroy();
    await home?.cleanup();
    await aws?.stop();
  });

  it('role show lists ARN, MaxSessionDuration and every trusted principal with its conditions; set-max-duration updates it', async () => {
    const world = await createWorld(aws, { alsoTrusted: [ADMIN_ARN] });
    const trust = await trustOf(world.roleName);
    trust.Statement.push(
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { AWS: '111122223333' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'vendor-1' } },
      },
    );
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: world.roleName, PolicyDocument: JSON.stringify(trust) }),
    );

    const [text, json, tooShort] = await Promise.all([
      cli(['role', 'show', world.roleName, '--output', 'text']),
      cli(['role', 'show', world.roleArn]),
      cli(['role', 'set-max-duration', world.roleName, '900']),
    ]);
    expect(text.stdout).toBe(
      [
        `RoleArn             ${world.roleArn}`,
        'MaxSessionDuration  3600 (1h)',
        `Trusted             ${world.userArn}`,
        `                    ${ADMIN_ARN}`,
        '                    Service ec2.amazonaws.com',
        '                    111122223333 (if sts:ExternalId StringEquals "vendor-1")',
        '',
      ].join('\n'),
    );
    const shown = JSON.parse(json.stdout);
    expect(shown).toMatchObject({
      RoleArn: world.roleArn,
      RoleName: world.roleName,
      MaxSessionDuration: 3600,
    });
    expect(shown.TrustedPrincipals).toHaveLength(4);
    expect(shown.AssumeRolePolicyDocument).toEqual(trust);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(/SECONDS "900" is not a MaxSessionDuration/);

    const set = await cli(['role', 'set-max-duration', world.roleName, '43200']);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`${world.roleArn}: MaxSessionDuration 3600 -> 43200 (12h).\n`);
    expect((await iam.send(new GetRoleCommand({ RoleName: world.roleName }))).Role?.MaxSessionDuration).toBe(
      43200,
    );
  });

  it('rotate-key: new key written and verified, old key deleted', async () => {
    const world = await createWorld(aws);
    await writeKeysProfile(home, 'rotate-ok', world.userKeys, REGION);
    const r = await cli(['rotate-key', '--source-profile', 'rotate-ok']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const saved = await profileKeys(home, 'rotate-ok');
    expect(saved?.accessKeyId).not.toBe(world.userKeys.accessKeyId);
    expect(r.stdout).toMatch(/^ {2}verified +AWS accepts AKIA\w+$/m);
    expect(r.stdout).toContain(`${world.userKeys.accessKeyId} -> ${saved?.accessKeyId}.`);
    expect(r.stdout).not.toContain(saved!.secretAccessKey);
    expect(await keysOf(world.userName)).toEqual([{ id: saved?.accessKeyId, status: 'Active' }]);
    expect(await whoIs(saved)).toBe(world.userArn);
  });

  it('rotate-key failing midway (the administrator may not delete keys): the profile keeps a working key, the output says what is left', async () => {
    const world = await createWorld(aws);
    await writeKeysProfile(home, 'rotate-deny', world.userKeys, REGION);
    await iam.send(new CreateUserCommand({ UserName: 'rotator' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'rotator',
        PolicyName: 'keys-but-no-delete',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['iam:*AccessKey*', 'iam:GetUser', 'sts:GetCallerIdentity'],
              Resource: '*',
            },
            { Effect: 'Deny', Action: 'iam:DeleteAccessKey', Resource: '*' },
          ],
        }),
      }),
    );
    const rotatorKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'rotator' }))).AccessKey!;
    await writeKeysProfile(
      home,
      'rotator',
      { accessKeyId: rotatorKey.AccessKeyId!, secretAccessKey: rotatorKey.SecretAccessKey! },
      REGION,
    );

    const r = await cli(['rotate-key', '--source-profile', 'rotate-deny', '--profile', 'rotator']);
    expect(r.code).toBe(1);
    const saved = await profileKeys(home, 'rotate-deny');
    const old = world.userKeys.accessKeyId;
    expect(r.stdout).toMatch(/^ {2}deactivated +old key AKIA\w+$/m);
    expect(r.stderr).toContain(
      `tempcreds: rotate-key could not delete the old key (DeleteAccessKey ${old} failed: AccessDenied`,
    );
    expect(r.stderr).toContain(
      `State: profile rotate-deny holds the new, verified key ${saved?.accessKeyId}; the old key ${old} is inactive but not deleted.`,
    );
    expect(r.stderr).toContain(
      `  fix: aws iam delete-access-key --user-name ${world.userName} --access-key-id ${old}`,
    );
    expect(await whoIs(saved)).toBe(world.userArn);
    expect(await keysOf(world.userName)).toEqual(
      expect.arrayContaining([
        { id: old, status: 'Inactive' },
        { id: saved?.accessKeyId, status: 'Active' },
      ]),
    );
  });

  it('rotate-key whose new key stops working before verification (library, hook deletes it): the old key goes back into the profile', async () => {
    const world = await createWorld(aws);
    await writeKeysProfile(home, 'rotate-rollback', world.userKeys, REGION);
    const before = await filesOf(home);
    const events: string[] = [];
    const error = await rotateKey(
      { sourceProfile: 'rotate-rollback' },
      {
        aws: { region: REGION, endpointUrl: aws.endpoint, credentials: aws.admin },
        files: home,
        sleep: async () => undefined,
        onEvent: async (event) => {
          events.push(event.type);
          // Someone deletes the new key between writing and verifying it: a real IAM change.
          if (event.type === 'written') {
            await iam.send(
              new DeleteAccessKeyCommand({ UserName: world.userName, AccessKeyId: event.accessKeyId }),
            );
          }
        },
      },
    ).catch((err: Error) => err);
    expect(events).toEqual(['created', 'written']);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^rotate-key stopped: the new key does not work \\(AWS did not accept the new key AKIA\\w+ after 8 tries: .*InvalidClientTokenId.*\\)\\. State: profile rotate-rollback has its old key ${world.userKeys.accessKeyId} again; the new key AKIA\\w+ is gone from IAM\\.$`,
      ),
    );
    expect(await filesOf(home)).toBe(before);
    expect(await whoIs(await profileKeys(home, 'rotate-rollback'))).toBe(world.userArn);
    expect(await keysOf(world.userName)).toEqual([{ id: world.userKeys.accessKeyId, status: 'Active' }]);
  });

  it('teardown prints its plan without --yes, then removes what setup made and keeps everything else', async () => {
    const world: World = await createWorld(aws, { alsoTrusted: [ADMIN_ARN] });
    const original = await trustOf(world.roleName);
    const vendor = {
      Effect: 'Allow',
      Principal: { AWS: '111122223333' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'v' } },
    };
    original.Statement.push(vendor);
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: world.roleName,
        PolicyDocument: JSON.stringify(original),
      }),
    );
    // setup with its own user and policy names, on a role others trust.
    const names = ['--user', 'td_user', '--policy', 'TdPolicy', '--source-profile', 'td'];
    expect((await cli(['setup', '--role', world.roleName, ...names])).code).toBe(0);
    // The policy is also in use elsewhere: teardown must keep it.
    await iam.send(new CreateUserCommand({ UserName: 'ops' }));
    const policyArn = `arn:aws-cn:iam::${ACCOUNT}:policy/TdPolicy`;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'ops', PolicyArn: policyArn }));
    const tdArn = `arn:aws-cn:iam::${ACCOUNT}:user/td_user`;
    const tdKey = (await profileKeys(home, 'td'))!.accessKeyId;

    const plan = await cli(['teardown', '--role', world.roleName, ...names]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      new RegExp(`^ {2}trust +role ${world.roleName} trusts ${tdArn} +remove$`, 'm'),
    );
    expect(plan.stdout).toMatch(/^ {2}policy +TdPolicy +kept$/m);
    expect(plan.stdout).toMatch(/^note: policy TdPolicy kept: it is also attached to user\/ops\.$/m);
    expect(plan.stdout.trim().split('\n').at(-1)).toBe('Nothing was changed: run again with --yes to apply.');
    expect((await trustOf(world.roleName)).Statement[0].Principal.AWS).toContain(tdArn);

    const r = await cli(['teardown', '--role', world.roleName, ...names, '--yes']);
    expect(r.code).toBe(0);
    for (const line of [
      'trust',
      `access key +${tdKey} of user td_user`,
      'profile +td',
      'attachment',
      'user +td_user',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${line}.* removed$`, 'm'));
    }
    expect(r.stdout).toMatch(/^Done: 5 removed\.$/m);
    // Independent reads: the trust is as before setup, the user is gone, the policy stays.
    expect(await trustOf(world.roleName)).toEqual(original);
    await expect(iam.send(new GetUserCommand({ UserName: 'td_user' }))).rejects.toThrow();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.Arn).toBe(policyArn);
    expect(await profileKeys(home, 'td')).toBeUndefined();
    // The world's own user still assumes the role.
    expect(await whoIs(world.userKeys)).toBe(world.userArn);

    const again = await cli(['teardown', '--role', world.roleName, ...names, '--yes']);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('Nothing to do.');
  });
});
