import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/config/ini.js';
import { listProfileKinds, type ProfileListing } from '../../../src/credentials/profileList.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN/+==';

const text = (...lines: string[]) => lines.join('\n') + '\n';
const list = (config: string, credentials = '') =>
  listProfileKinds(parseIni(config, 'config'), parseIni(credentials, 'credentials'));
const one = (name: string, config: string, credentials = ''): ProfileListing => {
  const found = list(config, credentials).find((p) => p.name === name);
  if (!found) throw new Error(`no profile ${name}`);
  return found;
};
const keys = (name: string, extra: string[] = []) =>
  text(`[${name}]`, 'aws_access_key_id = AKIAEXAMPLE', `aws_secret_access_key = ${SECRET}`, ...extra);

describe('listProfileKinds: keys and sessions', () => {
  it('keys in the credentials file, with the region from the config file', () => {
    expect(one('u', text('[profile u]', 'region = cn-northwest-1'), keys('u'))).toEqual({
      name: 'u',
      kind: 'keys',
      region: 'cn-northwest-1',
    });
  });

  it('a session: keys with a token, and the expiry tempcreds wrote, normalised to RFC 3339', () => {
    const credentials = keys('s', [
      `aws_session_token = ${TOKEN}`,
      'aws_credential_expiration = 2030-01-02T03:04:05.678+00:00',
    ]);
    expect(one('s', '', credentials)).toEqual({
      name: 's',
      kind: 'session',
      region: null,
      expiration: '2030-01-02T03:04:05Z',
    });
  });

  it('aws_security_token alone makes a session too (botocore reads it first); an empty token does not', () => {
    expect(one('s', '', keys('s', [`aws_security_token = ${TOKEN}`])).kind).toBe('session');
    expect(one('s', '', keys('s', ['aws_session_token ='])).kind).toBe('keys');
  });

  it('a session without a readable expiry has none', () => {
    const found = one(
      's',
      '',
      keys('s', [`aws_session_token = ${TOKEN}`, 'aws_credential_expiration = soon']),
    );
    expect(found).not.toHaveProperty('expiration');
  });

  it('an access key id without its secret is broken', () => {
    expect(one('p', '', text('[p]', 'aws_access_key_id = AKIAEXAMPLE'))).toMatchObject({
      kind: 'keys',
      broken: 'aws_access_key_id without aws_secret_access_key',
    });
  });

  it('keys in the config file count, after credential_process (botocore reads the config file last)', () => {
    const config = text(
      '[profile c]',
      'aws_access_key_id = AKIAEXAMPLE',
      `aws_secret_access_key = ${SECRET}`,
      '[profile both]',
      'credential_process = /bin/get-creds',
      'aws_access_key_id = AKIAEXAMPLE',
      `aws_secret_access_key = ${SECRET}`,
    );
    expect(one('c', config).kind).toBe('keys');
    expect(one('both', config).kind).toBe('process');
  });

  it('keys in the credentials file win over credential_process in the config file', () => {
    expect(one('p', text('[profile p]', 'credential_process = /bin/x'), keys('p')).kind).toBe('keys');
  });

  it('[DEFAULT] keys of the credentials file apply to its sections only', () => {
    const credentials = text(
      '[DEFAULT]',
      'aws_access_key_id = AKIAEXAMPLE',
      `aws_secret_access_key = ${SECRET}`,
      '[a]',
    );
    const all = list(text('[profile b]', 'region = eu-west-1'), credentials);
    expect(all.map((p) => [p.name, p.kind])).toEqual([
      ['b', 'none'],
      ['a', 'keys'],
    ]);
  });
});

describe('listProfileKinds: other kinds', () => {
  it('credential_process, login_session and settings only', () => {
    const config = text(
      '[profile p]',
      'credential_process = tempcreds credential-process --role-arn x',
      '[profile l]',
      'login_session = arn:aws:iam::123456789012:user/me',
      '[default]',
      'region = eu-west-1',
      'output = json',
    );
    expect(list(config).map((p) => [p.name, p.kind, p.region])).toEqual([
      ['p', 'process', null],
      ['l', 'login', null],
      ['default', 'none', 'eu-west-1'],
    ]);
  });

  it('an IoT profile (any tempcreds_iot_* setting) is iot, over the credential_process it carries', () => {
    const config = text(
      '[profile dev]',
      'tempcreds_iot_endpoint = x.credentials.iot.cn-north-1.amazonaws.com.cn',
      'tempcreds_iot_role_alias = collector-alias',
      'tempcreds_iot_cert = /etc/dev/cert.pem',
      'tempcreds_iot_key = /etc/dev/key.pem',
      'credential_process = tempcreds credential-process --profile dev',
      '[profile half]',
      'tempcreds_iot_thing_name = t1',
    );
    expect(one('dev', config)).toEqual({
      name: 'dev',
      kind: 'iot',
      region: null,
      iotRoleAlias: 'collector-alias',
    });
    expect(one('half', config)).toMatchObject({
      kind: 'iot',
      broken:
        'it lacks tempcreds_iot_endpoint, tempcreds_iot_role_alias, tempcreds_iot_cert, tempcreds_iot_key',
    });
  });

  it('web identity is a role without a source profile; without role_arn it is broken', () => {
    const config = text(
      '[profile w]',
      'role_arn = arn:aws:iam::123456789012:role/ci',
      'web_identity_token_file = /var/run/token',
      '[profile bad]',
      'web_identity_token_file = /var/run/token',
    );
    expect(one('w', config)).toEqual({
      name: 'w',
      kind: 'role',
      region: null,
      roleArn: 'arn:aws:iam::123456789012:role/ci',
      webIdentityTokenFile: '/var/run/token',
    });
    expect(one('bad', config).broken).toBe('web_identity_token_file without role_arn');
  });
});

