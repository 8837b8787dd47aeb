/**
 * The INI reader against botocore's rules (Python's configparser, strict). Every expectation
 * here was checked against botocore 1.43 and the AWS CLI v2's own botocore; the differential
 * test (test/integration/config/differential.test.ts) keeps checking many more files that way.
 */
import { describe, expect, it } from 'vitest';
import { getSection, parseIni, renderIni, sectionKeys, sectionNames } from '../../../src/config/ini.js';
import { TempcredsError } from '../../../src/errors.js';
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS, lines } from './fixtures.js';

const roundTrip = (text: string) => renderIni(parseIni(text));

function parseError(text: string, path?: string): TempcredsError {
  try {
    parseIni(text, path);
  } catch (err) {
    if (err instanceof TempcredsError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('parseIni / renderIni round trip', () => {
  const cases: Record<string, string> = {
    'realistic config': REALISTIC_CONFIG,
    'realistic credentials': REALISTIC_CREDENTIALS,
    'CRLF config': REALISTIC_CONFIG.replaceAll('\n', '\r\n'),
    'lone CR line endings': REALISTIC_CONFIG.replaceAll('\n', '\r'),
    'mixed line endings': '[a]\r\nb = 1\nc = 2\r\rd = 3\n',
    'no trailing newline': REALISTIC_CONFIG.trimEnd(),
    'empty file': '',
    'one newline': '\n',
    'blank lines with spaces and tabs': ' \n\t\n  \t \n',
    'only comments': '# one\n; two\n   # three\n\t; four',
    'tabs as indentation and separators': '[x]\n\tkey\t=\tvalue\t\n\tother=1\n',
    'no spaces around =': '[x]\na=b\nc=\n',
    'values with = # ; and quotes': '[x]\nk = a=b#c ;d "e" \'f\'\n',
    'header with trailing comment': '[x] ; note\n[ y ]\t# note\n',
    'nested sub-sections': '[d]\ns3 =\n  a = 1\n\n  # c\n  b=2\nregion = r\n',
    'multi-line continuation': '[d]\nk = one\n  two\n\n  three\nj = 1\n',
    '[DEFAULT] twice': '[DEFAULT]\nx = 1\n[b]\n[DEFAULT]\ny = 2\n',
    'colon separator': '[a]\nx: 1\ny :2\n',
    unicode: '[profile café]\n# ünïcødé ✓\nk = 値\n',
    'trailing spaces after header': '[a]   \nk = v   \n',
    'invisible characters at line ends': '[a]\u200b\nk = v\u00a0\nj = w\u200b\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`is byte for byte: ${name}`, () => {
      expect(roundTrip(text)).toBe(text);
    });
  }

  it('is byte for byte for 500 generated files', () => {
    // Each section and key gets a number, so that no file repeats one (botocore refuses those).
    const pool = [
      (n: number) => `[s${n}]`,
      (n: number) => `[ profile  b${n} ] `,
      (n: number) => `region${n} = us-east-1`,
      (n: number) => `k${n}=v`,
      (n: number) => `K${n} = V # not a comment`,
      (n: number) => `empty${n} =`,
      (n: number) => `  indented${n} = 1`,
      () => '# comment',
      () => '; comment',
      () => '    # indented comment',
      () => '',
      () => '   ',
      () => '\t',
    ];
    const eols = ['\n', '\r\n', '\r'];
    let seed = 42;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 16) % n);
    for (let file = 0; file < 500; file++) {
      let text = '[start]' + (eols[next(3)] ?? '\n');
      for (let n = next(12); n > 0; n--) text += (pool[next(pool.length)] ?? (() => ''))(n) + eols[next(3)];
      if (next(2) === 0) text = text.replace(/(\r\n|\n|\r)$/, '');
      let parsed;
      try {
        parsed = parseIni(text);
      } catch {
        // An indented key right after `empty =` is nested and may be fine or not: skip those.
        continue;
      }
      expect(renderIni(parsed)).toBe(text);
    }
  });

  it('keeps each line with its own terminator', () => {
    const doc = parseIni('[a]\r\nb = 1\nc = 2');
    expect(doc.lines.map((line) => [line.text, line.eol])).toEqual([
      ['[a]', '\r\n'],
      ['b = 1', '\n'],
      ['c = 2', ''],
    ]);
  });
});

