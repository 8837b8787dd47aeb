import { describe, expect, it } from 'vitest';
import { splitLines } from '../../../src/firehose/lines.js';
import { chunksOf, collect, text } from './helpers.js';

const lines = async (...parts: Array<string | Uint8Array>) =>
  (await collect(splitLines(chunksOf(...parts)))).map((l) => [l.number, text(l.data)]);

describe('splitLines', () => {
  it('splits on \\n and \\r\\n, without the line ending', async () => {
    expect(await lines('a\nb\r\nc\n')).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('cut short (cutSignal aborted at the end): a last line without its newline is incomplete, told, not yielded', async () => {
    const cut: number[] = [];
    const options = { cutSignal: AbortSignal.abort(), onCutShort: (bytes: number) => cut.push(bytes) };
    const split = async (...parts: string[]) =>
      (await collect(splitLines(chunksOf(...parts), options))).map((l) => text(l.data));
    expect(await split('a\nb', 'c')).toEqual(['a']);
    expect(await split('a\nb\n')).toEqual(['a', 'b']);
    expect(cut).toEqual([2]);
  });

  it('keeps a last line without newline, and a lone \\r inside a line', async () => {
    expect(await lines('a\nb\rc')).toEqual([
      [1, 'a'],
      [2, 'b\rc'],
    ]);
    expect(await lines('only')).toEqual([[1, 'only']]);
    expect(await lines('last\r')).toEqual([[1, 'last']]);
  });

  it('skips empty lines but keeps counting them, so numbers are the real line numbers', async () => {
    expect(await lines('\na\n\r\n\nb\n\n')).toEqual([
      [2, 'a'],
      [5, 'b'],
    ]);
    const kept = await collect(splitLines(chunksOf('a\n\nb'), { keepEmpty: true }));
    expect(kept.map((l) => text(l.data))).toEqual(['a', '', 'b']);
  });

  it('yields nothing for empty input', async () => {
    expect(await lines()).toEqual([]);
    expect(await lines('', '')).toEqual([]);
    expect(await lines('\n\n')).toEqual([]);
  });

  it('joins a line across many chunks, \\r\\n split between chunks included', async () => {
    expect(await lines('ab', 'cd', 'e\r', '\nf', 'g')).toEqual([
      [1, 'abcde'],
      [2, 'fg'],
    ]);
  });

  it('keeps multibyte UTF-8 whole when a chunk boundary falls inside a character', async () => {
    const bytes = Buffer.from('héllo wörld €\n日本\n', 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await lines(bytes.subarray(0, cut), bytes.subarray(cut))).toEqual([
        [1, 'héllo wörld €'],
        [2, '日本'],
      ]);
    }
  });

  it('carries a 3 MB line across 1-byte-odd chunk sizes', async () => {
    const big = 'x'.repeat(3_000_000);
    const input = Buffer.from(`${big}\nsmall\n`);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 65_537) parts.push(input.subarray(i, i + 65_537));
    const out = await collect(splitLines(chunksOf(...parts), { maxLineBytes: 4_000_000 }));
    expect(out.map((l) => l.data.length)).toEqual([3_000_000, 5]);
  });

  it('accepts a line of exactly the limit, with or without \\r\\n, and refuses one byte more naming the line', async () => {
    const max = 1_024_000;
    const exact = 'y'.repeat(max);
    expect((await collect(splitLines(chunksOf(`a\n${exact}\r\n`)))).map((l) => l.data.length)).toEqual([
      1,
      max,
    ]);
    await expect(collect(splitLines(chunksOf(`a\n\n${exact}z\n`), { name: 'data.txt' }))).rejects.toThrow(
      /^data\.txt line 3 is 1,024,001 bytes: Firehose takes at most 1,024,000 bytes per record\.$/,
    );
  });

  it('refuses an endless line without holding it all: it stops reading once the line is too long', async () => {
    let read = 0;
    async function* endless() {
      const chunk = new Uint8Array(1 << 20).fill(0x61);
      for (;;) {
        read += chunk.length;
        yield chunk;
      }
    }
    await expect(collect(splitLines(endless(), { name: 'stdin' }))).rejects.toThrow(
      /stdin line 1 is more than 1,024,000 bytes/,
    );
    expect(read).toBeLessThanOrEqual(2 << 20);
  });
});
