/** What `firehose put` prints at its end for each way a run can end (firehoseOutput.report), and its exit code. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/cli/context.js';
import { firehoseOutput } from '../../../src/cli/firehoseOutput.js';
import { createLogger, type CliIo } from '../../../src/cli/io.js';
import { TempcredsError } from '../../../src/errors.js';
import type { InputPosition, PutRequest, PutResult } from '../../../src/firehose/put.js';
import type { PutSummary } from '../../../src/firehose/putRecords.js';
import { putSettings } from '../../../src/firehose/settings.js';

type ResultGiven = Omit<Partial<PutResult>, 'summary' | 'position'> & {
  summary?: Partial<PutSummary>;
  position?: Partial<InputPosition>;
};

function report(request: Partial<PutRequest>, result: ResultGiven, interrupted = false) {
  let stderr = '';
  const err = new PassThrough();
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, env: {}, cwd: '/' } as CliIo;
  const ctx = { io, log: createLogger(io, false) } as CommandContext;
  const full: PutRequest = {
    deliveryStreamName: 'iot-data-collector',
    source: { kind: 'file', path: 'data.txt', format: 'lines' },
    appendNewline: true,
    ...putSettings(),
    ...request,
  };
  const summary = {
    deliveryStreamName: 'iot-data-collector',
    records: 1000,
    bytes: 9000,
    delivered: 1000,
    deliveredBytes: 9000,
    failed: 0,
    unknown: 0,
    notSent: 0,
    calls: 2,
    retries: 0,
    resent: 0,
    retriedAfterUnknown: 0,
    durationMs: 1234,
    failedRecords: [],
    interrupted,
    ...result.summary,
  };
  const position = {
    name: 'data.txt',
    rereadable: true,
    lastLineTaken: 1000,
    allTaken: true,
    ...result.position,
  };
  const code = firehoseOutput(ctx, full).report(
    { kept: [], cutBytes: 0, ...result, summary, position },
    interrupted,
  );
  return { code, lines: stderr.split('\n').filter(Boolean) };
}

const refusal = new TempcredsError(
  'PutRecordBatch to iot-data-collector failed: AccessDeniedException: no.',
  {
    kind: 'aws',
    awsCode: 'AccessDeniedException',
    fix: 'The caller lacks the permission.',
  },
);

describe('firehose put report', () => {
  it('all delivered: the summary, exit 0', () => {
    expect(report({}, {})).toEqual({
      code: 0,
      lines: [
        'firehose put iot-data-collector: 1000 records, 9000 bytes, 2 calls, 0 retries, 0 failed, 1.23 s',
      ],
    });
  });

  it('all delivered after a lost answer: the summary says how many were resent', () => {
    const { code, lines } = report({}, { summary: { retriedAfterUnknown: 500, calls: 3, retries: 1 } });
    expect(code).toBe(0);
    expect(lines[0]).toContain(', 1 retries, 0 failed, 500 resent after a lost answer, 1.23 s');
  });

  it('refused mid-run with --failed-file: the error first, then where the records went, then the lines not read', () => {
    const { code, lines } = report(
      { failedFile: 'failed.jsonl' },
      {
        error: refusal,
        summary: { records: 1500, delivered: 1000, failed: 500, notSent: 0 },
        position: { lastLineTaken: 1500, allTaken: false, firstLineUndelivered: 1001 },
      },
    );
    expect(code).toBe(1);
    expect(lines).toEqual([
      'tempcreds: PutRecordBatch to iot-data-collector failed: AccessDeniedException: no.',
      '  fix: The caller lacks the permission.',
      'firehose put iot-data-collector: 1500 records, 9000 bytes, 2 calls, 0 retries, 500 failed, 1.23 s',
      '500 record(s) failed: AWS refused their call; written to failed.jsonl.',
      '  resend with: tempcreds firehose put iot-data-collector --file failed.jsonl --records-jsonl',
      'Lines from 1,501 of data.txt on were not read; send them with: tail -n +1501 data.txt | tempcreds firehose put iot-data-collector - --append-newline',
    ]);
  });

  it('refused mid-run without --failed-file: resend from the first line not delivered, saying that some will arrive twice', () => {
    const { lines } = report(
      {},
      {
        error: refusal,
        summary: { records: 1500, delivered: 1000, failed: 500 },
        position: { lastLineTaken: 1500, allTaken: false, firstLineUndelivered: 501 },
      },
    );
    expect(lines.at(-1)).toBe(
      'Records from line 501 of data.txt on were not all delivered; send them again with: tail -n +501 data.txt | tempcreds firehose put iot-data-collector - --append-newline (those that were delivered will arrive twice)',
    );
  });

  it('unknown records: apart from the failed ones, with a resend that leaves them out', () => {
    const { code, lines } = report(
      { failedFile: "it's failed.jsonl", appendNewline: false },
      { summary: { failed: 1, unknown: 2, delivered: 997 } },
    );
    expect(code).toBe(1);
    expect(lines.slice(1)).toEqual([
      "1 record(s) failed after 8 attempts; written to it's failed.jsonl.",
      "2 record(s) unknown: the answer to their call was lost, so they may have arrived; written to it's failed.jsonl.",
      "  resend with: tempcreds firehose put iot-data-collector --file 'it'\\''s failed.jsonl' --records-jsonl",
      `  or, to leave out those that may have arrived: grep -v '"Outcome":"unknown"' 'it'\\''s failed.jsonl' | tempcreds firehose put iot-data-collector - --records-jsonl`,
    ]);
  });

  it('without --failed-file: a few of the records given up are shown, by kind', () => {
    const record = (text: string, status: 'refused' | 'unknown', errorCode: string) => ({
      data: Buffer.from(text),
      ref: 1,
      status,
      errorCode,
    });
    const { lines } = report(
      {},
      {
        summary: { failed: 5, unknown: 1, delivered: 994 },
        kept: [record('a', 'refused', 'InternalFailure'), record('b', 'unknown', 'ECONNRESET')],
        position: { firstLineUndelivered: 7 },
      },
    );
    expect(lines.slice(1)).toEqual([
      '5 record(s) failed after 8 attempts (use --failed-file PATH to keep them):',
      '  InternalFailure: {"Data":"YQ=="}',
      '  ... and 4 more',
      '1 record(s) unknown: the answer to their call was lost, so they may have arrived (use --failed-file PATH to keep them):',
      '  ECONNRESET: {"Data":"Yg=="}',
      'Records from line 7 of data.txt on were not all delivered; send them again with: tail -n +7 data.txt | tempcreds firehose put iot-data-collector - --append-newline (those that were delivered will arrive twice)',
    ]);
  });

  it('interrupted: exit 130, what was read, and from which line a file was not read', () => {
    const { code, lines } = report(
      {},
      {
        summary: { records: 700, delivered: 700 },
        position: { lastLineTaken: 702, allTaken: false },
        cutBytes: 0,
      },
      true,
    );
    expect(code).toBe(130);
    expect(lines.slice(1)).toEqual([
      'Interrupted after reading 700 record(s) of data.txt.',
      'Lines from 703 of data.txt on were not read; send them with: tail -n +703 data.txt | tempcreds firehose put iot-data-collector - --append-newline',
    ]);
  });

  it('a pipe: it cannot be read again, so only how far it was read is said', () => {
    const pipe = { name: 'stdin', rereadable: false, lastLineTaken: 42, allTaken: false };
    expect(report({}, { error: refusal, summary: { failed: 2 }, position: pipe }).lines.at(-1)).toBe(
      'stdin was read up to line 42: what came after it was not read.',
    );
    expect(report({}, { position: pipe }, true).lines.at(-1)).toBe(
      'Interrupted after reading 1000 record(s) of stdin.',
    );
  });

  it('stdin redirected from a file: the command names the file for the user to fill in', () => {
    const { lines } = report(
      {},
      { error: refusal, position: { name: 'stdin', lastLineTaken: 10, allTaken: false } },
    );
    expect(lines.at(-1)).toBe(
      'Lines from 11 of the file stdin was read from (FILE) on were not read; send them with: tail -n +11 FILE | tempcreds firehose put iot-data-collector - --append-newline',
    );
  });

  it('bad input met before any call (a pipe): the error alone, exit 2', () => {
    const bad = new TempcredsError('stdin line 1 is 2,000,000 bytes: ... Nothing was sent.', {
      kind: 'usage',
    });
    const { code, lines } = report({}, { error: bad, summary: { records: 0, delivered: 0, calls: 0 } });
    expect({ code, lines }).toEqual({
      code: 2,
      lines: ['tempcreds: stdin line 1 is 2,000,000 bytes: ... Nothing was sent.'],
    });
  });
});
