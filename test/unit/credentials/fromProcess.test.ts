import { describe, expect, it } from 'vitest';
import { parseProcessOutput, splitCommandLine } from '../../../src/credentials/fromProcess.js';
import { profileSettings, shellWord } from '../../../src/credentials/profileSettings.js';

describe('splitCommandLine (shlex rules)', () => {
  it.each([
    ['tempcreds credential-process --role-arn a', ['tempcreds', 'credential-process', '--role-arn', 'a']],
    ['  a   b  ', ['a', 'b']],
    [`'/opt/my tools/tc' x`, ['/opt/my tools/tc', 'x']],
    [`"/opt/my tools/tc" "a\\"b" 'c\\d'`, ['/opt/my tools/tc', 'a"b', 'c\\d']],
    [`a\\ b c`, ['a b', 'c']],
    [`''`, ['']],
    [`a'b'"c"`, ['abc']],
    [`'it'"'"'s'`, ["it's"]],
    ['', []],
  ])('%j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });
  it('refuses an unclosed quote', () => {
    expect(() => splitCommandLine(`a 'b`)).toThrow(/unclosed/);
  });
  it('round-trips words quoted by shellWord', () => {
    const words = [
      '/usr/bin/node',
      '/home/a b/tempcreds.js',
      "it's",
      'arn:aws-cn:iam::1:role/x',
      '$HOME',
      '',
    ];
    expect(splitCommandLine(words.map(shellWord).join(' '))).toEqual(words);
  });
});

describe('parseProcessOutput', () => {
  it('reads Version 1 output', () => {
    const c = parseProcessOutput(
      JSON.stringify({
        Version: 1,
        AccessKeyId: 'A',
        SecretAccessKey: 'S',
        SessionToken: 'T',
        Expiration: '2030-01-01T00:00:00Z',
      }),
      'p',
    );
    expect(c).toEqual({
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiration: new Date('2030-01-01T00:00:00Z'),
    });
  });
  it.each(['nope', '{}', '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}'])(
    'refuses %j without echoing it',
    (out) => {
      expect(() => parseProcessOutput(out, 'p')).toThrow(/profile p/);
    },
  );
});

describe('profileSettings', () => {
  const base = {
    roleArn: 'arn:aws-cn:iam::1:role/target-role-name',
    sourceProfile: 'sts_user',
    region: 'cn-northwest-1',
    roleSessionName: 'tempcreds-me',
  };
  it('native mode writes what every AWS CLI and SDK understands, and clears process mode', () => {
    expect(profileSettings({ ...base, mode: 'native', durationSeconds: 43200 })).toEqual({
      role_arn: base.roleArn,
      source_profile: 'sts_user',
      role_session_name: 'tempcreds-me',
      duration_seconds: '43200',
      external_id: null,
      region: 'cn-northwest-1',
      credential_process: null,
    });
  });
  it('process mode writes one shlex-safe credential_process line, and clears native mode', () => {
    const s = profileSettings({
      ...base,
      mode: 'process',
      launcher: ['/usr/bin/node', '/opt/my tools/tempcreds.js'],
    });
    expect(s.role_arn).toBeNull();
    expect(splitCommandLine(s.credential_process!)).toEqual([
      '/usr/bin/node',
      '/opt/my tools/tempcreds.js',
      'credential-process',
      '--role-arn',
      base.roleArn,
      '--source-profile',
      'sts_user',
      '--session-name',
      'tempcreds-me',
      '--region',
      'cn-northwest-1',
    ]);
  });

  it('process mode passes the session options as credential-process flags, quoted for shlex and sh', () => {
    const policy = `{"Version":"2012-10-17","Statement":[{"Sid":"it's","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`;
    const session = {
      tags: ['Project=iot data', 'Team=a=b'],
      transitiveTagKeys: ['Project'],
      sourceIdentity: 'alice',
      policy,
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    };
    const words = splitCommandLine(
      profileSettings({ ...base, mode: 'process', session }).credential_process!,
    );
    expect(words.slice(words.indexOf('cn-northwest-1') + 1)).toEqual([
      '--tag',
      'Project=iot data',
      '--tag',
      'Team=a=b',
      '--transitive-tag-key',
      'Project',
      '--source-identity',
      'alice',
      '--policy',
      policy,
      '--policy-arn',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });
  it('native mode refuses session options: no AWS tool would pass them', () => {
    expect(() => profileSettings({ ...base, mode: 'native', session: { sourceIdentity: 'alice' } })).toThrow(
      /A native profile cannot carry session tags, SourceIdentity or session policies/,
    );
    expect(profileSettings({ ...base, mode: 'native', session: {} }).role_arn).toBe(base.roleArn);
  });
});
