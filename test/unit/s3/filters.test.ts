import { describe, expect, it } from 'vitest';
import { createKeyFilter, globToRegExp, type FilterRule } from '../../../src/s3/filters.js';

const matches = (pattern: string, key: string) => globToRegExp(pattern).test(key);
const ex = (pattern: string): FilterRule => ({ type: 'exclude', pattern });
const inc = (pattern: string): FilterRule => ({ type: 'include', pattern });
const kept = (rules: FilterRule[], keys: string[]) => keys.filter(createKeyFilter(rules));

describe('globToRegExp (Python fnmatch)', () => {
  it.each([
    ['*', 'a/b/c.txt', true],
    ['*.txt', 'a/b/c.txt', true], // * crosses /
    ['*.txt', 'c.txt.bak', false],
    ['a/*', 'a/b/c', true],
    ['a/*', 'b/a/c', false], // anchored at the root
    ['*/a/*', 'x/a/y', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['?', '/', true],
    ['[ab].txt', 'b.txt', true],
    ['[ab].txt', 'c.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['[!ab].txt', 'a.txt', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[]]', ']', true],
    ['[!]]', 'a', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[z-a]b', 'b', false], // a backwards range matches nothing (and does not fail)
    ['[', '[', true], // an unclosed bracket is literal
    ['a[b', 'a[b', true],
    ['\\*', '\\x', true], // no escape character: \ is literal
    ['.txt', 'atxt', false], // . is literal
    ['a+b(c)|d$^', 'a+b(c)|d$^', true],
    ['*', 'line\nbreak', true],
    ['ü*', 'über', true],
    ['?', '\u{1F600}', true], // one character, not one UTF-16 unit
    ['ABC', 'abc', false], // case-sensitive, as on Linux
  ])('%s vs %s -> %s', (pattern, key, expected) => {
    expect(matches(pattern, key)).toBe(expected);
  });
});

describe('createKeyFilter (AWS CLI rule order)', () => {
  const keys = ['a.txt', 'b.log', 'logs/x.log', 'logs/keep.txt', 'src/a.ts'];

  it('keeps everything without rules', () => {
    expect(kept([], keys)).toEqual(keys);
  });

  it('excludes what matches', () => {
    expect(kept([ex('*.log')], keys)).toEqual(['a.txt', 'logs/keep.txt', 'src/a.ts']);
  });

  it('include after exclude brings files back (later rules win)', () => {
    expect(kept([ex('*'), inc('*.txt')], keys)).toEqual(['a.txt', 'logs/keep.txt']);
  });

  it('exclude after include wins over it', () => {
    expect(kept([inc('*.txt'), ex('*')], keys)).toEqual([]);
  });

  it('an include alone keeps everything (files start included)', () => {
    expect(kept([inc('*.txt')], keys)).toEqual(keys);
  });

  it('patterns are relative to the sync root', () => {
    expect(kept([ex('logs/*')], keys)).toEqual(['a.txt', 'b.log', 'src/a.ts']);
    expect(kept([ex('x.log')], keys)).toEqual(keys);
    expect(kept([ex('*x.log')], keys)).toEqual(['a.txt', 'b.log', 'logs/keep.txt', 'src/a.ts']);
  });

  it('evaluates a longer chain in order', () => {
    expect(kept([ex('*'), inc('logs/*'), ex('*.log'), inc('logs/x*')], keys)).toEqual([
      'logs/x.log',
      'logs/keep.txt',
    ]);
  });
});
