/**
 * What a profile write removes or refuses so that the AWS tools use what tempcreds wrote. The
 * orders of precedence are botocore's (credentials.py: role_arn, web identity, SSO, keys of the
 * credentials file, credential_process, keys of the config file) and the JavaScript SDK v3's
 * (fromIni: role_arn with a source, keys, web identity, credential_process, SSO). The real tools
 * read these files in test/integration/config/shadowing.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { getSection, parseIni, renderIni } from '../../../src/config/ini.js';
import { planProfileWrite, type ProfileChanges } from '../../../src/config/profileWrite.js';
import { lines, usageErrorOf } from './fixtures.js';

const SESSION: ProfileChanges = {
  credentials: { aws_access_key_id: 'ASIANEW', aws_secret_access_key: 'S', aws_session_token: 'T' },
  config: { region: 'eu-west-1' },
};
const PROCESS: ProfileChanges = {
  config: {
    credential_process: '/bin/tempcreds credential-process --role-arn x',
    region: 'eu-west-1',
    role_arn: null,
  },
};
const ROLE: ProfileChanges = {
  config: { role_arn: 'arn:aws:iam::1:role/r', source_profile: 'src', credential_process: null },
};

function plan(config: string, credentials: string, changes: ProfileChanges, profile = 'p') {
  const result = planProfileWrite(
    { config: parseIni(config, '/config'), credentials: parseIni(credentials, '/credentials') },
    profile,
    changes,
  );
  return {
    config: renderIni(result.config),
    credentials: renderIni(result.credentials),
    removed: result.removed,
    configOf: (section: string) => getSection(result.config, section),
    credentialsOf: (section: string) => getSection(result.credentials, section),
  };
}

describe('planProfileWrite: session keys (assume --write-profile)', () => {
  it('removes a stale aws_security_token, which botocore reads before aws_session_token', () => {
    const result = plan(
      '',
      lines('\n', '[p]', 'aws_access_key_id = ASIAOLD', 'aws_security_token = OLD', 'aws_session_token = T0'),
      SESSION,
    );
    expect(result.credentialsOf('p')).toEqual({
      aws_access_key_id: 'ASIANEW',
      aws_secret_access_key: 'S',
      aws_session_token: 'T',
    });
    expect(result.removed).toEqual([
      {
        file: 'credentials',
        path: '/credentials',
        section: 'p',
        keys: ['aws_security_token'],
        reason: 'the AWS CLI reads it before aws_session_token',
      },
    ]);
  });

  it('removes role_arn and source_profile from either file: they win over keys in every AWS tool', () => {
    const result = plan(
      lines(
        '\n',
        '[profile p]',
        'role_arn = arn:aws:iam::1:role/r',
        'source_profile = s',
        'region = us-east-1',
      ),
      lines('\n', '[p]', 'credential_source = Environment'),
      SESSION,
    );
    expect(result.configOf('profile p')).toEqual({ region: 'eu-west-1' });
    expect(result.credentialsOf('p')).not.toHaveProperty('credential_source');
    expect(result.removed.map((r) => [r.file, r.keys])).toEqual([
      ['credentials', ['credential_source']],
      ['config', ['role_arn', 'source_profile']],
    ]);
    expect(result.removed[0]?.reason).toBe('AWS tools would use them instead of these session keys');
  });

  it('removes SSO and web identity settings, which botocore tries before the credentials file', () => {
    const result = plan(
      lines(
        '\n',
        '[profile p]',
        'sso_session = corp',
        'sso_account_id = 1',
        'web_identity_token_file = /t',
        'output = json',
      ),
      '',
      SESSION,
    );
    expect(result.configOf('profile p')).toEqual({ output: 'json', region: 'eu-west-1' });
    expect(result.removed[0]?.keys).toEqual(['web_identity_token_file', 'sso_session', 'sso_account_id']);
  });

  it('removes a key from the other file where the two readers would take different ones', () => {
    const result = plan(
      '',
      lines('\n', '[p]', 'region = us-west-2', 'aws_access_key_id = ASIAOLD', 'aws_session_token = T0'),
      SESSION,
    );
    expect(result.credentialsOf('p')).not.toHaveProperty('region');
    expect(result.removed[0]).toMatchObject({ file: 'credentials', keys: ['region'] });
  });

  it('refuses to overwrite long-lived keys (no session token), in either file', () => {
    const inCredentials = usageErrorOf(() =>
      plan('', lines('\n', '[p]', 'aws_access_key_id = AKIAOLD', 'aws_secret_access_key = X'), SESSION),
    );
    expect(inCredentials.message).toBe(
      '[p] of /credentials holds long-lived access keys (aws_access_key_id without a session token), which AWS tools would use instead of these session keys; tempcreds does not delete them.',
    );
    usageErrorOf(() =>
      plan(
        lines('\n', '[profile p]', 'aws_access_key_id = AKIAOLD', 'aws_secret_access_key = X'),
        '',
        SESSION,
      ),
    );
  });

  it('writes over keys whatever their case and separator, as lower-case "key = value"', () => {
    const result = plan(
      lines('\n', '[profile p]', 'Region: us-east-1'),
      lines('\n', '[p]', 'AWS_ACCESS_KEY_ID = ASIAOLD', 'aws_secret_access_key:OLD', 'AWS_Session_Token=T0'),
      SESSION,
    );
    expect(result.config).toBe(lines('\n', '[profile p]', 'region = eu-west-1'));
    expect(result.credentials).toBe(
      lines('\n', '[p]', 'aws_access_key_id = ASIANEW', 'aws_secret_access_key = S', 'aws_session_token=T'),
    );
  });
});

describe('planProfileWrite: credential_process (configure --mode process)', () => {
  it('removes session keys of either file: the keys would win over credential_process', () => {
    const result = plan(
      lines(
        '\n',
        '[profile p]',
        'aws_access_key_id = ASIAC',
        'aws_secret_access_key = S',
        'aws_session_token = T',
      ),
      lines(
        '\n',
        '[p]',
        'aws_access_key_id = ASIAK',
        'aws_secret_access_key = S',
        'aws_session_token = T',
        'aws_credential_expiration = 2030-01-01T00:00:00Z',
      ),
      PROCESS,
    );
    expect(result.credentialsOf('p')).toEqual({ aws_credential_expiration: '2030-01-01T00:00:00Z' });
    expect(result.configOf('profile p')).toEqual({
      credential_process: '/bin/tempcreds credential-process --role-arn x',
      region: 'eu-west-1',
    });
    expect(result.removed.map((r) => [r.file, r.keys, r.reason])).toEqual([
      [
        'credentials',
        ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
        'AWS tools would use them instead of credential_process',
      ],
      [
        'config',
        ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
        'AWS tools would use them instead of credential_process',
      ],
    ]);
  });

  it('refuses when the profile holds long-lived keys, in either file, and changes nothing', () => {
    const err = usageErrorOf(() =>
      plan('', lines('\n', '[p]', 'aws_access_key_id = AKIAOLD', 'aws_secret_access_key = X'), PROCESS),
    );
    expect(err.message).toContain(
      'which AWS tools would use instead of credential_process; tempcreds does not delete them.',
    );
    expect(err.fix).toBe('Write to another profile name, or move those keys to another profile first.');
    usageErrorOf(() => plan(lines('\n', '[profile p]', 'aws_access_key_id = AKIAOLD'), '', PROCESS));
  });

  it('lists role_arn it was asked to remove, and removes it from the credentials file too', () => {
    const result = plan(
      lines('\n', '[profile p]', 'role_arn = arn:aws:iam::1:role/r'),
      lines('\n', '[p]', 'role_arn = arn:aws:iam::1:role/q', 'source_profile = s'),
      PROCESS,
    );
    expect(result.credentialsOf('p')).toEqual({});
    expect(result.removed.map((r) => [r.file, r.keys])).toEqual([
      ['credentials', ['role_arn', 'source_profile']],
      ['config', ['role_arn']],
    ]);
  });

  it('refuses keys that come from [DEFAULT] (removing them would change every profile)', () => {
    const err = usageErrorOf(() =>
      plan('', lines('\n', '[DEFAULT]', 'aws_session_token = T', 'aws_access_key_id = ASIA', '[p]'), PROCESS),
    );
    expect(err.message).toMatch(
      /^\/credentials line 3 sets aws_access_key_id, aws_session_token in \[DEFAULT\]/,
    );
  });

  it('refuses a shadowing key only the JavaScript SDK sees (botocore reads it as part of a value)', () => {
    const err = usageErrorOf(() =>
      plan(
        lines('\n', '[profile p]', 'output = json', '  aws_access_key_id = AKIAHIDDEN', 'cli_pager = less'),
        '',
        PROCESS,
      ),
    );
    expect(err.message).toContain(
      '/config line 3 is read as aws_access_key_id of profile "p" by the AWS SDK for JavaScript, but not by the AWS CLI',
    );
  });
});

describe('planProfileWrite: role_arn (configure --mode native)', () => {
  it('removes web_identity_token_file (botocore then ignores role_arn) and keeps long-lived keys (role_arn wins over them)', () => {
    const result = plan(
      lines('\n', '[profile p]', 'web_identity_token_file = /t', 'credential_process = old'),
      lines('\n', '[p]', 'aws_access_key_id = AKIA', 'aws_secret_access_key = S'),
      ROLE,
    );
    expect(result.configOf('profile p')).toEqual({
      role_arn: 'arn:aws:iam::1:role/r',
      source_profile: 'src',
    });
    expect(result.credentialsOf('p')).toEqual({ aws_access_key_id: 'AKIA', aws_secret_access_key: 'S' });
    expect(result.removed.map((r) => r.keys)).toEqual([['web_identity_token_file']]);
  });
});

describe('planProfileWrite: which section', () => {
  it('refuses two sections for one profile, which the two readers would not pick alike', () => {
    const err = usageErrorOf(() =>
      plan(
        lines('\n', '[default]', 'region = a', '[profile default]', 'output = json'),
        '',
        SESSION,
        'default',
      ),
    );
    expect(err.message).toBe(
      '/config line 1 [default] and line 3 [profile default] both define profile "default": the AWS CLI reads only the last one, the AWS SDK for JavaScript may read another.',
    );
    expect(err.fix).toBe('Merge them into one [default] section.');
    usageErrorOf(() => plan(lines('\n', '[profile p]', '[profile "p"]'), '', SESSION));
  });

  it.each([
    ['[profile  p]', 'two spaces'],
    ['[profilefoo p]', 'a glued prefix'],
    ["[profile 'p'] extra", 'text after "]"'],
  ])('refuses %s (%s): the AWS CLI reads it as profile p, the SDK does not', (header) => {
    const err = usageErrorOf(() => plan(lines('\n', header, 'region = a'), '', SESSION));
    expect(err.message).toMatch(
      /^\/config line 1 is profile "p" to the AWS CLI but not to the AWS SDK for JavaScript/,
    );
    expect(err.fix).toBe('Write the header as [profile p].');
  });

  it('writes into [profile "p"] and a lone [profile default], which both readers read as the profile', () => {
    expect(plan(lines('\n', '[profile "p"]', 'region = a'), '', SESSION).config).toBe(
      lines('\n', '[profile "p"]', 'region = eu-west-1'),
    );
    expect(plan(lines('\n', '[profile default]', 'region = a'), '', SESSION, 'default').config).toBe(
      lines('\n', '[profile default]', 'region = eu-west-1'),
    );
  });

  it('refuses when another section the SDK reads as the same profile would override what is written', () => {
    // [profile.p] is no profile to botocore; the SDK merges it into profile p, after [profile p].
    const err = usageErrorOf(() =>
      plan(lines('\n', '[profile p]', 'region = a', '[profile.p]', 'region = b'), '', SESSION),
    );
    expect(err.message).toMatch(
      /^\/config line 4 is read as region of profile "p" by the AWS SDK for JavaScript, but not by the AWS CLI/,
    );
  });

  it('does not write [ p ] of the credentials file, which is the profile " p "', () => {
    const result = plan('', lines('\n', '[ p ]', 'aws_access_key_id = X'), SESSION);
    expect(result.credentials).toBe(
      lines(
        '\n',
        '[ p ]',
        'aws_access_key_id = X',
        '',
        '[p]',
        'aws_access_key_id = ASIANEW',
        'aws_secret_access_key = S',
        'aws_session_token = T',
      ),
    );
  });
});