describe('listProfileKinds: IAM Identity Center', () => {
  const session = text(
    '[sso-session corp]',
    'sso_start_url = https://corp.awsapps.com/start',
    'sso_region = eu-west-1',
  );

  it('an sso_session profile, completed by its [sso-session]', () => {
    const config =
      session +
      text('[profile admin]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Admin');
    expect(one('admin', config)).toEqual({
      name: 'admin',
      kind: 'sso',
      region: null,
      ssoSession: 'corp',
      ssoAccountId: '111122223333',
      ssoRoleName: 'Admin',
    });
  });

  it('reads [sso-session "a b"] and [sso-session  x] as botocore splits them', () => {
    const config = text(
      '[sso-session "a b"]',
      'sso_start_url = https://a.awsapps.com/start',
      'sso_region = eu-west-1',
      '[profile q]',
      'sso_session = a b',
      'sso_account_id = 1',
      'sso_role_name = R',
    );
    expect(one('q', config)).not.toHaveProperty('broken');
  });

  it('an sso_session without its section, or contradicting it, is broken', () => {
    const missing = text('[profile a]', 'sso_session = gone', 'sso_account_id = 1', 'sso_role_name = R');
    expect(one('a', missing).broken).toBe('sso_session "gone" has no [sso-session] section');
    const differs =
      session +
      text(
        '[profile a]',
        'sso_session = corp',
        'sso_region = us-east-1',
        'sso_account_id = 1',
        'sso_role_name = R',
      );
    expect(one('a', differs).broken).toBe('sso_region differs between the profile and its [sso-session]');
  });

  it('the legacy form needs the start URL and region in the profile', () => {
    const ok = text(
      '[profile a]',
      'sso_start_url = https://x/start',
      'sso_region = eu-west-1',
      'sso_account_id = 1',
      'sso_role_name = R',
    );
    expect(one('a', ok)).not.toHaveProperty('broken');
    const short = text(
      '[profile a]',
      'sso_start_url = https://x/start',
      'sso_account_id = 1',
      'sso_role_name = R',
    );
    expect(one('a', short).broken).toBe('it lacks sso_region');
  });

  it('a profile with a login only (sso_session, no account or role) gets no credentials: broken', () => {
    const config = session + text('[profile login-only]', 'sso_session = corp');
    expect(one('login-only', config)).toMatchObject({
      kind: 'sso',
      ssoSession: 'corp',
      broken: expect.stringMatching(/login only/),
    });
  });

  it('keys in the credentials file win over a login-only sso_session', () => {
    expect(one('k', session + text('[profile k]', 'sso_session = corp'), keys('k')).kind).toBe('keys');
  });
});

