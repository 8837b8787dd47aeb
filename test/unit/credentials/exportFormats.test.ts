import { describe, expect, it } from 'vitest';
import { TempcredsError } from '../../../src/errors.js';
import {
  credentialsEnv,
  EXPORT_FORMATS,
  formatCredentials,
  parseExportFormat,
  type AssumedRoleOutput,
  type ExportFormat,
} from '../../../src/credentials/exportFormats.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc==';

const output: AssumedRoleOutput = {
  credentials: {
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    secretAccessKey: SECRET,
    sessionToken: TOKEN,
    expiration: new Date('2026-02-25T06:03:31Z'),
  },
  assumedRoleUser: {
    assumedRoleId: 'AROA3XFRBF535PLBIFPI4:tempcreds-alice-1771995811',
    arn: 'arn:aws:sts::111122223333:assumed-role/deploy/tempcreds-alice-1771995811',
  },
  region: 'cn-northwest-1',
};

/** `output` with the secret key replaced. */
function withSecret(secretAccessKey: string): AssumedRoleOutput {
  return { ...output, credentials: { ...output.credentials, secretAccessKey } };
}

/** The line a format writes for AWS_SECRET_ACCESS_KEY. */
function secretLine(format: ExportFormat, secret: string): string {
  const lines = formatCredentials(format, withSecret(secret)).split('\n');
  return lines.find((line) => line.includes('AWS_SECRET_ACCESS_KEY')) ?? '';
}

describe('json', () => {
  it('is byte for byte what `aws sts assume-role` prints', () => {
    expect(formatCredentials('json', output)).toBe(
      `{
    "Credentials": {
        "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
        "SecretAccessKey": "${SECRET}",
        "SessionToken": "${TOKEN}",
        "Expiration": "2026-02-25T06:03:31+00:00"
    },
    "AssumedRoleUser": {
        "AssumedRoleId": "AROA3XFRBF535PLBIFPI4:tempcreds-alice-1771995811",
        "Arn": "arn:aws:sts::111122223333:assumed-role/deploy/tempcreds-alice-1771995811"
    }
}
`,
    );
  });

  it('has exactly the keys of the AWS CLI, in its order, and no region', () => {
    const parsed = JSON.parse(formatCredentials('json', output)) as Record<string, Record<string, string>>;
    expect(Object.keys(parsed)).toEqual(['Credentials', 'AssumedRoleUser']);
    expect(Object.keys(parsed.Credentials ?? {})).toEqual([
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(Object.keys(parsed.AssumedRoleUser ?? {})).toEqual(['AssumedRoleId', 'Arn']);
    expect(parsed.Credentials?.AccessKeyId).toBe('ASIAIOSFODNN7EXAMPLE');
  });

  it('prints the expiration in whole seconds, rounded down, in UTC', () => {
    const text = formatCredentials('json', {
      ...output,
      credentials: { ...output.credentials, expiration: new Date('2026-02-25T07:03:31.999+01:00') },
    });
    expect(text).toContain('"Expiration": "2026-02-25T06:03:31+00:00"');
  });

  it('keeps any value exact through JSON escaping', () => {
    const hostile = 'a"b\\c\n\u0000é🔑';
    const parsed = JSON.parse(formatCredentials('json', withSecret(hostile))) as {
      Credentials: { SecretAccessKey: string };
    };
    expect(parsed.Credentials.SecretAccessKey).toBe(hostile);
  });

  it('refuses an invalid expiration', () => {
    const bad = { ...output, credentials: { ...output.credentials, expiration: new Date('nonsense') } };
    expect(() => formatCredentials('json', bad)).toThrow(TempcredsError);
  });
});

describe('process', () => {
  it('is credential_process output, version 1, RFC 3339 expiration', () => {
    expect(formatCredentials('process', output)).toBe(
      `{
  "Version": 1,
  "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
  "SecretAccessKey": "${SECRET}",
  "SessionToken": "${TOKEN}",
  "Expiration": "2026-02-25T06:03:31Z"
}
`,
    );
  });
});

describe('credentialsEnv', () => {
  it('names every variable, the region twice', () => {
    expect(credentialsEnv(output)).toEqual({
      AWS_ACCESS_KEY_ID: 'ASIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_CREDENTIAL_EXPIRATION: '2026-02-25T06:03:31Z',
      AWS_REGION: 'cn-northwest-1',
      AWS_DEFAULT_REGION: 'cn-northwest-1',
    });
    expect(Object.keys(credentialsEnv(output))[0]).toBe('AWS_ACCESS_KEY_ID');
  });

  it('leaves the region out when none is known', () => {
    expect(Object.keys(credentialsEnv({ ...output, region: undefined }))).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_CREDENTIAL_EXPIRATION',
    ]);
  });
});

