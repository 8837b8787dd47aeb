/** Nasty INI files for the differential test: written by hand, then generated from tricky lines. */
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS } from '../../unit/config/fixtures.js';

const HANDWRITTEN: string[] = [
  REALISTIC_CONFIG,
  REALISTIC_CREDENTIALS,
  '[ tp ]\naws_access_key_id = A\n[tp]\naws_access_key_id = B\n',
  '[profile "a b"]\nk = 1\n[profile  x]\nk = 2\n[profilefoo bar]\nk = 3\n[profile x y]\nk = 4\n',
  '[default]\nregion = d\noutput = json\n[profile default]\nregion = p\n',
  '[profile default]\nregion = p\n[default]\nregion = d\n',
  '[profile x]\na = 1\n[profile  x]\nb = 2\n[profile "x"]\nc = 3\n',
  '[DEFAULT]\nregion = all\n[a]\nk = 1\n[DEFAULT]\noutput = o\n[profile b]\nregion = b\n',
  '[DEFAULT]\nregion = only\n',
  '[default] extra words\nregion = x\n[a] # c\n[b] ; c\n[c]d]\n[e] ] f\n',
  '[default]\ns3 =\n  max_concurrent_requests = 10\n  = empty key\n\n  # comment\n  addressing_style=path\nregion = r\n',
  '[default]\ns3 =\n  bad line\n',
  '[default]\nk = one\n  two\n\n\n  three\n\nj = 2\n',
  '[a]\nk = v\n  [b]\n  x = 1\n',
  '[a]\nk =\n[b]\n  j = 1\n',
  '[default]\nregion = us-east-1\u00a0\nk2 = v\u200b\nk3 = v\x1f\nk4 = v\ufeff\nk5 = v\u2003\n',
  '[a]\u200b\nk = 1\n[b]\u00a0\nk = 2\n',
  '[a]\n\u00a0k = indented by nbsp\nj = 1\n',
  '[a]\nk = 1\n\u00a0\n\x1c\nj = 2\n',
  '\ufeff[default]\nregion = x\n',
  '[a]\nregion = 1\nRegion = 2\n',
  '[a]\nk = 1\n[a]\nj = 2\n',
  '[DEFAULT]\nk = 1\n[DEFAULT]\nK = 2\n',
  'region = x\n[default]\n',
  '[]\nk = v\n',
  '[a]\n[]\n',
  '[a]\n[a=b\n',
  '[a]\nkey: value\nother :v\nthird=: v\n',
  '[a]\nk = v # not a comment ; either\n',
  '[a]\r\nk = 1\rj = 2\nl = 3\r\n',
  '[profile \'single\']\nk = 1\n[profile a\\ b]\nk = 2\n[profile "q\\"r"]\nk = 3\n[profile "unclosed]\nk = 4\n',
  '[profile ""]\nk = empty name\n',
  '[profile]\nk = 1\n[profile\ta]\nk = 2\n[profile\u00a0b]\nk = 3\n',
  '[sso-session s]\nsso_region = r\n[services v]\ns3 =\n  endpoint_url = http://x\n',
  '[a]\n\tk = tab\n\t\tj = deeper\n',
  '[a]\nk = v\n\f\nj = w\n',
  '[a]\nnested =\n  x = 1\u2028y = 2\n',
  '# only comments\n; and more\n   # indented\n',
  '',
];

/** A pool of tricky lines, drawn at random (with a fixed seed) into many small files. */
const POOL = [
  '[default]',
  '[profile a]',
  '[profile  a]',
  '[ profile a ]',
  '[profile "a b"]',
  "[profile 'c']",
  '[profilefoo bar]',
  '[DEFAULT]',
  '[default] extra',
  '[x]y]',
  '[ tp ]',
  '[profile a b]',
  '[profile "open]',
  '  [indented]',
  '[a\u200b]',
  'region = us-east-1',
  'Region = eu-west-1',
  'region: cn-north-1',
  'REGION=x',
  'k = v # c',
  'empty =',
  's3 =',
  '  max_concurrent_requests = 1',
  '    multipart_threshold = 2',
  '  junk',
  '\tx = tab',
  'aws_access_key_id = AKIAEXAMPLE',
  'key\u00a0= nbsp',
  'v = a\u00a0',
  'v2 = a\u200b',
  'v3 = a\x1f',
  '= empty',
  'noequals',
  '  = z',
  '# c',
  '; c',
  '  # ic',
  '',
  '   ',
  '\u00a0',
];

function generated(count: number): string[] {
  let seed = 7;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
  const eols = ['\n', '\r\n', '\r'];
  return Array.from({ length: count }, () => {
    let text = next(20) === 0 ? '\ufeff' : '';
    for (let n = next(14); n > 0; n--)
      text += (POOL[next(POOL.length)] ?? '') + (eols[next(eols.length)] ?? '\n');
    return text;
  });
}

/** The whole corpus: the handwritten files, then 400 generated ones (the same every run). */
export function corpus(): string[] {
  return [...HANDWRITTEN, ...generated(400)];
}
