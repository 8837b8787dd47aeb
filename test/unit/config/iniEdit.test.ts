import { describe, expect, it } from 'vitest';
import { getSection, parseIni, renderIni } from '../../../src/config/ini.js';
import { removeSection, setValues } from '../../../src/config/iniEdit.js';
import { TempcredsError } from '../../../src/errors.js';
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS, changed, lines, usageErrorOf } from './fixtures.js';

type Values = Record<string, string | null>;

const edit = (text: string, section: string, values: Values) =>
  renderIni(setValues(parseIni(text, '/f'), section, values));
const remove = (text: string, section: string) => renderIni(removeSection(parseIni(text), section));

describe('setValues: replacing a key', () => {
  it.each([
    ['key = value', 'key = new'],
    ['key=value', 'key=new'],
    ['key\t=\tvalue', 'key\t=\tnew'],
    ['key   =  value', 'key   =  new'],
    ['   key = value', '   key = new'],
    ['\tkey=value', '\tkey=new'],
    ['key = value   ', 'key = new'],
    ['key =', 'key = new'],
    ['key=', 'key=new'],
    ['key = ', 'key = new'],
    ['key = value\u00a0', 'key = new'],
    ['key = value\u200b', 'key = new'],
    // What the AWS SDK for JavaScript does not read (case, ":") becomes canonical.
    ['key: value', 'key = new'],
    ['key :value', 'key = new'],
    ['Key = value', 'key = new'],
    ['KEY=value', 'key=new'],
    ['key\u00a0= value', 'key = new'],
    ['\u2003key = value', ' key = new'],
  ])('writes "%s" as %j', (before, after) => {
    // First in its section: an indented line after another key would continue that key's value.
    const text = lines('\n', '# top', '[s]', before, 'z = 2', '', '[t]', 'key = other');
    const result = edit(text, 's', { key: 'new' });
    expect(changed(text, result)).toEqual({ removed: [`${before}\n`], added: [`${after}\n`] });
  });

  it('changes only that line in a realistic file', () => {
    const result = edit(REALISTIC_CONFIG, 'profile sts_user', { region: 'cn-north-1' });
    expect(changed(REALISTIC_CONFIG, result)).toEqual({
      removed: ['region = cn-northwest-1   \n'],
      added: ['region = cn-north-1\n'],
    });
  });

  it('replaces a nested block and its continuation lines with a flat value', () => {
    const text = lines('\n', '[d]', 's3 =', '  a = 1', '  # inner', '  b = 2', 'region = r');
    const result = edit(text, 'd', { s3: 'flat' });
    expect(result).toBe(lines('\n', '[d]', 's3 = flat', '  # inner', 'region = r'));
    expect(getSection(parseIni(result), 'd')).toEqual({ s3: 'flat', region: 'r' });
  });

  it('keeps a file without final newline without one', () => {
    expect(edit('[a]\nk = 1', 'a', { k: '2' })).toBe('[a]\nk = 2');
  });

  it('replaces a line the JavaScript SDK reads as nested by one right after the header', () => {
    // botocore: s3 = "" and region = old. The SDK: s3.region = old (indented after "s3 =").
    const text = lines('\n', '[p]', '  s3 =', '  region = old', '[q]');
    expect(edit(text, 'p', { region: 'new' })).toBe(lines('\n', '[p]', '  region = new', '  s3 =', '[q]'));
  });

  it('returns an identical text when the value is already set', () => {
    expect(edit(REALISTIC_CREDENTIALS, 'sts_user', { aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE' })).toBe(
      REALISTIC_CREDENTIALS,
    );
  });
});

describe('setValues: adding a key', () => {
  it('goes after the last key, before blank lines and comments that belong to the next section', () => {
    const text = lines('\n', '[a]', 'k = 1', '# about k', 'j = 2', '', '# next: b', '[b]', 'x = 1');
    const result = edit(text, 'a', { new: 'v' });
    expect(changed(text, result)).toEqual({ removed: [], added: ['new = v\n'] });
    expect(result).toBe(
      lines('\n', '[a]', 'k = 1', '# about k', 'j = 2', 'new = v', '', '# next: b', '[b]', 'x = 1'),
    );
  });

  it('goes after a nested block when unindented, where the JavaScript SDK reads it too', () => {
    const text = lines('\n', '[d]', 'region = r', 's3 =', '    a = 1', '', '[e]');
    expect(edit(text, 'd', { output: 'json' })).toBe(
      lines('\n', '[d]', 'region = r', 's3 =', '    a = 1', 'output = json', '', '[e]'),
    );
  });

  it('goes right after the header when indented keys end with a nested block (the SDK would read s3.output)', () => {
    const text = lines('\n', '[d]', '  region = r', '  s3 =', '    a = 1', '', '[e]');
    expect(edit(text, 'd', { output: 'json' })).toBe(
      lines('\n', '[d]', '  output = json', '  region = r', '  s3 =', '    a = 1', '', '[e]'),
    );
  });

  it('goes right after the header after an indented key with no value (the SDK starts a block there)', () => {
    const text = lines('\n', '[d]', '\tcli_pager =', '[e]');
    expect(edit(text, 'd', { region: 'r' })).toBe(lines('\n', '[d]', '\tregion = r', '\tcli_pager =', '[e]'));
  });

  it('indents a key after the header like the line after it, so botocore does not continue it', () => {
    expect(edit('[a]\n  [b]\n', 'a', { k: 'v' })).toBe('[a]\n  k = v\n  [b]\n');
  });

  it('sees an indented "key = value" under another key as part of its value, as botocore does', () => {
    const result = edit('[s]\na = 1\n   key = value\n', 's', { key: 'new' });
    expect(result).toBe('[s]\na = 1\n   key = value\nkey = new\n');
    expect(getSection(parseIni(result), 's')).toEqual({ a: '1\nkey = value', key: 'new' });
  });

  it('copies the spacing of the key before it', () => {
    expect(edit('[a]\nk=1\n', 'a', { j: '2' })).toBe('[a]\nk=1\nj=2\n');
    expect(edit('[a]\nk\t=\t1\n', 'a', { j: '2' })).toBe('[a]\nk\t=\t1\nj\t=\t2\n');
    expect(edit('[a]\ns3 =\n  x = 1\n', 'a', { j: '2' })).toBe('[a]\ns3 =\n  x = 1\nj = 2\n');
  });

  it('writes "=" even after "key: value" lines, which the JavaScript SDKs do not read', () => {
    expect(edit('[a]\nk: 1\n', 'a', { j: '2' })).toBe('[a]\nk: 1\nj = 2\n');
  });

  it('goes right after the header of a section without keys', () => {
    const text = lines('\n', '[a]', '# just a comment', '', '[b]');
    expect(edit(text, 'a', { k: 'v' })).toBe(lines('\n', '[a]', 'k = v', '# just a comment', '', '[b]'));
  });

  it('keeps a file without final newline without one, ending with the new key', () => {
    expect(edit('[a]\r\nk = 1', 'a', { j: '2' })).toBe('[a]\r\nk = 1\r\nj = 2');
  });

  it('keeps several new keys in the order given', () => {
    expect(edit('[a]\n', 'a', { z: '1', a: '2', m: '3' })).toBe('[a]\nz = 1\na = 2\nm = 3\n');
  });

  it('keeps the value exactly, "=", "#", ";" and all', () => {
    const value = 'arn:aws:iam::1:role/x#y;z=w "q"';
    const result = edit('[a]\n', 'a', { k: value });
    expect(getSection(parseIni(result), 'a')).toEqual({ k: value });
  });
});

describe('setValues: adding a section', () => {
  it.each([
    ['LF file', '[a]\nk = 1\n', '[a]\nk = 1\n\n[b]\nx = 1\n'],
    ['CRLF file', '[a]\r\nk = 1\r\n', '[a]\r\nk = 1\r\n\r\n[b]\r\nx = 1\r\n'],
    ['file without final newline', '[a]\r\nk = 1', '[a]\r\nk = 1\r\n\r\n[b]\r\nx = 1'],
    ['file ending with a blank line', '[a]\nk = 1\n\n', '[a]\nk = 1\n\n[b]\nx = 1\n'],
    ['empty file', '', '[b]\nx = 1\n'],
    ['file with only a newline', '\n', '\n[b]\nx = 1\n'],
    ['file with only comments', '# c\n; d', '# c\n; d\n\n[b]\nx = 1'],
  ])('appends it after one blank line to a %s', (_name, before, after) => {
    expect(edit(before, 'b', { x: '1' })).toBe(after);
  });

  it('takes the line ending of the first line, in a mixed file', () => {
    expect(edit('[a]\r\nk = 1\n', 'b', { x: '1' })).toBe('[a]\r\nk = 1\n\r\n[b]\r\nx = 1\r\n');
  });

  it('does not create a section only to remove keys from it', () => {
    expect(edit('[a]\n', 'b', { x: null })).toBe('[a]\n');
  });

  it('leaves every existing byte of a realistic file alone', () => {
    const result = edit(REALISTIC_CREDENTIALS, 'target-role-profile', {
      aws_access_key_id: 'ASIA1',
      aws_session_token: 't',
    });
    expect(result.startsWith(REALISTIC_CREDENTIALS)).toBe(true);
    expect(result.slice(REALISTIC_CREDENTIALS.length)).toBe(
      '\n[target-role-profile]\naws_access_key_id = ASIA1\naws_session_token = t\n',
    );
  });
});

describe('setValues: removing a key (null)', () => {
  it('removes only its line', () => {
    const text = lines('\n', '# c', '[a]', 'k = 1', 'secret = s', '; note', 'j = 2');
    const result = edit(text, 'a', { secret: null });
    expect(changed(text, result)).toEqual({ removed: ['secret = s\n'], added: [] });
  });

  it('removes a key whatever its case', () => {
    expect(edit(lines('\n', '[a]', 'K = 2', 'j = 3'), 'a', { k: null })).toBe(lines('\n', '[a]', 'j = 3'));
  });

  it('removes a nested block with it, leaving comments inside it', () => {
    const text = lines('\n', '[a]', 's3 =', '  a = 1', '  # c', '  b = 2', 'j = 3');
    expect(edit(text, 'a', { s3: null })).toBe(lines('\n', '[a]', '  # c', 'j = 3'));
  });

  it('keeps a file without final newline without one when its last line goes', () => {
    expect(edit('[a]\nk = 1\nj = 2', 'a', { j: null })).toBe('[a]\nk = 1');
  });

  it('changes nothing for a missing key', () => {
    expect(edit(REALISTIC_CONFIG, 'default', { nope: null })).toBe(REALISTIC_CONFIG);
  });

  it('can set and remove in one call', () => {
    const text = lines('\n', '[p]', 'aws_access_key_id = A', 'aws_session_token = T');
    expect(edit(text, 'p', { aws_access_key_id: 'B', aws_session_token: null, region: 'r' })).toBe(
      lines('\n', '[p]', 'aws_access_key_id = B', 'region = r'),
    );
  });
});

describe('setValues: the document it returns', () => {
  it('is the one its text parses to (only the edited section is parsed again), for 400 edits', () => {
    let seed = 3;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
    const texts = [
      REALISTIC_CONFIG,
      REALISTIC_CREDENTIALS,
      REALISTIC_CONFIG.replaceAll('\n', '\r\n'),
      REALISTIC_CONFIG.trimEnd(),
    ];
    const sections = [
      'default',
      'profile sts_user',
      'profile tabbed',
      'sso-session corp',
      'sts_user',
      'new one',
    ];
    const keys = ['region', 'output', 's3', 'aws_access_key_id', 'cli_timestamp_format', 'fresh'];
    let edited = 0;
    for (let i = 0; i < 400; i++) {
      const text = texts[next(texts.length)] ?? '';
      const values = Object.fromEntries(
        keys.filter(() => next(3) === 0).map((key) => [key, next(3) === 0 ? null : `v${i}`]),
      );
      let result;
      try {
        result = setValues(parseIni(text, '/f'), sections[next(sections.length)] ?? 'x', values);
      } catch (err) {
        if (err instanceof TempcredsError && err.kind === 'usage') continue;
        throw err;
      }
      expect(result.lines).toEqual(parseIni(renderIni(result), '/f').lines);
      edited++;
    }
    expect(edited).toBeGreaterThan(300);
  });
});

describe('setValues: what it refuses', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG';

  it.each([
    ['a line break', `${secret}\nx`],
    ['a carriage return', `${secret}\rx`],
    ['a leading space', ` ${secret}`],
    ['a trailing tab', `${secret}\t`],
  ])('a value with %s, without showing the value', (_name, value) => {
    const err = usageErrorOf(() => edit('[a]\n', 'a', { aws_secret_access_key: value }));
    expect(err.message).toContain('aws_secret_access_key');
    expect(err.message).toContain('/f');
    expect(err.message).not.toContain(secret);
  });

  it.each(['', 'a=b', 'a:b', 's3.max', '#k', ';k', '[k', ' k', 'k ', 'k\nj'])('the key %j', (key) => {
    usageErrorOf(() => edit('[a]\n', 'a', { [key]: 'v' }));
  });

  it.each(['', ' a', 'a ', 'a\nb'])('the section name %j', (section) => {
    usageErrorOf(() => edit('', section, { k: 'v' }));
  });

  it.each(['Region', 'AWS_ACCESS_KEY_ID', 'k\u00a0'])('the key %j: keys are written in lower case', (key) => {
    usageErrorOf(() => edit('[a]\n', 'a', { [key]: 'v' }));
  });

  it.each([
    ['an empty value (the SDK reads "k =" as a nested block)', ''],
    ['" #" (the SDK reads a comment)', 'arn:aws:iam::1:role/x #y'],
    ['a leading "#"', '#x'],
    ['" ;"', 'a ;b'],
    ['a trailing U+FEFF (JavaScript trims it, Python does not)', 'v\ufeff'],
    ['a trailing U+001F (Python strips it, JavaScript does not)', 'v\x1f'],
    ['a U+2028 line separator', 'a\u2028b'],
  ])('a value with %s', (_name, value) => {
    usageErrorOf(() => edit('[a]\n', 'a', { k: value }));
  });

  it.each(['DEFAULT', 'foo bar', '\u00a0a'])(
    'the section %j, which the AWS CLI or the SDK would not read as written',
    (section) => {
      usageErrorOf(() => edit('', section, { k: 'v' }));
    },
  );

  it('a file with lone CR line endings, which the SDK would read as one line', () => {
    const err = usageErrorOf(() => edit('[a]\rk = 1\r', 'b', { x: '1' }));
    expect(err.message).toBe(
      '/f line 1 ends with a lone carriage return (CR), which the AWS SDK for JavaScript does not read as a line break.',
    );
  });

  it.each([
    [
      'its header has text after "]"',
      lines('\n', '[a] extra', 'k = 1'),
      1,
      'is read as [a] by the AWS CLI but not by the AWS SDK',
    ],
    [
      'its header ends with an invisible character',
      lines('\n', '[a]\u200b', 'k = 1'),
      1,
      'is read as [a] by the AWS CLI',
    ],
    [
      'the next header has text after "]"',
      lines('\n', '[a]', 'k = 1', '[b] extra', 'k = 2'),
      3,
      'is not a section header to the AWS SDK',
    ],
    [
      'an indented header continues a value',
      lines('\n', '[a]', 'k = 1', '  [b]', 'j = 2'),
      3,
      'is a section header to the AWS SDK',
    ],
  ])('a section where %s', (_name, text, line, problem) => {
    const err = usageErrorOf(() => edit(text, 'a', { k: '9' }));
    expect(err.message).toContain(`/f line ${line} ${problem}`);
    expect(err.fix).toBeTruthy();
  });

  it('removing a key that the SDK still reads from a line botocore takes as part of a value', () => {
    const text = lines('\n', '[a]', 'k = v', '  aws_access_key_id = AKIAEXAMPLE', 'j = 1');
    const err = usageErrorOf(() => edit(text, 'a', { aws_access_key_id: null }));
    expect(err.message).toContain(
      '/f line 3 is read as aws_access_key_id of [a] by the AWS SDK for JavaScript, but not by the AWS CLI',
    );
  });

  it('removing a key that [DEFAULT] sets for every section', () => {
    const err = usageErrorOf(() =>
      edit(lines('\n', '[DEFAULT]', 'region = d', '[a]', 'region = a'), 'a', { region: null }),
    );
    expect(err.message).toContain('/f line 2 sets region in [DEFAULT]');
  });

  it('leaves the input document as it was', () => {
    const doc = parseIni(REALISTIC_CONFIG);
    setValues(doc, 'default', { region: 'x', output: null, new: 'n' });
    removeSection(doc, 'default');
    expect(renderIni(doc)).toBe(REALISTIC_CONFIG);
  });
});

describe('removeSection', () => {
  it('removes a section between two others and one of the blank lines around it', () => {
    const text = lines('\n', '[a]', 'k = 1', '', '[b]', '# inside', 'x = 1', '', '[c]', 'y = 1');
    expect(remove(text, 'b')).toBe(lines('\n', '[a]', 'k = 1', '', '[c]', 'y = 1'));
  });

  it('removes the first section and the blank line after it', () => {
    expect(remove(lines('\n', '[a]', 'k = 1', '', '[b]'), 'a')).toBe(lines('\n', '[b]'));
  });

  it('removes the last section and the blank line before it', () => {
    expect(remove(lines('\n', '[a]', 'k = 1', '', '[b]', 'x = 1'), 'b')).toBe(lines('\n', '[a]', 'k = 1'));
  });

  it('keeps a file without final newline without one', () => {
    expect(remove('[a]\r\nk = 1\r\n[b]\r\nx = 1', 'b')).toBe('[a]\r\nk = 1');
  });

  it('keeps comments after the last key, which usually describe what follows', () => {
    expect(remove(lines('\n', '[a]', 'k = 1', '# about b', '[b]'), 'a')).toBe(
      lines('\n', '# about b', '[b]'),
    );
  });

  it('removes nested blocks and the comments inside the section', () => {
    const result = remove(REALISTIC_CONFIG, 'default');
    expect(getSection(parseIni(result), 'default')).toBeUndefined();
    expect(result).not.toContain('max_concurrent_requests');
    expect(result).not.toContain('an indented comment');
    expect(result).toContain('# ~/.aws/config, kept by hand\n; an old-style comment\n\n[profile sts_user]');
    expect(result.endsWith('[sso-session corp]\nsso_region = us-east-1\n\n# the end\n')).toBe(true);
  });

  it('removes a header-only section', () => {
    expect(remove('[a]\n[b]\nk = 1\n', 'a')).toBe('[b]\nk = 1\n');
  });

  it('can leave an empty file', () => {
    expect(remove('[a]\nk = 1\n', 'a')).toBe('');
  });

  it('changes nothing for a missing section', () => {
    expect(remove(REALISTIC_CONFIG, 'profile nope')).toBe(REALISTIC_CONFIG);
  });
});
