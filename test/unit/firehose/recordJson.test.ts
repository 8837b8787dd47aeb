import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  FAILED_FILE_FIELDS,
  formatRecordLine,
  parseRecord,
} from '../../../src/firehose/recordJson.js';
import { TempcredsError } from '../../../src/errors.js';
import { text } from './helpers.js';

describe('parseRecord (--record, AWS CLI v2 semantics)', () => {
  it("sends the runbook's record as the 11 bytes Hello world", () => {
    const data = parseRecord('{"Data":"SGVsbG8gd29ybGQ="}');
    expect(data.length).toBe(11);
    expect(text(data)).toBe('Hello world');
  });

  it('takes the shorthand Data=<base64>, spaces around JSON, and empty data', () => {
    expect(text(parseRecord('Data=SGVsbG8gd29ybGQ='))).toBe('Hello world');
    expect(text(parseRecord(' { "Data" : "SGk=" } '))).toBe('Hi');
    expect(parseRecord('{"Data":""}').length).toBe(0);
  });

  it.each([
    ['{"Data":', /--record is not valid JSON/],
    ['{}', /Missing required parameter in --record: "Data"/],
    [
      '{"Data":"SGk=","PartitionKey":"x"}',
      /Unknown parameter in --record: "PartitionKey", must be one of: Data/,
    ],
    ['{"Data":42}', /Data of --record must be a base64 string/],
    ['["SGk="]', /must be a JSON object/],
    ['{"Data":"Hello world"}', /Data of --record is not valid base64/],
    ['{"Data":"SGVsbG8"}', /not valid base64/],
    ['hello', /neither JSON nor shorthand/],
  ])('refuses %s with one usage line', (input, message) => {
    let err: unknown;
    try {
      parseRecord(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TempcredsError);
    expect((err as TempcredsError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('decodeBase64', () => {
  it('decodes padded standard base64 and refuses what Node would silently skip', () => {
    expect(text(decodeBase64('YWJj', 'x'))).toBe('abc');
    expect(text(decodeBase64('YWI=', 'x'))).toBe('ab');
    expect(text(decodeBase64('+/+/', 'x'))).toBe(Buffer.from('+/+/', 'base64').toString());
    for (const bad of ['YWJ', 'YW=j', 'YW Jj', 'YWJj\n', '-_-_', 'YQ===']) {
      expect(() => decodeBase64(bad, '--data-base64'), bad).toThrow('--data-base64 is not valid base64.');
    }
  });
});

describe('formatRecordLine', () => {
  it('is one JSON line that parseRecord reads back byte for byte, whatever the bytes', () => {
    const data = new Uint8Array([0, 10, 13, 255, 0x22, 0x5c]);
    const line = formatRecordLine(data);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect([...parseRecord(line)]).toEqual([...data]);
  });
});

describe('the failed-records file form, with an Outcome mark', () => {
  it('marks a record whose answer was lost, and reads both forms back; --record itself takes only Data', () => {
    const data = Buffer.from('maybe\n');
    const marked = formatRecordLine(data, 'unknown');
    expect(marked).toBe('{"Data":"bWF5YmUK","Outcome":"unknown"}\n');
    expect(formatRecordLine(data)).toBe('{"Data":"bWF5YmUK"}\n');
    expect(text(parseRecord(marked, 'f.jsonl line 1', FAILED_FILE_FIELDS))).toBe('maybe\n');
    expect(() => parseRecord(marked)).toThrow(
      'Unknown parameter in --record: "Outcome", must be one of: Data.',
    );
    expect(() => parseRecord('{"Data":"YQ==","Extra":1}', 'f.jsonl line 2', FAILED_FILE_FIELDS)).toThrow(
      'Unknown parameter in f.jsonl line 2: "Extra"',
    );
  });
});
