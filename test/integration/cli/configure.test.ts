import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { createWorld, type World } from '../../support/world.js';

const run = promisify(execFile);
const CALLER_LOOP = resolve(import.meta.dirname, '../../support/children/callerLoop.mjs');

describe('tempcreds configure', () => {
  let aws: LocalAws;
  let home: TempHome;
  let world: World;
  const config =
    '# team settings\n[default]\nregion = eu-west-1\n\n[profile sts_user]\nregion = cn-northwest-1\n';
  const env = (extra: NodeJS.ProcessEnv = {}) =>
    home.env({
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    });

  beforeAll(async () => {
    aws = await startLocalAws({ region: 'cn-northwest-1' });
    world = await createWorld(aws);
    home = await makeTempHome();
    await writeFile(
      home.credentialsFile,
      `[sts_user]\naws_access_key_id = ${world.userKeys.accessKeyId}\naws_secret_access_key = ${world.userKeys.secretAccessKey}\n`,
    );
    await writeFile(home.configFile, config);
  });
  afterAll(async () => {
    await aws?.stop();
    await home?.cleanup();
  });

  it('native: writes role_arn/source_profile/... that the AWS SDK itself understands', async () => {
    const r = await runCli(
      [
        'configure',
        world.roleName,
        '--profile-name',
        'target-role-profile',
        '--source-profile',
        'sts_user',
        '--duration',
        '1h',
      ],
      { env: env() },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Wrote \[profile target-role-profile\] \(native\) to .*: arn:aws-cn:iam::123456789012:role\//,
    );
    const written = await readFile(home.configFile, 'utf8');
    expect(written.startsWith(config)).toBe(true);
    expect(written.slice(config.length)).toBe(
      `\n[profile target-role-profile]\nrole_arn = ${world.roleArn}\nsource_profile = sts_user\nrole_session_name = tempcreds-${process.env.USER ?? 'root'}\nduration_seconds = 3600\nregion = cn-northwest-1\n`,
    );
    // An independent client: the SDK's default chain with AWS_PROFILE, in a child process.
    const { stdout } = await run(process.execPath, [CALLER_LOOP], {
      env: env({ AWS_PROFILE: 'target-role-profile', LOOP_DURATION_MS: '1' }),
    });
    expect(JSON.parse(stdout.split('\n')[0]!).arn).toMatch(
      `arn:aws-cn:sts::123456789012:assumed-role/${world.roleName}/`,
    );
  });

  it('process: writes a credential_process line the AWS CLI v2 runs, and switching modes leaves one way', async () => {
    const r = await runCli(
      [
        'configure',
        world.roleArn,
        '--profile-name',
        'target-role-profile',
        '--source-profile',
        'sts_user',
        '--mode',
        'process',
      ],
      { env: env() },
    );
    expect(r.code).toBe(0);
    const written = await readFile(home.configFile, 'utf8');
    const section = written.slice(written.indexOf('[profile target-role-profile]'));
    expect(section).toMatch(
      /^\[profile target-role-profile\]\nregion = cn-northwest-1\ncredential_process = \S+node \S+tempcreds\.cjs credential-process --role-arn /,
    );
    expect(section).not.toMatch(/role_arn|source_profile/);
    const { stdout } = await run(
      '/usr/bin/aws',
      ['sts', 'get-caller-identity', '--profile', 'target-role-profile', '--endpoint-url', aws.endpoint],
      {
        env: env(),
      },
    );
    expect(JSON.parse(stdout).Arn).toMatch(`assumed-role/${world.roleName}/`);
  });

  it('whoami through a configured profile tells the time left', async () => {
    const r = await runCli(['whoami', '--profile', 'target-role-profile', '--output', 'text'], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Account {2}123456789012\nArn {6}arn:aws-cn:sts::123456789012:assumed-role\//);
    expect(r.stdout).toMatch(/Expires {2}\S+ \(in (59|60)m\)/);
  });

  it('bad input exits 2 and writes nothing', async () => {
    const before = await readFile(home.configFile, 'utf8');
    for (const args of [
      ['configure', world.roleName],
      ['configure', world.roleName, '--profile-name', 'x', '--mode', 'magic'],
      ['configure', world.roleName, '--profile-name', 'sts_user', '--source-profile', 'sts_user'],
      ['configure', world.roleName, '--profile-name', '[x]'],
      ['configure', world.roleName, '--profile-name', 'x', '--source-profile', 'ghost'],
      ['configure', world.roleName, '--profile-name', 'x', '--region', 'moon-1'],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
    expect(await readFile(home.configFile, 'utf8')).toBe(before);
  });
});