describe('shell formats with real credentials', () => {
  const vars = (assign: (name: string, value: string) => string) =>
    [
      assign('AWS_ACCESS_KEY_ID', 'ASIAIOSFODNN7EXAMPLE'),
      assign('AWS_SECRET_ACCESS_KEY', SECRET),
      assign('AWS_SESSION_TOKEN', TOKEN),
      assign('AWS_CREDENTIAL_EXPIRATION', '2026-02-25T06:03:31Z'),
      assign('AWS_REGION', 'cn-northwest-1'),
      assign('AWS_DEFAULT_REGION', 'cn-northwest-1'),
    ].join('\n') + '\n';

  const posixUnset = 'unset AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE\n';
  const each = (line: (name: string) => string) =>
    ['AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'].map((n) => `${line(n)}\n`).join('');

  it.each([
    ['env', posixUnset + vars((n, v) => `export ${n}='${v}'`)],
    ['bash', posixUnset + vars((n, v) => `export ${n}='${v}'`)],
    ['zsh', posixUnset + vars((n, v) => `export ${n}='${v}'`)],
    [
      'fish',
      'set -e AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE; or true\n' +
        vars((n, v) => `set -gx ${n} '${v}'`),
    ],
    ['powershell', each((n) => `$Env:${n} = $null`) + vars((n, v) => `$Env:${n} = '${v}'`)],
    ['cmd', each((n) => `set "${n}="`) + vars((n, v) => `set "${n}=${v}"`)],
    ['dotenv', vars((n, v) => `${n}=${v}`)],
  ] as const)('%s', (format, expected) => {
    expect(formatCredentials(format, output)).toBe(expected);
  });

  it('every shell format sets only the four credential variables when no region is known', () => {
    for (const format of EXPORT_FORMATS.filter((f) => f !== 'json' && f !== 'process')) {
      const text = formatCredentials(format, { ...output, region: undefined });
      const sets = text
        .split('\n')
        .filter((line) => /AWS_(ACCESS|SECRET|SESSION_TOKEN|CREDENTIAL)/.test(line));
      expect(sets).toHaveLength(4);
      expect(text).not.toContain('REGION');
    }
  });
});

/**
 * How each format writes a hostile AWS_SECRET_ACCESS_KEY. `null`: refused. The bash, zsh, sh and
 * fish lines are also evaluated by the real shells in test/integration/credentials/exportShells.test.ts.
 */
