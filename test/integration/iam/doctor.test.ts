/**
 * `tempcreds doctor` through the CLI against moto with IAM enforcement on (aws-cn): a good world
 * and broken ones, each named by its cause. Worlds are independent, so their doctors run at once.
 */
import { DetachUserPolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult, TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { createWorld, writeKeysProfile, type World } from '../../support/world.js';
import { ACCOUNT, adminHome, adminIam, cliIn } from './helpers.js';

const REGION = 'cn-northwest-1';

/** `status name` of each check line, e.g. `FAIL trust`. */
function checkStates(r: CliResult): string[] {
  return r.stdout
    .split('\n')
    .map((line) =>
      /^(ok|FAIL|skip) +(profile|keys|partition|role|identity policy|trust|duration|assume role) /.exec(line),
    )
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

/** The cause line under a failed check. */
function causeOf(r: CliResult, name: string): string {
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((line) => line.startsWith(`FAIL  ${name.padEnd(15)}`));
  return at < 0 ? '' : lines.slice(at + 1, at + 3).join('\n');
}

describe('tempcreds doctor (aws-cn, IAM enforcement on)', () => {
  let aws: LocalAws;
  let home: TempHome;
  let cli: ReturnType<typeof cliIn>;
  const results: Record<string, CliResult> = {};
  const worlds: Record<string, World> = {};

  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
    home = await adminHome(aws);
    cli = cliIn(aws, home);
    const iam = adminIam(aws);
    for (const name of ['good', 'unknownKey', 'wrongSecret', 'noPermission', 'untrusted', 'missingRole']) {
      worlds[name] = await createWorld(aws);
    }
    const { good, unknownKey, wrongSecret, noPermission, untrusted, missingRole } = worlds as Record<
      string,
      World
    >;
    await writeKeysProfile(home, 'good', good!.userKeys, REGION);
    await writeKeysProfile(
      home,
      'unknown-key',
      { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x'.repeat(40) },
      REGION,
    );
    await writeKeysProfile(
      home,
      'wrong-secret',
      { ...wrongSecret!.userKeys, secretAccessKey: 'y'.repeat(40) },
      REGION,
    );
    await writeKeysProfile(home, 'no-permission', noPermission!.userKeys, REGION);
    await writeKeysProfile(home, 'untrusted', untrusted!.userKeys, REGION);
    await writeKeysProfile(home, 'missing-role', missingRole!.userKeys, REGION);
    void unknownKey;
    // Break each world in one way, with plain administrator calls.
    await iam.send(
      new DetachUserPolicyCommand({
        UserName: noPermission!.userName,
        PolicyArn: `arn:aws-cn:iam::${ACCOUNT}:policy/STSAssumeRolePolicy${noPermission!.userName.replace('sts_user', '')}`,
      }),
    );
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: untrusted!.roleName,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    iam.destroy();

    const doctor = (world: World, profile: string, extra: string[] = []) =>
      cli(['doctor', world.roleName, '--source-profile', profile, '--admin-profile', 'admin', ...extra]);
    const runs: Record<string, Promise<CliResult>> = {
      good: doctor(good!, 'good'),
      goodWithoutAdmin: cli(['doctor', good!.roleArn, '--source-profile', 'good']),
      noProfile: doctor(good!, 'nope'),
      unknownKey: doctor(good!, 'unknown-key'),
      wrongSecret: doctor(wrongSecret!, 'wrong-secret'),
      noPermission: doctor(noPermission!, 'no-permission'),
      untrusted: doctor(untrusted!, 'untrusted'),
      missingRole: cli([
        'doctor',
        'no-such-role',
        '--source-profile',
        'missing-role',
        '--admin-profile',
        'admin',
      ]),
    };
    for (const [name, run] of Object.entries(runs)) results[name] = await run;
  });
  afterAll(async () => {
    await home?.cleanup();
    await aws?.stop();
  });

  it('a good world: every check passes and exit 0 after a real AssumeRole', () => {
    const r = results.good!;
    expect(r.stderr).toBe('');
    expect(checkStates(r)).toEqual(
      ['profile', 'keys', 'partition', 'role', 'identity policy', 'trust', 'duration', 'assume role'].map(
        (n) => `ok ${n}`,
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^ok +assume role +AWS issued arn:aws-cn:sts::${ACCOUNT}:assumed-role/${worlds.good!.roleName}/tempcreds-doctor-\\d+ until `,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      /^ok +trust +statement 1 trusts arn:aws-cn:iam::123456789012:user\/sts_user\d+ by its ARN$/m,
    );
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Result: AssumeRole works.');
    expect(r.code).toBe(0);
  });

  it('without --admin-profile the IAM checks are skipped, and the real AssumeRole decides', () => {
    const r = results.goodWithoutAdmin!;
    expect(checkStates(r)).toEqual([
      'ok profile',
      'ok keys',
      'ok partition',
      'skip role',
      'skip identity policy',
      'skip trust',
      'skip duration',
      'ok assume role',
    ]);
    expect(r.code).toBe(0);
  });

  it('no profile: the profile check fails, naming the files', () => {
    const r = results.noProfile!;
    expect(r.code).toBe(1);
    expect(checkStates(r).slice(0, 3)).toEqual(['FAIL profile', 'skip keys', 'skip partition']);
    expect(causeOf(r, 'profile')).toMatch(/cause: Profile "nope" is in neither .*credentials nor .*config/);
    expect(checkStates(r).at(-1)).toBe('skip assume role');
    expect(r.stdout).toMatch(/^Result: AssumeRole fails \(failed: profile\)\.$/m);
  });

  it('an unknown key: deleted, or of another partition', () => {
    const r = results.unknownKey!;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +keys +AWS does not know access key AKIAZZZZZZZZZZZZZZZZ$/m);
    expect(causeOf(r, 'keys')).toMatch(
      /the key was deleted \(or never existed\), or it belongs to another partition than cn-northwest-1's \(aws-cn\)/,
    );
  });

  it('a wrong secret: told apart from clock skew', () => {
    const r = results.wrongSecret!;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +keys +AWS refused the signature of access key AKIA\w+: wrong secret$/m);
    expect(causeOf(r, 'keys')).toMatch(
      /the secret access key in profile wrong-secret is not the one of AKIA\w+ \(the clock is fine\)/,
    );
    expect(r.stdout + r.stderr).not.toContain('y'.repeat(40));
  });

  it('a user without sts:AssumeRole permission: the identity policy check names it, and AWS refuses', () => {
    const r = results.noPermission!;
    expect(r.code).toBe(1);
    expect(checkStates(r)).toContain('FAIL identity policy');
    expect(checkStates(r)).toContain('ok trust');
    expect(causeOf(r, 'identity policy')).toMatch(
      /user sts_user\d+ lacks the sts:AssumeRole permission \(the user has no policies\)/,
    );
    expect(causeOf(r, 'identity policy')).toMatch(
      /fix: +aws iam attach-user-policy --user-name sts_user\d+ --policy-arn arn:aws-cn:iam::123456789012:policy\/STSAssumeRolePolicy/,
    );
    expect(r.stdout).toMatch(/^FAIL +assume role +AWS refused: AccessDenied$/m);
    expect(causeOf(r, 'assume role')).toMatch(/see the failed identity policy check above/);
  });

  it('a role that does not trust the user: the trust check names who it trusts and how to fix it', () => {
    const r = results.untrusted!;
    const { roleName, userName } = worlds.untrusted!;
    expect(r.code).toBe(1);
    expect(checkStates(r)).toContain('ok identity policy');
    expect(r.stdout).toMatch(
      new RegExp(
        `^FAIL +trust +role ${roleName} does not trust arn:aws-cn:iam::${ACCOUNT}:user/${userName}$`,
        'm',
      ),
    );
    expect(causeOf(r, 'trust')).toMatch(
      /its trust policy names arn:aws-cn:iam::123456789012:user\/admin for sts:AssumeRole, not this user or its account/,
    );
    expect(causeOf(r, 'trust')).toContain(
      `fix:   tempcreds setup --role ${roleName} --user ${userName} --profile admin`,
    );
    expect(causeOf(r, 'assume role')).toMatch(/AccessDenied.*see the failed trust check above/);
  });

  it('a missing role: named as such, and AssumeRole (which AWS refuses) is not attempted', () => {
    const r = results.missingRole!;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +role +role no-such-role does not exist$/m);
    expect(causeOf(r, 'role')).toMatch(
      /fix: .*tempcreds setup --role no-such-role --create-role --profile admin/,
    );
    expect(checkStates(r).slice(-4)).toEqual([
      'skip identity policy',
      'skip trust',
      'skip duration',
      'FAIL assume role',
    ]);
    expect(r.stdout).toMatch(/^FAIL +assume role +not attempted$/m);
  });

  it('bad input exits 2 with one line before any check', async () => {
    const [badRole, badDuration] = await Promise.all([
      cli(['doctor', 'bad role!']),
      cli(['doctor', 'target', '--duration', '10']),
    ]);
    for (const r of [badRole, badDuration]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
  });
});
