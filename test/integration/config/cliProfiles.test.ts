/**
 * `configure` and `assume --write-profile` as a user runs them, over profiles that already hold
 * something: what tempcreds writes must be what the AWS CLI v2 and boto3 then use (checked with
 * `aws sts get-caller-identity` and boto3 against moto), what it removes is said on stderr, and
 * what it refuses is one line with the fix, exit 2, nothing changed.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, makeTempHome, runCli, type CliResult, type TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { createWorld, type World } from '../../support/world.js';
import { AWS_CLI } from './readers.js';

const run = promisify(execFile);

let aws: LocalAws;
let world: World;
let home: TempHome;
let staleSession: { accessKeyId: string; secretAccessKey: string; sessionToken: string };

const env = (extra: NodeJS.ProcessEnv = {}) =>
  home.env({
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  });
const tempcreds = (...args: string[]) => runCli(args, { env: env() });

/**
 * Who the AWS CLI v2 and boto3 say profile P is. The AWS CLI 2.9 takes no AWS_ENDPOINT_URL, so
 * for a role_arn profile (whose AssumeRole it would send to the real STS) only boto3 can say.
 */
async function callers(
  profile: string,
  readers: Array<'cli' | 'boto3'> = ['cli', 'boto3'],
): Promise<string[]> {
  const options = { env: env({ AWS_DEFAULT_REGION: 'us-east-1' }) };
  const arns: string[] = [];
  if (readers.includes('cli')) {
    const args = ['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', aws.endpoint];
    arns.push(JSON.parse((await run(AWS_CLI, args, options)).stdout).Arn as string);
  }
  if (readers.includes('boto3')) {
    const script =
      'import boto3,sys; s=boto3.Session(profile_name=sys.argv[1]); print(s.client("sts", endpoint_url=sys.argv[2]).get_caller_identity()["Arn"])';
    arns.push((await run('python3', ['-c', script, profile, aws.endpoint], options)).stdout.trim());
  }
  return arns;
}

beforeAll(async () => {
  aws = await startLocalAws({ region: 'us-east-1' });
  world = await createWorld(aws);
  // Session keys of another session of the role, to stand for keys a profile already holds.
  const sts = new STSClient({ ...aws.adminClientConfig(), credentials: world.userKeys });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'stale-keys' }),
  );
  staleSession = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
});
afterAll(() => aws?.stop());
beforeEach(async () => {
  home = await makeTempHome();
  await writeFile(
    home.credentialsFile,
    `[sts_user]\naws_access_key_id = ${world.userKeys.accessKeyId}\naws_secret_access_key = ${world.userKeys.secretAccessKey}\n`,
  );
  await writeFile(home.configFile, '[profile sts_user]\nregion = us-east-1\n');
  // As the AWS CLI leaves them (a readable one would add a warning of its own).
  await Promise.all([chmod(home.credentialsFile, 0o600), chmod(home.configFile, 0o600)]);
  return () => home.cleanup();
});

/** The one-line refusal: message and fix, exit 2, files as they were. */
async function expectRefused(r: CliResult, before: string[], pattern: RegExp): Promise<void> {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  expect([await readFile(home.credentialsFile, 'utf8'), await readFile(home.configFile, 'utf8')]).toEqual(
    before,
  );
}

const files = () => Promise.all([readFile(home.credentialsFile, 'utf8'), readFile(home.configFile, 'utf8')]);