describe('listProfileKinds: role source chains', () => {
  const ROLE = 'arn:aws-cn:iam::123456789012:role/target-role-name';
  const roleProfile = (name: string, ...more: string[]) =>
    text(`[profile ${name}]`, `role_arn = ${ROLE}`, ...more);

  it('a role with a keys source: source, chain and how the chain ends', () => {
    expect(
      one(
        'dev',
        roleProfile('dev', 'source_profile = sts_user', 'region = cn-northwest-1'),
        keys('sts_user'),
      ),
    ).toEqual({
      name: 'dev',
      kind: 'role',
      region: 'cn-northwest-1',
      roleArn: ROLE,
      source: 'sts_user',
      chain: ['sts_user'],
      sourceKind: 'keys',
    });
  });

  it('a chain through roles down to an SSO profile', () => {
    const config =
      roleProfile('a', 'source_profile = b') +
      roleProfile('b', 'source_profile = c') +
      text(
        '[profile c]',
        'sso_start_url = https://x/start',
        'sso_region = eu-west-1',
        'sso_account_id = 1',
        'sso_role_name = R',
      );
    expect(one('a', config)).toMatchObject({ source: 'b', chain: ['b', 'c'], sourceKind: 'sso' });
  });

  it('a source that has role_arn and keys signs with its keys (botocore ignores its role)', () => {
    const config = roleProfile('a', 'source_profile = b') + roleProfile('b', 'source_profile = nowhere');
    expect(one('a', config, keys('b'))).toMatchObject({ chain: ['b'], sourceKind: 'keys' });
    expect(one('a', config, keys('b'))).not.toHaveProperty('broken');
  });

  it('a missing source profile, at any depth', () => {
    expect(one('a', roleProfile('a', 'source_profile = nope')).broken).toBe(
      'source_profile "nope" does not exist',
    );
    const deep = roleProfile('a', 'source_profile = b') + roleProfile('b', 'source_profile = gone');
    expect(one('a', deep)).toMatchObject({
      chain: ['b', 'gone'],
      broken: 'source_profile "gone" does not exist',
    });
  });

  it('loops, including a role profile naming itself without keys', () => {
    const loop = roleProfile('a', 'source_profile = b') + roleProfile('b', 'source_profile = a');
    expect(one('a', loop).broken).toBe('source_profile loop: "a" -> "b" -> "a"');
    expect(one('b', loop).broken).toBe('source_profile loop: "b" -> "a" -> "b"');
    expect(one('self', roleProfile('self', 'source_profile = self')).broken).toBe(
      'source_profile loop: "self" -> "self"',
    );
    const deepSelf = roleProfile('a', 'source_profile = b') + roleProfile('b', 'source_profile = b');
    expect(one('a', deepSelf).broken).toBe('source_profile loop: "a" -> "b" -> "b"');
  });

  it('a role profile may name itself when it has keys: they assume its role', () => {
    const found = one('self', roleProfile('self', 'source_profile = self'), keys('self'));
    expect(found).toMatchObject({ kind: 'role', source: 'self', chain: ['self'], sourceKind: 'keys' });
    expect(found).not.toHaveProperty('broken');
  });

  it('neither source_profile nor credential_source, or both, is broken', () => {
    expect(one('a', roleProfile('a')).broken).toBe(
      'it has role_arn but neither source_profile nor credential_source',
    );
    expect(
      one('a', roleProfile('a', 'source_profile = b', 'credential_source = Environment'), keys('b')).broken,
    ).toBe('it has both source_profile and credential_source');
  });

  it('credential_source: the three botocore knows, and any other is broken', () => {
    for (const source of ['Environment', 'Ec2InstanceMetadata', 'EcsContainer']) {
      const found = one('a', roleProfile('a', `credential_source = ${source}`));
      expect(found).toEqual({
        name: 'a',
        kind: 'role',
        region: null,
        roleArn: ROLE,
        credentialSource: source,
      });
    }
    expect(one('a', roleProfile('a', 'credential_source = environment')).broken).toBe(
      'credential_source "environment" is not Environment, Ec2InstanceMetadata, EcsContainer',
    );
  });

  it('a source with no credentials, or broken itself, breaks the chain and says which', () => {
    const config = roleProfile('a', 'source_profile = s') + text('[profile s]', 'region = eu-west-1');
    expect(one('a', config).broken).toBe('source profile "s" has no credentials');
    expect(
      one('a', roleProfile('a', 'source_profile = s'), text('[s]', 'aws_access_key_id = AKIAEXAMPLE')),
    ).toMatchObject({
      sourceKind: 'keys',
      broken: 'source profile "s": aws_access_key_id without aws_secret_access_key',
    });
    const bad = roleProfile('a', 'source_profile = b') + roleProfile('b');
    expect(one('a', bad).broken).toBe(
      'source profile "b": it has role_arn but neither source_profile nor credential_source',
    );
  });

  it('a chain that ends in a role with credential_source is whole', () => {
    const config =
      roleProfile('a', 'source_profile = b') + roleProfile('b', 'credential_source = Environment');
    const found = one('a', config);
    expect(found).toMatchObject({ chain: ['b'] });
    expect(found).not.toHaveProperty('broken');
  });
});

describe('listProfileKinds: order, sections and secrets', () => {
  it('lists the config file order, then profiles only in the credentials file (aws configure list-profiles)', () => {
    const config = text(
      '[profile b]',
      '[default]',
      '[sso-session s]',
      '[services x]',
      '[profile a]',
      '[weird]',
    );
    const names = list(config, keys('c') + keys('a') + keys('default')).map((p) => p.name);
    expect(names).toEqual(['b', 'default', 'a', 'c']);
  });

  it('a later section for the same profile replaces the earlier one ([profile x] then [profile  x])', () => {
    const config = text('[profile x]', 'credential_process = /bin/x', '[profile  x]', 'region = eu-west-1');
    expect(list(config)).toEqual([{ name: 'x', kind: 'none', region: 'eu-west-1' }]);
  });

  it('the region of the credentials file wins, as botocore merges them', () => {
    expect(one('p', text('[profile p]', 'region = a-b-1'), text('[p]', 'region = c-d-2')).region).toBe(
      'c-d-2',
    );
  });

  it('never carries a secret, and the same files give the same list', () => {
    const config = text('[profile r]', 'role_arn = arn:aws:iam::1:role/r', 'source_profile = s');
    const credentials = keys('s', [`aws_session_token = ${TOKEN}`]);
    const first = JSON.stringify(list(config, credentials));
    expect(first).not.toContain(SECRET);
    expect(first).not.toContain(TOKEN);
    expect(first).not.toContain('AKIAEXAMPLE');
    expect(JSON.stringify(list(config, credentials))).toBe(first);
  });
});
