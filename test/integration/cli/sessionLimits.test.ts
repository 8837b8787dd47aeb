import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { createWorld, type World } from '../../support/world.js';

/** Through the fidelity proxy, which enforces MaxSessionDuration and the role-chaining cap as AWS does. */
describe('session length rules (AWS behaviour via the proxy)', () => {
  let aws: LocalAws;
  let proxy: AwsProxy;
  let home: TempHome;
  let twoHours: World;
  let ninetyMinutes: World;
  const env = () => home.env({ AWS_ENDPOINT_URL: proxy.endpoint });
  const assumeActions = () => proxy.log.filter((e) => e.action === 'AssumeRole');

  beforeAll(async () => {
    aws = await startLocalAws({ region: 'us-gov-west-1' });
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: 'us-gov-west-1' });
    twoHours = await createWorld(aws, { maxSessionDuration: 7200 });
    // moto matches trust principals exactly (no account root, no role-to-session matching), so the
    // chained role trusts the exact session ARN, a principal AWS accepts too.
    ninetyMinutes = await createWorld(aws, {
      maxSessionDuration: 5400,
      alsoTrusted: [`arn:aws-us-gov:sts::123456789012:assumed-role/${twoHours.roleName}/chain`],
    });
    home = await makeTempHome();
    // Two users, a role profile on top of the first (for chaining), in GovCloud.
    await writeFile(
      home.credentialsFile,
      `[u1]\naws_access_key_id = ${twoHours.userKeys.accessKeyId}\naws_secret_access_key = ${twoHours.userKeys.secretAccessKey}\n` +
        `[u2]\naws_access_key_id = ${ninetyMinutes.userKeys.accessKeyId}\naws_secret_access_key = ${ninetyMinutes.userKeys.secretAccessKey}\n`,
    );
    await writeFile(
      home.configFile,
      `[profile u1]\nregion = us-gov-west-1\n[profile u2]\nregion = us-gov-west-1\n` +
        `[profile chained]\nrole_arn = ${twoHours.roleArn}\nsource_profile = u1\nrole_session_name = chain\nregion = us-gov-west-1\n`,
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await aws?.stop();
    await home?.cleanup();
  });

  it('an explicit duration above MaxSessionDuration fails with AWS words and the fix', async () => {
    const r = await runCli(['assume', twoHours.roleName, '--source-profile', 'u1', '--duration', '3h'], {
      env: env(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'AWS refused DurationSeconds=10800: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
    expect(r.stderr).toMatch(
      /fix: Use --duration max .* tempcreds role set-max-duration target-role-name\d+ 10800/,
    );
    expect(r.stdout).toBe('');
  });

  it('max steps down until AWS accepts, to the role limit (whole hours)', async () => {
    proxy.clearLog();
    const r = await runCli(['assume', twoHours.roleName, '--source-profile', 'u1', '--duration', 'max'], {
      env: env(),
    });
    expect(r.code).toBe(0);
    const expires = Date.parse(JSON.parse(r.stdout).Credentials.Expiration);
    expect(Math.round((expires - Date.now()) / 60_000)).toBe(120);
    expect(JSON.parse(r.stdout).AssumedRoleUser.Arn).toMatch(/^arn:aws-us-gov:sts::/);
    expect(assumeActions().filter((e) => e.status === 200)).toHaveLength(1);
  });

  it('max finds a limit that is not a whole number of hours (15-minute precision)', async () => {
    const r = await runCli(
      ['assume', ninetyMinutes.roleName, '--source-profile', 'u2', '--duration', 'max'],
      { env: env() },
    );
    expect(r.code).toBe(0);
    const expires = Date.parse(JSON.parse(r.stdout).Credentials.Expiration);
    expect(Math.round((expires - Date.now()) / 60_000)).toBe(90);
  });

  it('role chaining caps at 3600 with a warning instead of failing', async () => {
    const r = await runCli(
      ['assume', ninetyMinutes.roleArn, '--profile', 'chained', '--duration', '2h', '--format', 'process'],
      {
        env: env(),
      },
    );
    expect(r.stderr).toBe(
      'warning: The source credentials are a role session (role chaining): AWS caps the session at 3600 seconds, not 7200.\n',
    );
    expect(r.code).toBe(0);
    const expires = Date.parse(JSON.parse(r.stdout).Expiration);
    expect(Math.round((expires - Date.now()) / 60_000)).toBe(60);
  });

  it('max under role chaining asks for 3600 at once', async () => {
    proxy.clearLog();
    const r = await runCli(['assume', ninetyMinutes.roleArn, '--profile', 'chained', '--duration', 'max'], {
      env: env(),
    });
    expect(r.code).toBe(0);
    // One AssumeRole for the profile, one for the target: no step-down through refusals.
    expect(assumeActions().map((e) => e.status)).toEqual([200, 200]);
  });

  it('the proxy refuses a chained session over an hour as AWS does (what the cap avoids)', async () => {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const first = new STSClient({
      region: 'us-gov-west-1',
      endpoint: proxy.endpoint,
      credentials: twoHours.userKeys,
    });
    const session = await first.send(
      new AssumeRoleCommand({ RoleArn: twoHours.roleArn, RoleSessionName: 'chain' }),
    );
    const chained = new STSClient({
      region: 'us-gov-west-1',
      endpoint: proxy.endpoint,
      credentials: {
        accessKeyId: session.Credentials!.AccessKeyId!,
        secretAccessKey: session.Credentials!.SecretAccessKey!,
        sessionToken: session.Credentials!.SessionToken!,
      },
    });
    await expect(
      chained.send(
        new AssumeRoleCommand({
          RoleArn: ninetyMinutes.roleArn,
          RoleSessionName: 'x',
          DurationSeconds: 3601,
        }),
      ),
    ).rejects.toThrow(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  });
});