describe('configure --mode process over a profile with keys', () => {
  const configureProcess = () =>
    tempcreds(
      'configure',
      world.roleName,
      '--profile-name',
      'p',
      '--source-profile',
      'sts_user',
      '--mode',
      'process',
    );
  /** Adds [p] with these lines to the credentials file. */
  const addProfile = async (settings: string) =>
    writeFile(home.credentialsFile, `${await readFile(home.credentialsFile, 'utf8')}[p]\n${settings}\n`);

  it('removes session keys, says so, and every AWS tool then runs the process', async () => {
    await addProfile(
      `aws_access_key_id = ${staleSession.accessKeyId}\naws_secret_access_key = ${staleSession.secretAccessKey}\naws_session_token = ${staleSession.sessionToken}`,
    );
    for (const arn of await callers('p')) expect(arn).toMatch(/\/stale-keys$/);

    const r = await configureProcess();

    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `warning: Removed aws_access_key_id, aws_secret_access_key, aws_session_token from [p] of ${home.credentialsFile}: AWS tools would use them instead of credential_process.\n`,
    );
    for (const arn of await callers('p')) expect(arn).toMatch(`:assumed-role/${world.roleName}/tempcreds-`);
  });

  it('refuses over long-lived keys: one line and the fix, exit 2, nothing changed', async () => {
    await addProfile(
      `aws_access_key_id = ${world.userKeys.accessKeyId}\naws_secret_access_key = ${world.userKeys.secretAccessKey}`,
    );
    const before = await files();
    const r = await configureProcess();
    await expectRefused(
      r,
      before,
      /holds long-lived access keys .* tempcreds does not delete them\.\n.*another profile name/,
    );
  });
});

describe('assume --write-profile over a role profile', () => {
  it('removes role_arn and source_profile, says so, and the AWS tools use the written session', async () => {
    const configured = await tempcreds(
      'configure',
      world.roleName,
      '--profile-name',
      'p',
      '--source-profile',
      'sts_user',
      '--session-name',
      'native',
    );
    expect(configured.code).toBe(0);
    for (const arn of await callers('p', ['boto3'])) expect(arn).toMatch(/\/native$/);

    const r = await tempcreds(
      'assume',
      world.roleName,
      '--source-profile',
      'sts_user',
      '--session-name',
      'written',
      '--write-profile',
      'p',
    );

    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: Removed role_arn, source_profile from [profile p] of ${home.configFile}: AWS tools would use them instead of these session keys.`,
    );
    for (const arn of await callers('p')) expect(arn).toMatch(/\/written$/);
  });

  it('refuses to overwrite the long-lived keys of the source profile itself', async () => {
    const before = await files();
    const r = await tempcreds(
      'assume',
      world.roleName,
      '--source-profile',
      'sts_user',
      '--write-profile',
      'sts_user',
    );
    await expectRefused(r, before, /^tempcreds: \[sts_user\] of .* holds long-lived access keys/);
  });
});

describe('bad input, one line with the fix', () => {
  it('a profile name with a newline is shown escaped, on one line', async () => {
    const before = await files();
    const r = await tempcreds(
      'assume',
      world.roleName,
      '--source-profile',
      'sts_user',
      '--write-profile',
      'a\nb',
    );
    await expectRefused(r, before, /^tempcreds: --write-profile "a\\nb" cannot be a profile name/);
  });

  it('a read-only credentials file', async () => {
    await chmod(home.credentialsFile, 0o444);
    const before = await files();
    const r = await tempcreds(
      'assume',
      world.roleName,
      '--source-profile',
      'sts_user',
      '--write-profile',
      'p',
    );
    await expectRefused(r, before, /it is read-only \(mode 0444\).*\n.*chmod 600/);
  });

  it.runIf(process.getuid?.() === 0)('a read-only ~/.aws (run as the user nobody)', async () => {
    const aws_ = join(home.home, '.aws');
    for (const path of [home.home, aws_, home.credentialsFile, home.configFile])
      await chown(path, 65534, 65534);
    await mkdir(join(home.home, '.cache'), { recursive: true });
    await chown(join(home.home, '.cache'), 65534, 65534);
    await chmod(aws_, 0o500);
    const before = await files();
    const r = await asNobody([
      'assume',
      world.roleName,
      '--source-profile',
      'sts_user',
      '--write-profile',
      'p',
    ]);
    await expectRefused(
      r,
      before,
      new RegExp(
        `^tempcreds: Cannot write ${aws_}/(config|credentials): the folder ${aws_} is not writable by you \\(EACCES\\)\\.\\n.*chmod u\\+rwx`,
      ),
    );
  });
});

function asNobody(args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: env(),
      uid: 65534,
      gid: 65534,
      cwd: home.home,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
