import { describe, expect, it } from 'vitest';
import { cutRecords, type CutOptions } from '../../../src/agent/records.js';

const lines: CutOptions = {
  format: { kind: 'lines' },
  appendNewline: true,
  maxRecordBytes: 1000 * 1024,
  oversize: 'deadLetter',
  quietMs: 0,
  bufferFull: false,
  final: false,
};
const text = (records: Uint8Array[]) => records.map((r) => Buffer.from(r).toString('utf8'));
const cut = (input: string | Buffer, o: Partial<CutOptions> = {}) =>
  cutRecords(Buffer.from(input), { ...lines, ...o });

describe('cutRecords: lines', () => {
  it.each([
    ['one line', 'a\n', ['a\n'], 2],
    ['two lines', 'a\nbb\n', ['a\n', 'bb\n'], 5],
    ['an incomplete last line waits', 'a\nbb', ['a\n'], 2],
    ['nothing complete', 'abc', [], 0],
    ['empty lines are not records', '\n\na\n\n', ['a\n'], 5],
    ['CRLF: the \\r is not part of the record', 'a\r\nb\r\n', ['a\n', 'b\n'], 6],
    ['a lone \\r stays', 'a\rb\n', ['a\rb\n'], 4],
    ['multibyte text', 'ü€\n😀\n', ['ü€\n', '😀\n'], Buffer.byteLength('ü€\n😀\n')],
  ])('%s', (_name, input, records, consumed) => {
    const r = cut(input);
    expect(text(r.records)).toEqual(records);
    expect(r.consumed).toBe(consumed);
  });

  it('without appendNewline the records are the lines alone', () => {
    expect(text(cut('a\nb\r\n', { appendNewline: false }).records)).toEqual(['a', 'b']);
  });

  it('counts lines read', () => {
    expect(cut('a\n\nb\nc').read).toBe(2);
  });

  it('a final read takes an incomplete last line too (a rotated file that will not grow)', () => {
    const r = cut('a\nlast', { final: true });
    expect(text(r.records)).toEqual(['a\n', 'last\n']);
    expect(r.consumed).toBe(6);
  });

  it('a line over the limit goes to the dead letters, with its offset', () => {
    const r = cut('ok\n' + 'x'.repeat(20) + '\nok2\n', { maxRecordBytes: 10 });
    expect(text(r.records)).toEqual(['ok\n', 'ok2\n']);
    expect(r.deadLetters).toHaveLength(1);
    expect(r.deadLetters[0]!.offset).toBe(3);
    expect(Buffer.from(r.deadLetters[0]!.data).toString()).toBe('x'.repeat(20));
    expect(r.consumed).toBe(28);
  });

  it('split cuts a long line into records within the limit, each with its newline', () => {
    const r = cut('x'.repeat(25) + '\n', { maxRecordBytes: 10, oversize: 'split' });
    expect(text(r.records)).toEqual(['xxxxxxxxx\n', 'xxxxxxxxx\n', 'xxxxxxx\n']);
    expect(r.records.every((rec) => rec.length <= 10)).toBe(true);
  });

  it('split never cuts inside a UTF-8 character', () => {
    const r = cut('€€€€€\n', { maxRecordBytes: 8, oversize: 'split', appendNewline: false });
    expect(text(r.records)).toEqual(['€€', '€€', '€']);
  });

  it('a line longer than a whole read: split sends its first piece now', () => {
    const r = cut('y'.repeat(30), { maxRecordBytes: 10, oversize: 'split', bufferFull: true });
    expect(text(r.records)).toEqual(['yyyyyyyyy\n']);
    expect(r.consumed).toBe(9);
  });

  it('a line longer than a whole read: deadLetter asks for it to be streamed', () => {
    const r = cut('a\n' + 'y'.repeat(30), { maxRecordBytes: 10, bufferFull: true });
    expect(text(r.records)).toEqual(['a\n']);
    expect(r.longLineAt).toBeUndefined(); // the buffer held a complete record: read on from it
    const long = cut('y'.repeat(30), { maxRecordBytes: 10, bufferFull: true });
    expect(long.longLineAt).toBe(0);
    expect(long.consumed).toBe(0);
  });

  it('uses the bytes given when it can (no copy for a line followed by its newline)', () => {
    const buf = Buffer.from('abc\n');
    const r = cutRecords(buf, lines);
    expect(r.records[0]!.buffer).toBe(buf.buffer);
  });
});

describe('cutRecords: multiline', () => {
  const multi: Partial<CutOptions> = {
    format: { kind: 'multiline', startPattern: /^\d{4}-/, maxWaitMs: 1000 },
  };
  const trace = '2026-01-01 boom\n  at a()\n  at b()\n2026-01-01 next\n';

  it('a record is its start line and the lines that follow, up to the next start', () => {
    const r = cut(trace, multi);
    expect(text(r.records)).toEqual(['2026-01-01 boom\n  at a()\n  at b()\n']);
    expect(r.consumed).toBe(trace.indexOf('2026-01-01 next'));
    expect(r.read).toBe(1);
  });

  it('the last record waits for the next start, or for the file to be quiet for maxWait', () => {
    expect(cut(trace, { ...multi, quietMs: 999 }).records).toHaveLength(1);
    const quiet = cut(trace, { ...multi, quietMs: 1000 });
    expect(text(quiet.records)).toEqual(['2026-01-01 boom\n  at a()\n  at b()\n', '2026-01-01 next\n']);
    expect(quiet.consumed).toBe(trace.length);
  });

  it('a quiet file with an incomplete last line still waits for that line', () => {
    const r = cut('2026-01-01 a\n  more', { ...multi, quietMs: 5000 });
    expect(r.records).toEqual([]);
    expect(r.consumed).toBe(0);
  });

  it('lines before the first start line form a record of their own', () => {
    const r = cut('  orphan\n  too\n2026-01-01 x\n', multi);
    expect(text(r.records)).toEqual(['  orphan\n  too\n']);
  });

  it('a multiline record over the limit is dead-lettered whole', () => {
    const r = cut('2026-01-01 ' + 'z'.repeat(30) + '\n  more\n2026-01-02 y\n', {
      ...multi,
      maxRecordBytes: 20,
    });
    expect(r.records).toEqual([]);
    expect(r.deadLetters).toHaveLength(1);
    expect(Buffer.from(r.deadLetters[0]!.data).toString()).toBe('2026-01-01 ' + 'z'.repeat(30) + '\n  more');
  });

  it('a full buffer without a second start line is cut at its last complete line', () => {
    const r = cut('2026-01-01 a\n  b\n  c', { ...multi, bufferFull: true });
    expect(text(r.records)).toEqual(['2026-01-01 a\n  b\n']);
  });
});
