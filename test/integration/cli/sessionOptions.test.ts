/**
 * Session tags, transitive keys, SourceIdentity and session policies, through the CLI: what reaches
 * STS (the proxy's log of AssumeRole's awsQuery parameters), what is refused before any call, and
 * how AWS's refusals read. The proxy answers as AWS does where moto takes these unchecked
 * (test/support/awsProxy/sessionShape.ts; the differences are pinned in iam/motoVsAws.test.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { createTaggableRole } from '../../support/roles.js';
import { startRunbookFixture, writeKeysProfile, type RunbookFixture } from '../../support/world.js';

const run = promisify(execFile);
const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
};

describe('session options', () => {
  let f: RunbookFixture;
  let taggable: string;
  const assumeCalls = () => f.proxy!.log.filter((e) => e.action === 'AssumeRole');
  /** The trust statement the fixes quote, spelt out here. */
  const userStatement = (Action: string[]) =>
    JSON.stringify({ Effect: 'Allow', Principal: { AWS: f.world.userArn }, Action });

  beforeAll(async () => {
    f = await startRunbookFixture({ region: 'cn-northwest-1', proxy: true });
    // A role whose trust lets the user tag sessions and set a source identity.
    taggable = await createTaggableRole(f.aws, 'taggable', f.world.userArn);
    await writeFile(join(f.home.home, 'policy.json'), JSON.stringify(POLICY, null, 2));
  });
  afterAll(() => f?.stop());
  beforeEach(() => f.proxy!.clearLog());

  const sessionFlags = [
    '--tag',
    'Project=iot data',
    '--tag',
    'Team=a=b',
    '--transitive-tag-key',
    'project',
    '--source-identity',
    'alice@example.com',
    '--policy',
    'file://policy.json',
    '--policy-arn',
    'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
  ];
  const expectedParams = {
    'Tags.member.1.Key': 'Project',
    'Tags.member.1.Value': 'iot data',
    'Tags.member.2.Key': 'Team',
    'Tags.member.2.Value': 'a=b',
    'TransitiveTagKeys.member.1': 'Project',
    SourceIdentity: 'alice@example.com',
    Policy: JSON.stringify(POLICY),
    'PolicyArns.member.1.arn': 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
  };

  it('assume sends every session option to STS as AWS names them (the policy file compacted)', async () => {
    const r = await runCli(['assume', taggable, '--source-profile', 'sts_user', ...sessionFlags], {
      env: f.env(),
      cwd: f.home.home,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(assumeCalls()).toHaveLength(1);
    expect(assumeCalls()[0]).toMatchObject({ status: 200, params: expectedParams });
  });

  it('exec and a --role command send them too', async () => {
    const exec = await runCli(
      [
        'exec',
        taggable,
        '--source-profile',
        'sts_user',
        '--tag',
        'Project=x',
        '--',
        process.execPath,
        '-e',
        '',
      ],
      { env: f.env() },
    );
    expect(exec.code).toBe(0);
    const whoami = await runCli(
      ['whoami', '--role', taggable, '--source-profile', 'sts_user', '--source-identity', 'bob'],
      { env: f.env() },
    );
    expect(whoami.code).toBe(0);
    expect(assumeCalls().map((e) => [e.params['Tags.member.1.Key'], e.params.SourceIdentity])).toEqual([
      ['Project', undefined],
      [undefined, 'bob'],
    ]);
  });

  it('a trust policy without sts:TagSession and sts:SetSourceIdentity: AWS refuses, and the fix is the statement to add', async () => {
    const r = await runCli(
      [
        'assume',
        f.world.roleName,
        '--source-profile',
        'sts_user',
        '--tag',
        'Project=x',
        '--source-identity',
        'alice',
      ],
      { env: f.env() },
    );
    expect(r.code).toBe(1);
    const statement = userStatement(['sts:TagSession', 'sts:SetSourceIdentity']);
    expect(r.stderr).toBe(
      `tempcreds: AssumeRole ${f.world.roleArn} failed: AccessDenied: User: ${f.world.userArn} is not authorized to perform: sts:TagSession on resource: ${f.world.roleArn}\n` +
        `  fix: Role ${f.world.roleName}'s trust policy must also allow sts:TagSession and sts:SetSourceIdentity for ${f.world.userArn}: add the statement ${statement} (or add "sts:TagSession", "sts:SetSourceIdentity" to the Action of the statement that trusts it).\n`,
    );
    expect(assumeCalls()[0]).toMatchObject({ status: 403, answeredByProxy: true });
  });

  it('MalformedPolicyDocument and PackedPolicyTooLarge are explained', async () => {
    const noResource = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*' }],
    });
    const malformed = await runCli(
      ['assume', taggable, '--source-profile', 'sts_user', '--policy', noResource],
      {
        env: f.env(),
      },
    );
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(
      /failed: MalformedPolicyDocument: Policy statement must contain resources\.\n {2}fix: The session policy is an identity policy: /,
    );
    // 50 tags of the longest key and value, random (incompressible): far over what a session token holds.
    const tags = Array.from(
      { length: 50 },
      (_, i) =>
        `k${i}${randomBytes(96).toString('base64url').slice(0, 125)}=${randomBytes(192).toString('base64url')}`,
    ).flatMap((t) => ['--tag', t]);
    const packed = await runCli(['assume', taggable, '--source-profile', 'sts_user', ...tags], {
      env: f.env(),
    });
    expect(packed.code).toBe(1);
    expect(packed.stderr).toMatch(
      /failed: PackedPolicyTooLarge: Packed size of session tags consumes \d+% of allotted space\.\n {2}fix: AWS packs the session tags and session policies into the session token, and these did not fit \(50 tags; /,
    );
  });

  it.each([
    [['--tag', 'novalue'], /^tempcreds: --tag "novalue" is not Key=Value\.\n/],
    [
      ['--tag', 'a=1', '--transitive-tag-key', 'b'],
      /--transitive-tag-key b is not the key of any of the session tags \(--tag\)/,
    ],
    [['--source-identity', 'aws:me'], /--source-identity "aws:me" starts with aws:/],
    [
      ['--policy', 'file://missing.json'],
      /--policy file:\/\/missing\.json: cannot read .*missing\.json \(ENOENT\)/,
    ],
    [['--policy', '{"Statement": ['], /--policy is not JSON: /],
    [
      ['--policy-arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      /is a policy of partition aws, but the session is made in cn-northwest-1 \(partition aws-cn\)/,
    ],
    [
      Array.from({ length: 11 }, (_, i) => ['--policy-arn', `arn:aws-cn:iam::aws:policy/p${i}`]).flat(),
      /at most 10/,
    ],
  ])('refuses %j before any call to AWS (exit 2)', async (flags, message) => {
    const r = await runCli(['assume', taggable, '--source-profile', 'sts_user', ...flags], {
      env: f.env(),
      cwd: f.home.home,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(f.proxy!.log).toEqual([]);
  });

  it('credential-process: the options are in the cache key, and the cache hit serves only the same request', async () => {
    const args = ['credential-process', '--role-arn', taggable, '--source-profile', 'sts_user'];
    const first = await runCli([...args, '--tag', 'Project=a', '--policy', 'file://policy.json'], {
      env: f.env(),
      cwd: f.home.home,
    });
    expect(first.code).toBe(0);
    const again = await runCli([...args, '--tag', 'Project=a', '--policy', 'file://policy.json'], {
      env: f.env(),
      cwd: f.home.home,
    });
    expect(again.stdout).toBe(first.stdout);
    expect(assumeCalls()).toHaveLength(1);
    const other = await runCli([...args, '--tag', 'Project=b', '--policy', 'file://policy.json'], {
      env: f.env(),
      cwd: f.home.home,
    });
    expect(JSON.parse(other.stdout).AccessKeyId).not.toBe(JSON.parse(first.stdout).AccessKeyId);
    expect(assumeCalls().map((e) => e.params['Tags.member.1.Value'])).toEqual(['a', 'b']);
  });

  it("credential-process without --role-arn (an IoT profile's session) refuses them, before any call", async () => {
    for (const option of [
      ['--tag', 'Project=a'],
      ['--source-identity', 'alice'],
      ['--policy-arn', 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess'],
    ]) {
      const r = await runCli(['credential-process', '--profile', 'sts_user', ...option], { env: f.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tempcreds: ${option[0]} goes with --role-arn\\.\n`));
    }
    expect(f.proxy!.log).toEqual([]);
  });

  it('configure: with session options the profile is a process profile; --mode native is refused with the reason', async () => {
    const before = await readFile(f.home.configFile, 'utf8');
    const native = await runCli(
      [
        'configure',
        taggable,
        '--profile-name',
        'tagged',
        '--source-profile',
        'sts_user',
        '--mode',
        'native',
        '--tag',
        'Project=x',
      ],
      { env: f.env() },
    );
    expect(native.code).toBe(2);
    expect(native.stderr).toMatch(
      /A native profile cannot carry session tags, SourceIdentity or session policies: the AWS CLI and SDKs read no such profile keys/,
    );
    expect(await readFile(f.home.configFile, 'utf8')).toBe(before);
    expect(f.proxy!.log).toEqual([]);

    const r = await runCli(
      ['configure', taggable, '--profile-name', 'tagged', '--source-profile', 'sts_user', ...sessionFlags],
      { env: f.env(), cwd: f.home.home },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Wrote \[profile tagged\] \(process\) /);
    const written = await readFile(f.home.configFile, 'utf8');
    expect(written).toMatch(
      /credential_process = .* --tag 'Project=iot data' --tag Team=a=b --transitive-tag-key Project --source-identity alice@example\.com --policy '\{"Version"/,
    );
    f.proxy!.clearLog();
    // The AWS CLI v2 runs the line (from another folder: the policy is in the line, not a path).
    const { stdout } = await run(
      '/usr/bin/aws',
      ['sts', 'get-caller-identity', '--profile', 'tagged', '--endpoint-url', f.endpoint],
      {
        env: f.env({ TEMPCREDS_CACHE_DIR: join(f.home.home, 'other-cache') }),
        cwd: '/',
      },
    );
    expect(JSON.parse(stdout).Arn).toMatch(/assumed-role\/taggable\//);
    expect(assumeCalls()).toHaveLength(1);
    expect(assumeCalls()[0]).toMatchObject({ status: 200, params: expectedParams });
  });

  it('doctor checks sts:TagSession and sts:SetSourceIdentity in the trust when the session asks for them', async () => {
    await writeKeysProfile(f.home, 'admin', f.aws.admin, 'cn-northwest-1');
    const options = ['--tag', 'Project=x', '--source-identity', 'alice'];
    const refused = await runCli(
      ['doctor', f.world.roleName, '--source-profile', 'sts_user', '--admin-profile', 'admin', ...options],
      { env: f.env() },
    );
    expect(refused.code).toBe(1);
    const statement = userStatement(['sts:TagSession', 'sts:SetSourceIdentity']);
    expect(refused.stdout).toContain(
      `FAIL  session options  the trust policy does not allow sts:TagSession or sts:SetSourceIdentity for ${f.world.userArn}\n`,
    );
    expect(refused.stdout).toContain(
      `fix:   Add to the trust policy of role ${f.world.roleName}: ${statement}\n`,
    );
    // The real AssumeRole sent the options and was refused for the same reason, as the check said.
    expect(refused.stdout).toMatch(/^FAIL +assume role +AWS refused: AccessDenied/m);
    expect(assumeCalls().at(-1)?.params).toMatchObject({
      'Tags.member.1.Key': 'Project',
      SourceIdentity: 'alice',
    });

    const allowed = await runCli(
      ['doctor', taggable, '--source-profile', 'sts_user', '--admin-profile', 'admin', ...options],
      { env: f.env() },
    );
    expect(allowed.stdout).toContain(
      `ok    session options  the trust policy allows sts:TagSession and sts:SetSourceIdentity for ${f.world.userArn}\n`,
    );
    expect(allowed.stdout).toContain('Result: AssumeRole works.');
    expect(allowed.code).toBe(0);

    const withoutAdmin = await runCli(['doctor', taggable, '--source-profile', 'sts_user', ...options], {
      env: f.env(),
    });
    expect(withoutAdmin.stdout).toMatch(/^skip +session options +needs --admin-profile/m);
  });
});
