import { describe, expect, it } from 'vitest';
import { parseFirehosePutInput, parseFlushInterval } from '../../../src/cli/firehoseInput.js';

const parse = (options: Parameters<typeof parseFirehosePutInput>[1], stream = 'iot-data-collector') =>
  parseFirehosePutInput(stream, options);

describe('firehose put flags', () => {
  it("takes the runbook's --record and defaults the rest", () => {
    const input = parse({ record: ['{"Data":"SGVsbG8gd29ybGQ="}'] });
    expect(input.source).toEqual({ kind: 'args', records: [Buffer.from('Hello world')] });
    expect(input).toMatchObject({
      concurrency: undefined,
      maxAttempts: 8,
      appendNewline: false,
      flushIntervalMs: 1000,
    });
  });

  it('collects --record, --data and --data-base64 in that order', () => {
    const input = parse({ record: ['Data=YQ=='], data: ['b', 'c'], dataBase64: ['ZA=='] });
    expect(
      input.source.kind === 'args' && input.source.records.map((r) => Buffer.from(r).toString()),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads files as lines by default, or whole, or as records JSONL', () => {
    expect(parse({ file: 'x.txt' }).source).toEqual({ kind: 'file', path: 'x.txt', format: 'lines' });
    expect(parse({ file: '-', whole: true }).source).toEqual({ kind: 'file', path: '-', format: 'whole' });
    expect(parse({ file: 'f.jsonl', recordsJsonl: true }).source).toMatchObject({ format: 'records-jsonl' });
  });

  it.each([
    [{}, /Nothing to send/],
    [{ record: ['{"Data":"SGVsbG8gd29ybGQ="}'], file: 'x' }, /exclude each other/],
    [{ file: 'x', lines: true, whole: true }, /exclude each other/],
    [{ data: ['a'], whole: true }, /add --file/],
    [{ file: 'x', recordsJsonl: true, appendNewline: true }, /drop --append-newline/],
    [{ record: ['{"Data":"nope!"}'] }, /not valid base64/],
    [{ dataBase64: ['abc'] }, /--data-base64 is not valid base64/],
    [{ data: ['a'], concurrency: '0' }, /--concurrency must be a whole number from 1 to 64/],
    [{ data: ['a'], concurrency: '2.5' }, /--concurrency/],
    [{ data: ['a'], maxBatchRecords: '501' }, /--max-batch-records/],
    [{ data: ['x'.repeat(1_024_000)], appendNewline: true }, /Record 1 of the command line is 1024000 bytes/],
    [{ file: '-', flushInterval: 'soon' }, /^--flush-interval "soon" is not a duration\.$/],
    [{ file: '-', flushInterval: '0' }, /^--flush-interval 0 is out of range: from 1ms to 24h\.$/],
  ])('refuses %o as bad input', (options, message) => {
    expect(() => parse(options)).toThrow(message);
    try {
      parse(options);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('takes - after the stream as stdin, the same as --file -', () => {
    const input = parseFirehosePutInput('iot-data-collector', { whole: true }, '-');
    expect(input.source).toEqual({ kind: 'file', path: '-', format: 'whole' });
    expect(parseFirehosePutInput('s', { file: '-' }, '-').source).toMatchObject({ path: '-' });
    expect(() => parseFirehosePutInput('s', {}, 'readings.txt')).toThrow(
      'Unexpected argument "readings.txt": after the stream name only - (stdin) may follow.',
    );
    expect(() => parseFirehosePutInput('s', { file: 'x.txt' }, '-')).toThrow(/exclude each other/);
  });

  it('refuses a stream ARN or a bad name', () => {
    expect(() => parse({ data: ['a'] }, 'arn:aws:firehose:us-east-1:1:deliverystream/x')).toThrow(
      /not a delivery stream name/,
    );
    expect(() => parse({ data: ['a'] }, 'x'.repeat(65))).toThrow(/not a delivery stream name/);
  });

  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['2', 2000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    [' 1MS ', 1],
    ['24h', 86_400_000],
  ])('--flush-interval %s is %i ms', (text, ms) => {
    expect(parseFlushInterval(text)).toBe(ms);
    expect(parse({ file: '-', flushInterval: text }).flushIntervalMs).toBe(ms);
  });

  it.each(['0ms', '0', '25h', '1.5s', '-1s', 'ms', '1d', ''])(
    '--flush-interval "%s" is refused with a fix',
    (text) => {
      expect(() => parseFlushInterval(text)).toThrow(/^--flush-interval /);
      try {
        parseFlushInterval(text);
      } catch (err) {
        expect(err).toMatchObject({
          exitCode: 2,
          fix: 'Use milliseconds (500ms), seconds (2s, or just 2) or minutes (1m).',
        });
      }
    },
  );
});
