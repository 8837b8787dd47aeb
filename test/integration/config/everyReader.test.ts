/**
 * What tempcreds writes is what every reader reads: the AWS CLI v2 (`aws configure get`,
 * `aws configure export-credentials`), botocore (boto3's and the AWS CLI's copy) and the AWS SDK
 * for JavaScript v3 (`loadSharedConfigFiles`, `fromIni`), on files that trip one reader or another.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsFiles } from '../../../src/config/paths.js';
import { updateProfile, type ProfileChanges } from '../../../src/config/write.js';
import { lines } from '../../unit/config/fixtures.js';
import {
  BOTOCORES,
  awsAccessKey,
  awsConfigureGet,
  botocoreProfile,
  sdkAccessKey,
  sdkFiles,
} from './readers.js';

let dir: string;
let files: AwsFiles;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-readers-'));
  files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const given = (config: string, credentials: string) =>
  Promise.all([writeFile(files.configFile, config), writeFile(files.credentialsFile, credentials)]);

const SESSION: ProfileChanges = {
  credentials: {
    aws_access_key_id: 'ASIANEWSESSION',
    aws_secret_access_key: 'new-secret',
    aws_session_token: 'new-token',
  },
  config: { region: 'eu-central-1' },
};

/** Every reader's region and access key for profile p. */
async function everyReader(profile = 'p') {
  const failed = (err: Error) => `error: ${err.message.split('\n')[0]}`;
  const [sdk, botocore, cliRegion, cliKey, sdkKey] = await Promise.all([
    sdkFiles(files),
    Promise.all(BOTOCORES.map((which) => botocoreProfile(files, profile, which))),
    awsConfigureGet(files, profile, 'region'),
    awsAccessKey(files, profile).catch(failed),
    sdkAccessKey(files, profile).catch(failed),
  ]);
  return {
    cliRegion,
    cliKey,
    botocoreRegions: botocore.map((read) => read.config?.region),
    botocoreKeys: botocore.map((read) => read.credentials?.access_key),
    botocoreTokens: botocore.map((read) => read.credentials?.token),
    sdkRegion: sdk.configFile[profile]?.region,
    sdkKey,
  };
}

/** What {@link everyReader} gives when all readers use these credentials and eu-central-1. */
function allRead(key: string, token: string) {
  const region = 'eu-central-1';
  return {
    cliRegion: region,
    cliKey: key,
    botocoreRegions: BOTOCORES.map(() => region),
    botocoreKeys: BOTOCORES.map(() => key),
    botocoreTokens: BOTOCORES.map(() => token),
    sdkRegion: region,
    sdkKey: key,
  };
}

const AGREED = allRead('ASIANEWSESSION', 'new-token');

describe('session keys written over keys the SDK v3 reads differently (item 10)', () => {
  it.each([
    [
      'AWS_ACCESS_KEY_ID = and Region =',
      lines('\n', '[profile p]', 'Region = us-east-1'),
      lines(
        '\n',
        '[p]',
        'AWS_ACCESS_KEY_ID = ASIAOLD',
        'AWS_SECRET_ACCESS_KEY = old',
        'AWS_SESSION_TOKEN = old',
      ),
    ],
    [
      '"key: value"',
      lines('\n', '[profile p]', 'region: us-east-1'),
      lines(
        '\n',
        '[p]',
        'aws_access_key_id: ASIAOLD',
        'aws_secret_access_key: old',
        'aws_session_token: old',
      ),
    ],
    [
      'a new key after an indented s3 = block',
      lines('\n', '[profile p]', '  output = json', '  s3 =', '    max_concurrent_requests = 10'),
      '',
    ],
    ['a key the SDK reads as s3.region', lines('\n', '[profile p]', '  s3 =', '  region = us-east-1'), ''],
    [
      'an indented key with no value before it',
      lines('\n', '[profile p]', '  cli_pager =', '  output = json'),
      '',
    ],
    [
      'CRLF line endings and a comment after the header',
      lines('\r\n', '[profile p] # mine', 'region=us-east-1'),
      lines('\r\n', '[p]', 'aws_session_token=old'),
    ],
    [
      'a stale aws_security_token (botocore reads it first)',
      '',
      lines(
        '\n',
        '[p]',
        'aws_access_key_id = ASIAOLD',
        'aws_security_token = stale',
        'aws_session_token = old',
      ),
    ],
  ])('%s', async (_name, config, credentials) => {
    await given(config, credentials);
    await updateProfile(files, 'p', SESSION);
    expect(await everyReader()).toEqual(AGREED);
  });

  it('keeps nested settings as every reader read them', async () => {
    await given(
      lines('\n', '[profile p]', '  s3 =', '    max_concurrent_requests = 10', '  region = us-east-1'),
      '',
    );
    await updateProfile(files, 'p', SESSION);
    expect((await sdkFiles(files)).configFile.p).toEqual({
      's3.max_concurrent_requests': '10',
      region: 'eu-central-1',
    });
    expect(await awsConfigureGet(files, 'p', 's3.max_concurrent_requests')).toBe('10');
  });
});