describe('sectionNames', () => {
  it('lists sections in file order, with the spaces inside the brackets: [ tp ] is " tp "', () => {
    expect(sectionNames(parseIni(REALISTIC_CONFIG))).toEqual([
      'default',
      'profile sts_user',
      ' profile  spaced ',
      'profile tabbed',
      'sso-session corp',
    ]);
    expect(sectionNames(parseIni('[ tp ]\nk = 1\n'))).toEqual([' tp ']);
  });

  it('takes the name up to the last "]" and ignores what follows it', () => {
    expect(sectionNames(parseIni('[default] extra\n[a]b]\n[c] ] d\n[e]\u200b\n'))).toEqual([
      'default',
      'a]b',
      'c] ',
      'e',
    ]);
  });

  it('is empty for an empty or comment-only file, and leaves [DEFAULT] out', () => {
    expect(sectionNames(parseIni(''))).toEqual([]);
    expect(sectionNames(parseIni('# x\n\n; y'))).toEqual([]);
    expect(sectionNames(parseIni('[DEFAULT]\nk = v\n[a]\n'))).toEqual(['a']);
  });

  it('keeps names case-sensitive: [Default] is not [default], [default] is not [DEFAULT]', () => {
    expect(sectionNames(parseIni('[Default]\n[default]\n[Profile x]\n'))).toEqual([
      'Default',
      'default',
      'Profile x',
    ]);
  });
});

