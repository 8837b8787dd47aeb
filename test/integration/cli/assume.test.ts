import { readFile, stat, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LocalAws } from '../../support/localAws.js';
import { CLI, makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { createWorld, startRunbookFixture, type RunbookFixture, type World } from '../../support/world.js';

describe('tempcreds assume (China partition, IAM enforcement on)', () => {
  let fixture: RunbookFixture;
  let aws: LocalAws;
  let home: TempHome;
  let world: World;
  const env = (extra: NodeJS.ProcessEnv = {}) => fixture.env(extra);

  beforeAll(async () => {
    fixture = await startRunbookFixture({ region: 'cn-northwest-1' });
    ({ aws, home, world } = fixture);
  });
  afterAll(() => fixture?.stop());

  it('prints the exact aws sts assume-role JSON shape, with aws-cn ARNs from a role name', async () => {
    const r = await runCli(['assume', world.roleName, '--source-profile', 'sts_user', '--duration', '1h'], {
      env: env(),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['Credentials', 'AssumedRoleUser']);
    expect(Object.keys(out.Credentials)).toEqual([
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(out.AssumedRoleUser.Arn).toMatch(
      new RegExp(`^arn:aws-cn:sts::123456789012:assumed-role/${world.roleName}/tempcreds-`),
    );
    // The keys work as the role.
    const sts = new STSClient({
      region: 'cn-northwest-1',
      endpoint: aws.endpoint,
      credentials: {
        accessKeyId: out.Credentials.AccessKeyId,
        secretAccessKey: out.Credentials.SecretAccessKey,
        sessionToken: out.Credentials.SessionToken,
      },
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(
      `assumed-role/${world.roleName}/`,
    );
  });

  it('works with the runbook jq pipeline', async () => {
    const r = await runCli(
      ['assume', world.roleArn, '--source-profile', 'sts_user', '--session-name', 'role-name-session1'],
      {
        env: env(),
      },
    );
    const id = execFileSync(
      'node',
      [
        '-e',
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Credentials.AccessKeyId))',
      ],
      {
        input: r.stdout,
      },
    )
      .toString()
      .trim();
    expect(id).toMatch(/^ASIA/);
    expect(JSON.parse(r.stdout).AssumedRoleUser.Arn).toMatch(/\/role-name-session1$/);
  });

  it('--write-profile puts keys in [NAME] and region in [profile NAME], not [default], keeping every other byte', async () => {
    const config =
      '# my config\n[default]\nregion = eu-west-1\n\n[profile sts_user]\nregion = cn-northwest-1\n';
    const before = await readFile(home.credentialsFile, 'utf8');
    await writeFile(home.configFile, config);
    const r = await runCli(
      ['assume', world.roleName, '--source-profile', 'sts_user', '--write-profile', 'target-role-profile'],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Wrote profile target-role-profile \(region cn-northwest-1\): arn:aws-cn:sts::123456789012:assumed-role\//,
    );
    const credentials = await readFile(home.credentialsFile, 'utf8');
    const after = await readFile(home.configFile, 'utf8');
    expect(credentials.startsWith(before)).toBe(true);
    expect(credentials.slice(before.length)).toMatch(
      /^\n\[target-role-profile\]\naws_access_key_id = ASIA\w+\naws_secret_access_key = \S+\naws_session_token = \S+\naws_credential_expiration = \S+\n$/,
    );
    expect(after).toBe(`${config}\n[profile target-role-profile]\nregion = cn-northwest-1\n`);
    // The secret is not printed, and the file is private.
    const secret = /aws_secret_access_key = (\S+)\n\[?/.exec(credentials.slice(before.length))![1]!;
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect((await stat(home.credentialsFile)).mode & 0o777).toBe(0o600);
    // The profile is usable as written: whoami through it.
    const who = await runCli(['whoami', '--profile', 'target-role-profile', '--output', 'json'], {
      env: env(),
    });
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ Account: '123456789012', Region: 'cn-northwest-1' });
    expect(JSON.parse(who.stdout).SecondsLeft).toBeGreaterThan(3000);
  });

  it.each([
    ['bash', /^export AWS_ACCESS_KEY_ID=(['"]?)ASIA\w+\1$/m],
    ['fish', /^set -gx AWS_ACCESS_KEY_ID 'ASIA\w+'/m],
    ['powershell', /^\$Env:AWS_ACCESS_KEY_ID = 'ASIA\w+'$/m],
    ['cmd', /^set "AWS_ACCESS_KEY_ID=ASIA\w+"$/m],
    ['dotenv', /^AWS_ACCESS_KEY_ID="?ASIA\w+"?$/m],
    ['process', /"Version": ?1/],
  ])('--format %s', async (format, pattern) => {
    const r = await runCli(['assume', world.roleName, '--source-profile', 'sts_user', '--format', format], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(pattern);
    if (format !== 'process') expect(r.stdout).toContain('cn-northwest-1');
  });

  it('exports work in a real bash: eval the output and call AWS with it', async () => {
    const r = await runCli(['assume', world.roleName, '--source-profile', 'sts_user', '--format', 'bash'], {
      env: env(),
    });
    const script = `eval "$(cat)"; node -e 'console.log([process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION, process.env.AWS_ACCESS_KEY_ID.slice(0,4), !!process.env.AWS_SESSION_TOKEN, !!process.env.AWS_CREDENTIAL_EXPIRATION].join(" "))'`;
    const out = execFileSync('bash', ['-c', script], {
      input: r.stdout,
      env: { PATH: process.env.PATH },
    }).toString();
    expect(out.trim()).toBe('cn-northwest-1 cn-northwest-1 ASIA true true');
  });

  it.each([
    [
      'bash',
      'bash',
      (cmd: string) => `eval "$(${cmd})" && /usr/bin/aws sts get-caller-identity --endpoint-url "$EP"`,
    ],
    [
      'zsh',
      'zsh',
      (cmd: string) => `eval "$(${cmd})" && /usr/bin/aws sts get-caller-identity --endpoint-url "$EP"`,
    ],
    [
      'fish',
      'fish',
      (cmd: string) => `${cmd} | source; and /usr/bin/aws sts get-caller-identity --endpoint-url "$EP"`,
    ],
  ])(
    '%s: eval of --format with --write-profile, over a stale AWS_SECURITY_TOKEN and AWS_PROFILE, calls AWS as the role',
    async (_name, shell, script) => {
      const cli = `"${process.execPath}" "${CLI}" assume ${world.roleName} --source-profile sts_user --format ${shell} --write-profile evaled`;
      const out = execFileSync(shell, ['-c', script(cli)], {
        env: env({ EP: aws.endpoint, AWS_SECURITY_TOKEN: 'stale-token-from-yesterday', AWS_PROFILE: 'gone' }),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(JSON.parse(out).Arn).toMatch(new RegExp(`:assumed-role/${world.roleName}/`));
    },
  );

  it('with --format, stdout holds only the format and the "Wrote profile" line goes to stderr', async () => {
    const r = await runCli(
      [
        'assume',
        world.roleName,
        '--source-profile',
        'sts_user',
        '--format',
        'bash',
        '--write-profile',
        'both',
      ],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => /^(unset|export) AWS_/.test(line)),
    ).toBe(true);
    expect(r.stderr).toMatch(/^Wrote profile both \(region cn-northwest-1\): arn:aws-cn:sts::/);
  });

  it.each([
    [['assume', 'x', '--duration', '13h'], /900\.\.43200/],
    [['assume', 'x', '--duration', 'soon'], /not a duration/],
    [['assume', 'x', '--session-name', 'a b'], /session-name/],
    [['assume', 'arn:aws:iam::123:role/x'], /not a role ARN/],
    [['assume', 'x', '--format', 'yaml'], /Unknown format "yaml"/],
    [['assume', 'x', '--write-profile', 'a]b'], /cannot be a profile name/],
    [['assume', 'x', '--source-profile', 'nobody'], /Profile "nobody" is in neither/],
    [['assume', 'x', '--external-id', 'a'], /external-id/],
    [['assume', 'x', '--mfa-serial', 'arn:aws:iam::1:mfa/me'], /--token-code/],
    [['assume', 'x', '--bogus'], /unknown option/],
    [['assume'], /missing required argument/],
    [['frobnicate'], /unknown command/],
  ])('bad input %j exits 2 with one line and changes nothing', async (args, message) => {
    const before = [await readFile(home.configFile, 'utf8'), await readFile(home.credentialsFile, 'utf8')];
    const r = await runCli([...(args as string[])], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.stdout).toBe('');
    expect([await readFile(home.configFile, 'utf8'), await readFile(home.credentialsFile, 'utf8')]).toEqual(
      before,
    );
  });

  it('a malformed credentials file is reported with path and line, exit 2, untouched', async () => {
    const other = await makeTempHome();
    await writeFile(other.credentialsFile, '[sts_user]\naws_access_key_id = A\nthis is not ini\n');
    const r = await runCli(
      ['assume', world.roleName, '--source-profile', 'sts_user', '--write-profile', 'x'],
      {
        env: other.env({ AWS_ENDPOINT_URL: aws.endpoint }),
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${other.credentialsFile} line 3`);
    expect(await readFile(other.credentialsFile, 'utf8')).toBe(
      '[sts_user]\naws_access_key_id = A\nthis is not ini\n',
    );
    await other.cleanup();
  });

  it('AWS refusals exit 1 with AWS words and a fix; no secret leaks, even with --debug', async () => {
    // A role that trusts someone else: AWS (and moto under enforcement) refuses.
    const stranger = await createWorld(aws);
    const r = await runCli(['assume', stranger.roleName, '--source-profile', 'sts_user', '--debug'], {
      env: env(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AccessDenied/);
    expect(r.stderr).toMatch(/fix: .*tempcreds doctor/);
    expect(r.stderr).not.toContain(world.userKeys.secretAccessKey);
  });
});
