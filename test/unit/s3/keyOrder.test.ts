import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../../src/s3/keyOrder.js';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sign = (n: number) => Math.sign(n);

describe('compareKeys (S3 order: UTF-8 bytes)', () => {
  it('puts / between - and . as S3 does', () => {
    const keys = ['a.b', 'a/b', 'a-b', 'a0', 'a', 'a/'];
    expect([...keys].sort(compareKeys)).toEqual(['a', 'a-b', 'a.b', 'a/', 'a/b', 'a0']);
  });

  it('sorts characters above U+FFFF after U+E000..U+FFFF, unlike JavaScript string order', () => {
    const astral = '\u{1F600}'; // surrogate pair D83D DE00
    const privateUse = '\uE000';
    expect(astral < privateUse).toBe(true); // JavaScript's UTF-16 order
    expect(compareKeys(astral, privateUse)).toBeGreaterThan(0);
    expect(compareKeys('x\uFFFD', `x${astral}`)).toBeLessThan(0);
  });

  it('agrees with Buffer.compare on many random keys', () => {
    const alphabet = [
      'a',
      'b',
      '/',
      '-',
      '.',
      ' ',
      '+',
      '%',
      'é',
      'e\u0301',
      'ß',
      '\u4E2D',
      '\uE000',
      '\uFFFD',
      '\u{1F600}',
      '\u{10000}',
      '~',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const key = () =>
      Array.from(
        { length: 1 + Math.floor(random() * 6) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    for (let i = 0; i < 5000; i++) {
      const a = key();
      const b = key();
      expect(sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
        sign(byteOrder(a, b)),
      );
    }
  });

  it('is 0 only for equal keys, and a prefix comes first', () => {
    expect(compareKeys('abc', 'abc')).toBe(0);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('abc', 'ab')).toBeGreaterThan(0);
  });
});
