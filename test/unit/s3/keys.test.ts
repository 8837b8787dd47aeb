import { describe, expect, it } from 'vitest';
import { decodeListedKey, unsafeKeyReason } from '../../../src/s3/keys.js';

describe('decodeListedKey (encoding-type=url, decoded as botocore does)', () => {
  it.each([
    ['a%20b', 'a b'],
    ['a+b', 'a b'], // S3 may encode a space as +
    ['a%2Bb', 'a+b'], // a literal + is always %2B
    ['100%25', '100%'],
    ['q%3F%23', 'q?#'],
    ['%C3%BC%CC%88', 'ü\u0308'],
    ['%F0%9F%98%80', '\u{1F600}'],
    ['dir/sub/file', 'dir/sub/file'],
  ])('%s -> %s', (raw, key) => {
    expect(decodeListedKey(raw, 'url')).toBe(key);
  });

  it('leaves keys alone when the answer is not url-encoded', () => {
    expect(decodeListedKey('a+b%20', undefined)).toBe('a+b%20');
  });

  it('round-trips the encoding moto and S3 use (Python quote)', () => {
    for (const key of ['a b+c%d#e?f', 'ünï/cödé', 'a\tb', 'x&y=z', "~!*()'"]) {
      const pythonQuote = encodeURIComponent(key)
        .replace(/%2F/g, '/')
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      expect(decodeListedKey(pythonQuote, 'url')).toBe(key);
    }
  });
});

describe('unsafeKeyReason (keys that cannot be files below the folder)', () => {
  it.each(['a', 'a/b/c', 'a b', '.hidden', 'a..b', '...', 'a/.x/b'])('%s is fine', (key) => {
    expect(unsafeKeyReason(key)).toBeUndefined();
  });

  it.each([
    ['../etc/passwd', /parent/],
    ['a/../../b', /parent/],
    ['..', /parent/],
    ['./a', /"\."/],
    ['a/./b', /"\."/],
    ['a//b', /empty/],
    ['/abs', /empty/],
    ['dir/', /empty/],
    ['', /prefix itself/],
    ['a\0b', /NUL/],
  ])('%s is refused', (key, reason) => {
    expect(unsafeKeyReason(key)).toMatch(reason);
  });
});