describe('credential_process written over what would shadow it (item 3)', () => {
  let processConfig: ProfileChanges;
  beforeEach(async () => {
    // A credential_process the tools really run: it prints fixed credentials.
    const script = join(dir, 'process.sh');
    await writeFile(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"ASIAFROMPROCESS","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'\n`,
    );
    await chmod(script, 0o755);
    processConfig = {
      config: { credential_process: script, region: 'eu-central-1', role_arn: null, source_profile: null },
    };
  });

  const PROCESS_READ = allRead('ASIAFROMPROCESS', 't');

  it.each([
    [
      'session keys in the credentials file',
      '',
      lines(
        '\n',
        '[p]',
        'aws_access_key_id = ASIAOLD',
        'aws_secret_access_key = old',
        'aws_session_token = old',
      ),
    ],
    [
      'session keys in the config file',
      lines(
        '\n',
        '[profile p]',
        'aws_access_key_id = ASIAOLD',
        'aws_secret_access_key = old',
        'aws_session_token = old',
      ),
      '',
    ],
    [
      'a stale aws_security_token beside them',
      '',
      lines(
        '\n',
        '[p]',
        'aws_access_key_id = ASIAOLD',
        'aws_secret_access_key = old',
        'aws_security_token = old',
      ),
    ],
    [
      'role_arn and source_profile in the credentials file',
      lines('\n', '[profile src]', 'region = us-east-1'),
      lines('\n', '[p]', 'role_arn = arn:aws:iam::123456789012:role/r', 'source_profile = src'),
    ],
    [
      'SSO settings',
      lines(
        '\n',
        '[profile p]',
        'sso_start_url = https://x.awsapps.com/start',
        'sso_account_id = 123456789012',
        'sso_role_name = r',
        'sso_region = us-east-1',
      ),
      '',
    ],
  ])('removes %s, and every AWS tool runs the process', async (_name, config, credentials) => {
    await given(config, credentials);
    const report = await updateProfile(files, 'p', processConfig);
    expect(report.removed.length).toBeGreaterThan(0);
    expect(await everyReader()).toEqual(PROCESS_READ);
  });

  it('refuses over long-lived keys, changes nothing, and the tools keep using those keys', async () => {
    const credentials = lines(
      '\n',
      '[p]',
      'aws_access_key_id = AKIALONGLIVED',
      'aws_secret_access_key = kept',
    );
    await given('', credentials);
    await expect(updateProfile(files, 'p', processConfig)).rejects.toMatchObject({ kind: 'usage' });
    expect(await readFile(files.credentialsFile, 'utf8')).toBe(credentials);
    expect(await readFile(files.configFile, 'utf8')).toBe('');
    expect(await awsAccessKey(files, 'p')).toBe('AKIALONGLIVED');
  });
});

describe('session keys written over a role profile', () => {
  it('removes role_arn and source_profile, so no tool assumes the role instead', async () => {
    await given(
      lines(
        '\n',
        '[profile src]',
        'region = us-east-1',
        '[profile p]',
        'role_arn = arn:aws:iam::123456789012:role/r',
        'source_profile = src',
      ),
      lines('\n', '[src]', 'aws_access_key_id = AKIASOURCE', 'aws_secret_access_key = s'),
    );
    const report = await updateProfile(files, 'p', SESSION);
    expect(report.removed).toMatchObject([{ file: 'config', keys: ['role_arn', 'source_profile'] }]);
    expect(await everyReader()).toEqual(AGREED);
  });
});
