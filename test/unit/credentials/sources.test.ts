/** resolveSource: which kind of profile gives the keys, as the AWS CLI would pick it. No network. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSource, type SourceInit } from '../../../src/credentials/sources.js';
import { TempcredsError } from '../../../src/errors.js';

let dir: string;
let init: (extra?: Partial<SourceInit>) => SourceInit;
const write = (config: string, credentials = '') =>
  Promise.all([writeFile(join(dir, 'config'), config), writeFile(join(dir, 'credentials'), credentials)]);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-sources-'));
  init = (extra = {}) => ({
    env: {},
    files: { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') },
    ...extra,
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function usage(promise: Promise<unknown>): Promise<TempcredsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TempcredsError);
  expect((err as TempcredsError).exitCode).toBe(2);
  return err as TempcredsError;
}

describe('resolveSource', () => {
  it('static keys: the credentials file wins over the config file, region from the config', async () => {
    await write(
      '[profile p]\nregion = eu-west-1\naws_access_key_id = CONFIG\n',
      '[p]\naws_access_key_id = AKIA1\naws_secret_access_key = S1\naws_session_token = T1\n',
    );
    const source = await resolveSource(init({ profile: 'p' }));
    expect(source).toMatchObject({ profile: 'p', region: 'eu-west-1', roleSession: false });
    expect(await source.credentials()).toEqual({
      accessKeyId: 'AKIA1',
      secretAccessKey: 'S1',
      sessionToken: 'T1',
    });
  });

  it('--region, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile', async () => {
    await write(
      '[default]\nregion = eu-west-1\n',
      '[default]\naws_access_key_id = A\naws_secret_access_key = S\n',
    );
    expect((await resolveSource(init())).region).toBe('eu-west-1');
    expect((await resolveSource(init({ env: { AWS_DEFAULT_REGION: 'eu-west-2' } }))).region).toBe(
      'eu-west-2',
    );
    expect(
      (await resolveSource(init({ env: { AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'x' } }))).region,
    ).toBe('eu-west-3');
    expect((await resolveSource(init({ region: 'cn-north-1', env: { AWS_REGION: 'x' } }))).region).toBe(
      'cn-north-1',
    );
  });

  it("the environment's keys, when no profile is named; AWS_PROFILE or --profile win over them", async () => {
    await write(
      '[default]\nregion = eu-west-1\n[profile p]\nregion = cn-north-1\n',
      '[p]\naws_access_key_id = FROMFILE\naws_secret_access_key = S\n',
    );
    const env = {
      AWS_ACCESS_KEY_ID: 'FROMENV',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_SESSION_TOKEN: 'T',
      AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z',
    };
    const fromEnv = await resolveSource(init({ env }));
    expect(fromEnv).toMatchObject({ profile: undefined, region: 'eu-west-1' });
    expect(await fromEnv.credentials()).toEqual({
      accessKeyId: 'FROMENV',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiration: new Date('2030-01-01T00:00:00Z'),
    });
    expect(
      (await (await resolveSource(init({ env: { ...env, AWS_PROFILE: 'p' } }))).credentials()).accessKeyId,
    ).toBe('FROMFILE');
    expect((await (await resolveSource(init({ env, profile: 'p' }))).credentials()).accessKeyId).toBe(
      'FROMFILE',
    );
  });

  it('credential_process: runs the command (no shell) and reads its Version 1 JSON', async () => {
    const script = join(dir, 'creds.sh');
    await writeFile(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}'\n`,
    );
    await chmod(script, 0o755);
    await write(`[profile p]\ncredential_process = ${script} --ignored "arg"\nregion = eu-west-1\n`);
    const source = await resolveSource(init({ profile: 'p' }));
    expect(source).toMatchObject({ profile: 'p', region: 'eu-west-1', roleSession: false });
    expect((await source.credentials()).accessKeyId).toBe('AKIAPROC');
  });

  it('a role profile: its source_profile is resolved first, then the role (here refused before any call)', async () => {
    await write(
      '[profile r]\nrole_arn = arn:aws-cn:iam::111122223333:role/x\nsource_profile = k\nregion = eu-west-1\n',
      '[k]\naws_access_key_id = A\naws_secret_access_key = S\n',
    );
    const err = await usage(resolveSource(init({ profile: 'r' })));
    expect(err.message).toMatch(/is a role of partition aws-cn, but profile k calls STS in eu-west-1/);
  });

  it("a role profile's settings are checked, named as the profile's", async () => {
    await write(
      '[profile r]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = k\nduration_seconds = 60\n[profile s]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = k\nrole_session_name = a b\n',
      '[k]\naws_access_key_id = A\naws_secret_access_key = S\n',
    );
    expect((await usage(resolveSource(init({ profile: 'r' })))).message).toMatch(
      /^duration_seconds of profile r 60 is 60 seconds/,
    );
    expect((await usage(resolveSource(init({ profile: 's' })))).message).toMatch(
      /^role_session_name of profile s "a b" is invalid/,
    );
  });

  it.each([
    ['a missing profile', '', 'nobody', /^Profile "nobody" is in neither /],
    [
      'a role without a source',
      '[profile r]\nrole_arn = arn:aws:iam::1:role/x\n',
      'r',
      /has role_arn but neither source_profile nor credential_source/,
    ],
    [
      'a cycle',
      '[profile a]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::111122223333:role/y\nsource_profile = a\n',
      'a',
      /^Profile a is its own source \(a -> b -> a\)/,
    ],
    [
      'an SSO profile without a role',
      '[profile sso]\nsso_start_url = https://x\nsso_region = eu-west-1\n',
      'sso',
      /^Profile sso is an IAM Identity Center profile without sso_account_id, sso_role_name\.$/,
    ],
    [
      'an SSO profile whose sso-session is missing',
      '[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n',
      'sso',
      /^Profile sso names sso_session corp, but .* has no \[sso-session corp\]\.$/,
    ],
    [
      'a login-only sso-session profile',
      '[profile sso]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n',
      'sso',
      /without sso_account_id, sso_role_name: it holds a login only, not a role/,
    ],
    [
      'an sso-session without its region',
      '[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://x\n',
      'sso',
      /^\[sso-session corp\] has no sso_region\.$/,
    ],
    [
      'a profile that contradicts its sso-session',
      '[profile sso]\nsso_session = corp\nsso_region = eu-west-2\nsso_account_id = 111122223333\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n',
      'sso',
      /^Profile sso has sso_region eu-west-2, but its sso-session corp has eu-west-1\.$/,
    ],
    [
      'a profile with only a region',
      '[profile bare]\nregion = eu-west-1\n',
      'bare',
      /has no credentials tempcreds can use \(.*\): it has only region\.$/,
    ],
  ])('refuses %s', async (_what, config, profile, message) => {
    await write(config);
    expect((await usage(resolveSource(init({ profile })))).message).toMatch(message);
  });
});
