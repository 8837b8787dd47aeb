import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  fileChunks,
  listRecords,
  readRecords,
  scanRecords,
  streamChunks,
} from '../../../src/firehose/sources.js';
import { chunksOf, collect, text, useTempDir } from './helpers.js';

const read = async (input: string, options: Parameters<typeof readRecords>[1]) =>
  (await collect(readRecords(chunksOf(input), options))).map(text);

describe('readRecords', () => {
  it('lines: one record per non-empty line, newline appended on request', async () => {
    expect(await read('a\r\n\nb', { format: 'lines' })).toEqual(['a', 'b']);
    expect(await read('a\r\n\nb', { format: 'lines', appendNewline: true })).toEqual(['a\n', 'b\n']);
  });

  it('whole: the input is one record, bytes untouched', async () => {
    expect(await read('a\r\n\nb\n', { format: 'whole' })).toEqual(['a\r\n\nb\n']);
    expect(await read('', { format: 'whole' })).toEqual(['']);
  });

  it('whole: refuses an input over the record limit without reading it all', async () => {
    await expect(
      collect(
        readRecords(chunksOf('x'.repeat(600_000), 'x'.repeat(600_000)), { format: 'whole', name: 'big.bin' }),
      ),
    ).rejects.toThrow('big.bin is more than 1,024,000 bytes');
  });

  it('counts an appended newline towards the limit', async () => {
    const exact = 'z'.repeat(1_024_000);
    expect((await read(exact, { format: 'lines' })).length).toBe(1);
    await expect(read(exact, { format: 'lines', appendNewline: true, name: 'f' })).rejects.toThrow(
      'f line 1 is 1,024,000 bytes: Firehose takes at most 1,023,999 bytes per record.',
    );
  });

  it('records-jsonl: decodes {"Data": base64} lines and names a bad line', async () => {
    expect(await read('{"Data":"YQo="}\n\n{"Data":"Yg=="}\n', { format: 'records-jsonl' })).toEqual([
      'a\n',
      'b',
    ]);
    await expect(
      read('{"Data":"YQ=="}\nnot json\n', { format: 'records-jsonl', name: 'failed.jsonl' }),
    ).rejects.toThrow(/^failed\.jsonl line 2 is neither JSON nor shorthand/);
  });

  it('listRecords: the command-line records, in order', async () => {
    const out = await collect(listRecords([Buffer.from('a'), Buffer.from('b')], true));
    expect(out.map(text)).toEqual(['a\n', 'b\n']);
  });
});

describe('scanRecords and fileChunks', () => {
  const dir = useTempDir('tempcreds-fh-src-');

  it('counts the records and bytes of a file as they will be sent', async () => {
    const path = join(dir(), 'ok.txt');
    await writeFile(path, 'one\ntwo\r\n\nthree');
    expect(await scanRecords(fileChunks(path), { format: 'lines' })).toEqual({ records: 3, bytes: 11 });
    expect(await scanRecords(fileChunks(path), { format: 'lines', appendNewline: true })).toEqual({
      records: 3,
      bytes: 14,
    });
  });

  it('names the line of a too-large record deep in a file', async () => {
    const path = join(dir(), 'bad.txt');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`);
    lines[4321] = 'q'.repeat(1_024_001);
    await writeFile(path, lines.join('\n'));
    await expect(scanRecords(fileChunks(path), { format: 'lines', name: 'bad.txt' })).rejects.toThrow(
      /^bad\.txt line 4,322 is 1,024,001 bytes/,
    );
  });
});

describe('streamChunks', () => {
  /** Lets the stream and the generators run. */
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('yields what the stream gives until it ends', async () => {
    const stream = new PassThrough();
    const reading = collect(streamChunks(stream));
    stream.write('a\n');
    await tick();
    stream.end('b\n');
    expect((await reading).map(text).join('')).toBe('a\nb\n');
  });

  it('on abort: what the stream had already read is still yielded, then the input ends and the stream is destroyed', async () => {
    const stream = new PassThrough();
    const stop = new AbortController();
    const chunks = streamChunks(stream, stop.signal);
    stream.write('one\n');
    expect(text((await chunks.next()).value!)).toBe('one\n');
    stream.write('two\nthr'); // read from the pipe, not yet taken by the consumer
    await tick();
    stop.abort();
    expect(stream.destroyed).toBe(true); // at once: nothing more is read from the pipe
    stream.write('after\n');
    expect((await collect(chunks)).map(text).join('')).toBe('two\nthr');
    expect(stream.destroyed).toBe(true);
  });

  it.each([
    ['lines', 'a\nb\npart', ['a', 'b'], 4],
    ['records-jsonl', '{"Data":"YQ=="}\n{"Data":"Yg=="}\n{"Data":"Yw', ['a', 'b'], 11],
    ['whole', 'a\nb\npart', [], 8],
  ] as const)(
    'cut short by the signal, %s: only complete records count; the incomplete rest is not sent, its size is told',
    async (format, written, expected, cutBytes) => {
      const stream = new PassThrough();
      const stop = new AbortController();
      const cut: number[] = [];
      const records = readRecords(streamChunks(stream, stop.signal), {
        format,
        cutSignal: stop.signal,
        onCutShort: (bytes) => cut.push(bytes),
      });
      const taking = collect(records);
      stream.write(written);
      await tick();
      stop.abort();
      expect((await taking).map(text)).toEqual(expected);
      expect(cut).toEqual([cutBytes]);
    },
  );

  it('an input that ends by itself keeps its last line without a newline, even with a cutSignal', async () => {
    const stop = new AbortController();
    const cut: number[] = [];
    const records = readRecords(chunksOf('a\nlast'), {
      format: 'lines',
      cutSignal: stop.signal,
      onCutShort: (bytes) => cut.push(bytes),
    });
    expect((await collect(records)).map(text)).toEqual(['a', 'last']);
    expect(cut).toEqual([]);
  });

  it('an abort while waiting for data ends the input at once', async () => {
    const stream = new PassThrough();
    const stop = new AbortController();
    const reading = collect(streamChunks(stream, stop.signal));
    await tick();
    stop.abort();
    expect(await reading).toEqual([]);
  });

  it("passes the stream's error on", async () => {
    const stream = new PassThrough();
    const reading = collect(streamChunks(stream));
    await tick();
    stream.destroy(new Error('EIO: i/o error, read'));
    await expect(reading).rejects.toThrow('EIO');
  });

  it('destroys the stream when the consumer stops early', async () => {
    const stream = new PassThrough();
    const chunks = streamChunks(stream);
    stream.write('x');
    await chunks.next();
    await chunks.return(undefined);
    expect(stream.destroyed).toBe(true);
  });
});