const HOSTILE: Array<{
  value: string;
  posix: string;
  fish: string;
  powershell: string | null;
  cmd: string | null;
  dotenv: string | null;
}> = [
  {
    value: "it's",
    posix: String.raw`'it'\''s'`,
    fish: String.raw`'it\'s'`,
    powershell: `'it''s'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=it's"`,
    dotenv: `"it's"`,
  },
  {
    value: "''",
    posix: String.raw`''\'''\'''`,
    fish: String.raw`'\'\''`,
    powershell: `''''''`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=''"`,
    dotenv: `"''"`,
  },
  {
    value: 'with  spaces ',
    posix: `'with  spaces '`,
    fish: `'with  spaces '`,
    powershell: `'with  spaces '`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=with  spaces "`,
    dotenv: `'with  spaces '`,
  },
  {
    value: '$HOME $(id) ${USER} $Env:PATH',
    posix: `'$HOME $(id) \${USER} $Env:PATH'`,
    fish: `'$HOME $(id) \${USER} $Env:PATH'`,
    powershell: `'$HOME $(id) \${USER} $Env:PATH'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=$HOME $(id) \${USER} $Env:PATH"`,
    // python-dotenv expands ${USER} even in single quotes, and has no escape for it.
    dotenv: null,
  },
  {
    value: '`id` (id)',
    posix: "'`id` (id)'",
    fish: "'`id` (id)'",
    powershell: "'`id` (id)'",
    cmd: 'set "AWS_SECRET_ACCESS_KEY=`id` (id)"',
    dotenv: "'`id` (id)'",
  },
  {
    value: '%PATH%',
    posix: `'%PATH%'`,
    fish: `'%PATH%'`,
    powershell: `'%PATH%'`,
    cmd: null,
    dotenv: `'%PATH%'`,
  },
  {
    value: 'a&b|c<d>e^f;g',
    posix: `'a&b|c<d>e^f;g'`,
    fish: `'a&b|c<d>e^f;g'`,
    powershell: `'a&b|c<d>e^f;g'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=a&b|c<d>e^f;g"`,
    dotenv: `'a&b|c<d>e^f;g'`,
  },
  {
    value: 'hi!! !$',
    posix: `'hi!! !$'`,
    fish: `'hi!! !$'`,
    powershell: `'hi!! !$'`,
    cmd: null,
    dotenv: `'hi!! !$'`,
  },
  {
    value: 'C:\\temp\\',
    posix: String.raw`'C:\temp\'`,
    fish: String.raw`'C:\\temp\\'`,
    powershell: String.raw`'C:\temp\'`,
    cmd: String.raw`set "AWS_SECRET_ACCESS_KEY=C:\temp\"`,
    // python-dotenv takes the final \' for an escaped quote; no quoting holds it for all readers.
    dotenv: null,
  },
  {
    value: 'say "hi"; rm -rf ~',
    posix: `'say "hi"; rm -rf ~'`,
    fish: `'say "hi"; rm -rf ~'`,
    powershell: `'say "hi"; rm -rf ~'`,
    cmd: null,
    dotenv: `'say "hi"; rm -rf ~'`,
  },
  {
    value: 'pässwörd 🔑 日本 #x',
    posix: `'pässwörd 🔑 日本 #x'`,
    fish: `'pässwörd 🔑 日本 #x'`,
    powershell: `'pässwörd 🔑 日本 #x'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=pässwörd 🔑 日本 #x"`,
    dotenv: `'pässwörd 🔑 日本 #x'`,
  },
  {
    value: '‘a’ ‚b‛',
    posix: `'‘a’ ‚b‛'`,
    fish: `'‘a’ ‚b‛'`,
    powershell: `'‘‘a’’ ‚‚b‛‛'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=‘a’ ‚b‛"`,
    dotenv: `'‘a’ ‚b‛'`,
  },
  {
    value: '-n --help',
    posix: `'-n --help'`,
    fish: `'-n --help'`,
    powershell: `'-n --help'`,
    cmd: `set "AWS_SECRET_ACCESS_KEY=-n --help"`,
    dotenv: `'-n --help'`,
  },
  {
    value: 'it\'s \\$5 "x"',
    posix: String.raw`'it'\''s \$5 "x"'`,
    fish: String.raw`'it\'s \\$5 "x"'`,
    powershell: String.raw`'it''s \$5 "x"'`,
    cmd: null,
    dotenv: null,
  },
  {
    value: 'it\'s \\ "x"',
    posix: String.raw`'it'\''s \ "x"'`,
    fish: String.raw`'it\'s \\ "x"'`,
    powershell: String.raw`'it''s \ "x"'`,
    cmd: null,
    dotenv: null,
  },
  {
    value: '',
    posix: `''`,
    fish: `''`,
    powershell: null,
    cmd: null,
    dotenv: '',
  },
];

describe.each(HOSTILE)('hostile value $value', (row) => {
  const expectLine = (format: ExportFormat, prefix: string, quoted: string | null) => {
    if (quoted === null) {
      expect(() => secretLine(format, row.value)).toThrow(TempcredsError);
    } else {
      expect(secretLine(format, row.value)).toBe(`${prefix}${quoted}`);
    }
  };

  it('env, bash, zsh', () => {
    for (const format of ['env', 'bash', 'zsh'] as const) {
      expectLine(format, 'export AWS_SECRET_ACCESS_KEY=', row.posix);
    }
  });
  it('fish', () => expectLine('fish', 'set -gx AWS_SECRET_ACCESS_KEY ', row.fish));
  it('powershell', () => expectLine('powershell', '$Env:AWS_SECRET_ACCESS_KEY = ', row.powershell));
  it('cmd', () => expectLine('cmd', '', row.cmd));
  it('dotenv', () => expectLine('dotenv', 'AWS_SECRET_ACCESS_KEY=', row.dotenv));
});