describe('getSection', () => {
  const config = parseIni(REALISTIC_CONFIG);

  it('reads a section and flattens nested settings', () => {
    expect(getSection(config, 'default')).toEqual({
      region: 'cn-northwest-1',
      output: 'json',
      cli_pager: '',
      's3.max_concurrent_requests': '20',
      's3.multipart_threshold': '64MB',
      cli_timestamp_format: 'iso8601',
    });
  });

  it('keeps "=", "#" and ";" inside values: botocore strips no inline comments', () => {
    expect(getSection(config, 'profile sts_user')).toEqual({
      region: 'cn-northwest-1',
      role_arn: 'arn:aws-cn:iam::123456789012:role/target-role # not a comment',
      external_id: 'a=b=c',
      sso_start_url: 'https://corp.awsapps.com/start#/',
    });
    expect(getSection(parseIni('[x]\nk = a ;b\n'), 'x')).toEqual({ k: 'a ;b' });
  });

  it('splits on the first "=" or ":", as botocore does', () => {
    expect(getSection(parseIni('[x]\na:b = c\nd = e:f\n'), 'x')).toEqual({ a: 'b = c', d: 'e:f' });
  });

  it('trims keys and values, including tabs', () => {
    expect(getSection(config, ' profile  spaced ')).toEqual({ region: 'us-west-2' });
    expect(getSection(config, 'profile tabbed')).toEqual({ region: 'eu-west-1', output: 'text' });
  });

  it("strips Python's white space at line ends, not other invisible characters", () => {
    const doc = parseIni('[x]\na = 1\u00a0\nb = 2\u2003\nc = 3\x1f\nd = 4\u200b\ne = 5\ufeff\n');
    // NBSP, EM SPACE and U+001F are white space to Python; ZERO WIDTH SPACE and U+FEFF are not.
    expect(getSection(doc, 'x')).toEqual({ a: '1', b: '2', c: '3', d: '4\u200b', e: '5\ufeff' });
  });

  it('lower-cases keys as botocore does, but not nested keys (botocore does not either)', () => {
    const doc = parseIni('[x]\nAWS_Access_Key_ID = A\nS3 =\n  Max_Bandwidth = 1\n');
    expect(getSection(doc, 'x')).toEqual({ aws_access_key_id: 'A', 's3.Max_Bandwidth': '1' });
  });

  it('gives every section the [DEFAULT] keys, its own keys winning', () => {
    const doc = parseIni('[DEFAULT]\nregion = d\noutput = o\n[a]\nregion = a\n[DEFAULT]\nk = 1\n[b]\n');
    expect(getSection(doc, 'a')).toEqual({ region: 'a', output: 'o', k: '1' });
    expect(getSection(doc, 'b')).toEqual({ region: 'd', output: 'o', k: '1' });
    expect(getSection(doc, 'DEFAULT')).toBeUndefined();
  });

  it('reads a nested line with an empty key, as botocore does', () => {
    expect(getSection(parseIni('[x]\ns3 =\n  = 1\n'), 'x')).toEqual({ 's3.': '1' });
  });

  it('joins a continued value with newlines, keeping inner blank lines as botocore does', () => {
    const doc = parseIni('[x]\nk = one\n  two\n\n  # skipped\n  three\n\nj = 1\n');
    expect(getSection(doc, 'x')).toEqual({ k: 'one\ntwo\n\nthree', j: '1' });
  });

  it('keeps a raw nested value starting with a newline (botocore parse_subsections=False)', () => {
    expect(sectionKeys(parseIni('[x]\ns3 =\n\n  a = 1\n'), 'x')?.get('s3')).toMatchObject({
      value: '\n\na = 1',
      nested: true,
    });
  });

  it('reads an empty value followed only by blank lines as empty', () => {
    expect(getSection(parseIni('[x]\ns3 =\n\n\nk = v'), 'x')).toEqual({ s3: '', k: 'v' });
  });

  it('treats a header indented under a key as part of that value (botocore continuation)', () => {
    const doc = parseIni('[a]\nk = v\n  [b]\n');
    expect(sectionNames(doc)).toEqual(['a']);
    expect(getSection(doc, 'a')).toEqual({ k: 'v\n[b]' });
  });

  it('does not continue a value across a section header', () => {
    const doc = parseIni('[a]\nk =\n[b]\n  j = 1\n');
    expect(getSection(doc, 'a')).toEqual({ k: '' });
    expect(getSection(doc, 'b')).toEqual({ j: '1' });
  });

  it('lets a comment at the left margin sit inside a nested block (configparser skips it)', () => {
    expect(getSection(parseIni('[x]\ns3 =\n  a = 1\n# note\n  b = 2\n'), 'x')).toEqual({
      's3.a': '1',
      's3.b': '2',
    });
  });

  it('reads "[a=b" after a section as the key "[a", as configparser does', () => {
    expect(getSection(parseIni('[x]\n[a=b\n'), 'x')).toEqual({ '[a': 'b' });
  });

  it('returns {} for a section without keys and undefined for a missing one', () => {
    const doc = parseIni('[empty]\n# nothing\n');
    expect(getSection(doc, 'empty')).toEqual({});
    expect(getSection(doc, 'missing')).toBeUndefined();
    expect(getSection(doc, 'EMPTY')).toBeUndefined();
  });
});

