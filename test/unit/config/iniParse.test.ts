import { describe, expect, it } from 'vitest';
import { getSection, parseIni, renderIni, sectionNames } from '../../../src/config/ini.js';
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
    BOM: `\ufeff${REALISTIC_CREDENTIALS}`,
    'BOM and CRLF without final newline': '\ufeff[default]\r\nregion = x',
    'only a BOM': '\ufeff',
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
    'duplicate sections': '[a]\nx = 1\n[b]\n[a]\nx = 2\n',
    'colon separator': '[a]\nx: 1\ny :2\n',
    unicode: '[profile café]\n# ünïcødé ✓\nk = 値\n',
    'trailing spaces after header': '[a]   \nk = v   \n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`is byte for byte: ${name}`, () => {
      expect(roundTrip(text)).toBe(text);
    });
  }

  it('is byte for byte for 500 generated files', () => {
    const pool = [
      '[default]',
      '[profile a]',
      '[ profile  b ] ',
      'region = us-east-1',
      'k=v',
      'K = V # not a comment',
      'empty =',
      '  indented = 1',
      '# comment',
      '; comment',
      '    # indented comment',
      '',
      '   ',
      '\t',
    ];
    const eols = ['\n', '\r\n', '\r'];
    let seed = 42;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 16) % n);
    const pick = (texts: string[]) => texts[next(texts.length)] ?? '';
    for (let file = 0; file < 500; file++) {
      let text = next(4) === 0 ? '\ufeff' : '';
      text += '[start]' + pick(eols);
      for (let n = next(12); n > 0; n--) text += pick(pool) + pick(eols);
      if (next(2) === 0) text = text.replace(/(\r\n|\n|\r)$/, '');
      expect(roundTrip(text)).toBe(text);
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

  it('keeps the path for error messages and notes the BOM', () => {
    const doc = parseIni('\ufeff[a]\n', '/p');
    expect(doc).toMatchObject({ path: '/p', bom: true });
    expect(doc.lines[0]).toMatchObject({ kind: 'section', name: 'a' });
  });
});

describe('sectionNames', () => {
  it('lists each section once, in order of first appearance, whitespace inside brackets trimmed', () => {
    expect(sectionNames(parseIni(REALISTIC_CONFIG))).toEqual([
      'default',
      'profile sts_user',
      'profile  spaced',
      'profile tabbed',
      'sso-session corp',
    ]);
  });

  it('is empty for an empty or comment-only file', () => {
    expect(sectionNames(parseIni(''))).toEqual([]);
    expect(sectionNames(parseIni('# x\n\n; y'))).toEqual([]);
  });

  it('keeps a section name as written apart from the outer spaces (names are case-sensitive)', () => {
    expect(sectionNames(parseIni('[Default]\n[default]\n[a]b]\n'))).toEqual(['Default', 'default', 'a]b']);
  });
});

describe('getSection', () => {
  const config = parseIni(REALISTIC_CONFIG);

  it('merges repeated sections, later keys winning, and flattens nested settings', () => {
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
    expect(getSection(config, 'profile  spaced')).toEqual({ region: 'us-west-2' });
    expect(getSection(config, 'profile tabbed')).toEqual({ region: 'eu-west-1', output: 'text' });
  });

  it('lower-cases keys as botocore does, but not nested keys (botocore does not either)', () => {
    const doc = parseIni('[x]\nAWS_Access_Key_ID = A\nS3 =\n  Max_Bandwidth = 1\n');
    expect(getSection(doc, 'x')).toEqual({ aws_access_key_id: 'A', 's3.Max_Bandwidth': '1' });
  });

  it('lets the last of duplicate keys win, whatever their case', () => {
    expect(getSection(parseIni('[x]\nregion = a\nRegion = b\n'), 'x')).toEqual({ region: 'b' });
  });

  it('replaces a whole nested block when a later section sets it again', () => {
    const doc = parseIni('[x]\ns3 =\n  a = 1\n  b = 2\n[x]\ns3 =\n  a = 3\n');
    expect(getSection(doc, 'x')).toEqual({ 's3.a': '3' });
    expect(getSection(parseIni('[x]\ns3 =\n  a = 1\n[x]\ns3 = flat\n'), 'x')).toEqual({ s3: 'flat' });
  });

  it('joins a continued value with newlines, keeping inner blank lines as botocore does', () => {
    const doc = parseIni('[x]\nk = one\n  two\n\n  # skipped\n  three\n\nj = 1\n');
    expect(getSection(doc, 'x')).toEqual({ k: 'one\ntwo\n\nthree', j: '1' });
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

  it('returns {} for a section without keys and undefined for a missing one', () => {
    const doc = parseIni('[empty]\n# nothing\n');
    expect(getSection(doc, 'empty')).toEqual({});
    expect(getSection(doc, 'missing')).toBeUndefined();
    expect(getSection(doc, 'EMPTY')).toBeUndefined();
  });

  it('ignores a BOM', () => {
    expect(getSection(parseIni('\ufeff[default]\r\nregion = x\r\n'), 'default')).toEqual({ region: 'x' });
  });
});

describe('parseIni errors', () => {
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
  ])('counts lines right with %s line endings and a BOM', (_name, eol) => {
    const text = '\ufeff' + lines(eol, '[a]', '', '# x', 'b = 1', 'oops');
    expect(parseError(text, 'f').message).toMatch(/^f line 5 /);
  });

  it('says "INI text" when there is no path', () => {
    expect(parseError('[a]\nnope').message).toBe(
      'INI text line 2 is not "key = value" or "[section]": "nope"',
    );
  });

  it.each([
    [
      'a key before any section',
      'region = x\n[default]\n',
      1,
      'is a setting before the first "[section]" header',
    ],
    ['garbage before any section', '# c\nfoo\n', 2, 'is not "key = value" or "[section]"'],
    ['an unterminated header', '[default]\nk = v\n[profile x\n', 3, 'is not a complete "[section]" header'],
    ['an empty header', '[]\n', 1, 'is not a complete "[section]" header'],
    ['a blank header', '[   ]\n', 1, 'is not a complete "[section]" header'],
    ['text after a header', '[a] b\n', 1, 'is not a complete "[section]" header'],
    ['an empty key', '[a]\n= v\n', 2, 'is not "key = value" or "[section]"'],
    ['a key without value', '[a]\njust_a_key\n', 2, 'is not "key = value" or "[section]"'],
    [
      'a nested line without "="',
      '[a]\ns3 =\n  a = 1\n  junk\n',
      4,
      'is inside the nested "s3" settings but is not "key = value"',
    ],
    ['a nested line with an empty key', '[a]\ns3 =\n  = 1\n', 3, 'is inside the nested "s3" settings'],
    ['a nested line with only ":"', '[a]\ns3 =\n  a: 1\n', 3, 'is inside the nested "s3" settings'],
  ])('rejects %s', (_name, text, line, problem) => {
    const err = parseError(text, '/c');
    expect(err.message).toContain(`/c line ${line} ${problem}`);
    expect(err.kind).toBe('usage');
  });

  it('never shows a secret from the bad line', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    for (const bad of [secret, `aws_secret_access_key ${secret}`, `[${secret}`]) {
      const err = parseError(`[a]\n${bad}\n`, '/c');
      expect(err.message).not.toContain(secret.slice(0, 16));
      expect(err.message).toContain('***');
    }
  });

  it('shortens a long bad line', () => {
    const err = parseError(`[a]\n${'x '.repeat(100)}\n`);
    expect(err.message.length).toBeLessThan(130);
    expect(err.message).toMatch(/\.\.\."$/);
  });
});