describe('refusals', () => {
  const SHELLS: ExportFormat[] = ['env', 'bash', 'zsh', 'fish', 'powershell', 'cmd'];

  it.each([
    ['newline', 'a\nb'],
    ['carriage return', 'a\rb'],
    ['NUL', 'a\u0000b'],
    ['tab', 'a\tb'],
    ['escape (terminal control)', 'a\u001b[2Jb'],
    ['DEL', 'a\u007fb'],
    ['C1 CSI', 'a\u009bb'],
    ['unpaired surrogate', 'a\ud800b'],
  ])('every shell format refuses a %s', (_what, value) => {
    for (const format of SHELLS) {
      expect(() => formatCredentials(format, withSecret(value)), format).toThrow(TempcredsError);
    }
  });

  it('dotenv refuses every control character: its readers disagree on escapes for them', () => {
    for (const value of ['a\nb', 'a\rb', 'a\u0000b', 'a\tb', 'a\u001bb', 'a\u0085b']) {
      expect(() => secretLine('dotenv', value), JSON.stringify(value)).toThrow(/cannot hold on one line/);
    }
  });

  it('dotenv refuses ${ anywhere, and what no quoting holds for all its readers', () => {
    expect(() => secretLine('dotenv', 'a${HOME}b')).toThrow(/python-dotenv expands/);
    expect(() => secretLine('dotenv', "a${'")).toThrow(/python-dotenv expands/);
    for (const value of ["it's \\ x", `it's "x"`, "it's $5", 'a\\\\b']) {
      expect(() => secretLine('dotenv', value), value).toThrow(TempcredsError);
    }
    expect(() => secretLine('dotenv', 'C:\\temp\\')).toThrow(/cannot end with/);
    expect(secretLine('dotenv', 'a\\b')).toBe(String.raw`AWS_SECRET_ACCESS_KEY='a\b'`);
    expect(secretLine('dotenv', 'C:\\temp')).toBe(String.raw`AWS_SECRET_ACCESS_KEY='C:\temp'`);
    expect(secretLine('dotenv', 'a$b c')).toBe(`AWS_SECRET_ACCESS_KEY='a$b c'`);
  });

  it('says which variable and which character, with kind failed, and never shows the value', () => {
    const secret = 'topsecret%value';
    let caught: unknown;
    try {
      formatCredentials('cmd', withSecret(secret));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TempcredsError);
    const err = caught as TempcredsError;
    expect(err.kind).toBe('failed');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('AWS_SECRET_ACCESS_KEY');
    expect(err.message).toContain('% (U+0025)');
    expect(err.message).not.toContain('topsecret');
    expect(err.fix).toMatch(/--format json/);
  });

  it('names a control character by its code point', () => {
    expect(() => secretLine('bash', 'x\ny')).toThrow(/U\+000A/);
    expect(() => secretLine('fish', 'x\u0000y')).toThrow(/U\+0000/);
  });

  it('a refused region is refused too (every value goes through the same quoting)', () => {
    expect(() => formatCredentials('bash', { ...output, region: 'eu-west-1\nrm -rf ~' })).toThrow(
      TempcredsError,
    );
  });
});

describe('parseExportFormat', () => {
  it('accepts every listed format', () => {
    for (const format of EXPORT_FORMATS) expect(parseExportFormat(format)).toBe(format);
    expect(EXPORT_FORMATS).toHaveLength(9);
  });

  it('refuses others as bad usage, listing the formats', () => {
    expect(() => parseExportFormat('csh')).toThrow(/Unknown format "csh"/);
    try {
      parseExportFormat('Bash');
    } catch (err) {
      expect((err as TempcredsError).kind).toBe('usage');
      expect((err as TempcredsError).fix).toContain('powershell');
    }
  });
});