describe('parseIni refuses what botocore cannot read', () => {
  const FIX = 'Fix or remove that line; tempcreds never rewrites a file it cannot read.';

  it('names the path and 1-based line of a garbage line', () => {
    const text = lines('\n', '# c', '[default]', 'region = x', '', '[p]', 'k = v', 'garbage');
    const err = parseError(text, '/home/u/.aws/credentials');
    expect(err.message).toBe(
      '/home/u/.aws/credentials line 7 is not "key = value" or "[section]": "garbage"',
    );
    expect(err).toMatchObject({ kind: 'usage', fix: FIX, exitCode: 2 });
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('counts lines right with %s line endings', (_name, eol) => {
    expect(parseError(lines(eol, '[a]', '', '# x', 'b = 1', 'oops'), 'f').message).toMatch(/^f line 5 /);
  });

  it('says "INI text" when there is no path', () => {
    expect(parseError('[a]\nnope').message).toBe(
      'INI text line 2 is not "key = value" or "[section]": "nope"',
    );
  });

  it.each([
    ['a BOM', '\ufeff[default]\nregion = x\n', 1, 'starts with a byte order mark (BOM)'],
    ['a BOM before a comment', '\ufeff# c\n[default]\n', 1, 'starts with a byte order mark (BOM)'],
    [
      'a key before any section',
      'region = x\n[default]\n',
      1,
      'is a setting before the first "[section]" header',
    ],
    ['garbage before any section', '# c\nfoo\n', 2, 'is not "key = value" or "[section]"'],
    ['an empty header first', '[]\nk=1\n', 1, 'is not "key = value" or "[section]"'],
    ['an unterminated header', '[default]\nk = v\n[profile x\n', 3, 'is not a complete "[section]" header'],
    ['an empty header', '[a]\n[]\n', 2, 'is not a complete "[section]" header'],
    ['an empty key', '[a]\n= v\n', 2, 'is not "key = value" or "[section]"'],
    ['a key without value', '[a]\njust_a_key\n', 2, 'is not "key = value" or "[section]"'],
    ['a repeated section', '[a]\nx = 1\n[b]\n[a]\ny = 2\n', 4, 'repeats the section [a] of line 1'],
    [
      'a repeated [default]',
      '[default]\n[profile x]\n[default]\n',
      3,
      'repeats the section [default] of line 1',
    ],
    [
      'a key set twice',
      '[a]\nregion = 1\nk = 2\nregion = 3\n',
      4,
      'sets "region" again (line 2; keys ignore case)',
    ],
    [
      'Region beside region',
      '[a]\nregion = 1\nRegion = 2\n',
      3,
      'sets "Region" again (line 2; keys ignore case)',
    ],
    ['a key twice across [DEFAULT] sections', '[DEFAULT]\nk = 1\n[DEFAULT]\nK = 2\n', 4, 'sets "K" again'],
    [
      'a nested line without "="',
      '[a]\ns3 =\n  a = 1\n  junk\n',
      4,
      'is inside the nested "s3" settings but is not "key = value"',
    ],
    ['a nested line with only ":"', '[a]\ns3 =\n  a: 1\n', 3, 'is inside the nested "s3" settings'],
    [
      'a nested [DEFAULT] line some section reads',
      '[DEFAULT]\ns3 =\n  bad\n[a]\n',
      3,
      'is inside the nested "s3"',
    ],
  ])('%s', (_name, text, line, problem) => {
    const err = parseError(text, '/c');
    expect(err.message).toContain(`/c line ${line} ${problem}`);
    expect(err.kind).toBe('usage');
    expect(err.fix).toBeTruthy();
  });

  it('reads a bad nested [DEFAULT] value that no section reads, as botocore does', () => {
    expect(() => parseIni('[DEFAULT]\ns3 =\n  bad\n')).not.toThrow();
    expect(() => parseIni('[DEFAULT]\ns3 =\n  bad\n[a]\ns3 = flat\n')).not.toThrow();
  });

  it('says how to remove a BOM and how to fix a repeat', () => {
    expect(parseError('\ufeff[a]\n', '/c').fix).toContain('/c');
    expect(parseError('[a]\n[a]\n').fix).toMatch(/Merge the two \[a\] sections/);
    expect(parseError('[a]\nk = 1\nK = 2\n').fix).toMatch(/Keep one of the two lines/);
  });

  it('never shows a secret from the bad line', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    for (const bad of [secret, `aws_secret_access_key ${secret}`, `[${secret}`]) {
      const err = parseError(`[a]\n${bad}\n`, '/c');
      expect(err.message).not.toContain(secret.slice(0, 16));
      expect(err.message).toContain('***');
    }
  });

  it('shows invisible characters of the bad line escaped, on one line', () => {
    const err = parseError('[a]\nbad\u200b\u00a0\x07\n', '/c');
    expect(err.message).toBe('/c line 2 is not "key = value" or "[section]": "bad\\u200b\\u00a0\\u0007"');
  });

  it('shortens a long bad line', () => {
    const err = parseError(`[a]\n${'x '.repeat(100)}\n`);
    expect(err.message.length).toBeLessThan(130);
    expect(err.message).toMatch(/\.\.\."$/);
  });
});
