import { fstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { commander } from '../commander.js';
import { parseSeconds } from '../../credentials/duration.js';
import { usageError } from '../../errors.js';
import type { BatchLimits } from '../../firehose/batches.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_ATTEMPTS,
  MAX_BATCH_RECORDS,
  MAX_FLUSH_INTERVAL_MS,
  MAX_RECORD_BYTES,
} from '../../firehose/limits.js';
import type { PutProgress, PutSummary } from '../../firehose/putRecords.js';
import { decodeBase64, formatRecordLine, parseRecord } from '../../firehose/recordJson.js';
import type { FailedRecord } from '../../firehose/response.js';
import type { ByteStream, RecordFormat } from '../../firehose/sources.js';
import { action } from '../action.js';
import {
  addRoleOptions,
  awsContextFor,
  parseAssumeFlags,
  type AssumeFlags,
  type CommandContext,
} from '../context.js';
import type { CliIo } from '../io.js';
import { dieOfSigint, interruptions, INTERRUPTED_EXIT_CODE } from '../interruptions.js';
import { progressLine } from '../progressLine.js';
import type { RegisterCommand } from './index.js';

interface PutOptions extends AssumeFlags {
  role?: string;
  record?: string[];
  data?: string[];
  dataBase64?: string[];
  file?: string;
  lines?: boolean;
  whole?: boolean;
  recordsJsonl?: boolean;
  appendNewline?: boolean;
  failedFile?: string;
  flushInterval?: string;
  concurrency?: string;
  maxAttempts?: string;
  maxBatchRecords?: string;
  pauseMs?: string;
}

/** Where the records come from: the command line, a file, or stdin (`-`). */
export type PutSource =
  { kind: 'args'; records: Uint8Array[] } | { kind: 'file'; path: string; format: RecordFormat };

/** `firehose put`, its flags checked and typed before anything touches the disk or the network. */
export interface FirehosePutInput {
  deliveryStreamName: string;
  source: PutSource;
  appendNewline: boolean;
  failedFile?: string;
  /** A partial batch goes out this long after its first record (`--flush-interval`). */
  flushIntervalMs: number;
  concurrency: number;
  maxAttempts: number;
  limits: BatchLimits;
  pauseMs?: number;
}

/** How many failed records are shown on stderr without --failed-file. */
const SHOWN_FAILURES = 3;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return n;
}

/** `--flush-interval`: `500ms`, or what `--duration` takes (`2s`, `1m`, `1m30s`, plain seconds), in milliseconds. */
export function parseFlushInterval(text: string): number {
  const millis = /^\s*(\d+)ms\s*$/i.exec(text);
  const seconds = millis ? undefined : parseSeconds(text);
  const ms = millis ? Number(millis[1]) : seconds === undefined ? undefined : seconds * 1000;
  const fix = 'Use milliseconds (500ms), seconds (2s, or just 2) or minutes (1m).';
  if (ms === undefined) throw usageError(`--flush-interval "${text}" is not a duration.`, fix);
  if (ms < 1 || ms > MAX_FLUSH_INTERVAL_MS) {
    throw usageError(`--flush-interval ${text} is out of range: from 1ms to 24h.`, fix);
  }
  return ms;
}

function recordFormat(options: PutOptions): RecordFormat {
  const chosen = (['lines', 'whole', 'recordsJsonl'] as const).filter((flag) => options[flag]);
  if (chosen.length > 1)
    throw usageError('--lines, --whole and --records-jsonl exclude each other: pick one.');
  if (chosen.length === 1 && options.file === undefined) {
    throw usageError(
      '--lines, --whole and --records-jsonl say how to read --file: add --file PATH (or - for stdin).',
    );
  }
  if (options.recordsJsonl && options.appendNewline) {
    throw usageError(
      '--records-jsonl resends records exactly as they were sent: drop --append-newline.',
      'Records in a --failed-file already carry any newline appended the first time.',
    );
  }
  return options.whole ? 'whole' : options.recordsJsonl ? 'records-jsonl' : 'lines';
}

/** `firehose put STREAM -`: the one operand allowed after the stream is `-`, the same as `--file -`. */
function withStdinOperand(operand: string | undefined, options: PutOptions): PutOptions {
  if (operand === undefined) return options;
  if (operand !== '-') {
    throw usageError(
      `Unexpected argument "${operand}": after the stream name only - (stdin) may follow.`,
      `To send a file: --file ${operand}`,
    );
  }
  if (options.file !== undefined && options.file !== '-') {
    throw usageError('- (stdin) and --file exclude each other: send one or the other.');
  }
  return { ...options, file: '-' };
}

/** Every check that needs neither the disk nor the network (cli.md: bad input exits 2, nothing changed). */
export function parseFirehosePutInput(stream: string, flags: PutOptions, operand?: string): FirehosePutInput {
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(stream)) {
    throw usageError(
      `"${stream}" is not a delivery stream name (1-64 letters, digits, _ . -).`,
      'Pass the stream name, e.g. iot-data-collector, not its ARN.',
    );
  }
  const options = withStdinOperand(operand, flags);
  parseAssumeFlags(options);
  const format = recordFormat(options);
  const fromArgs = [
    ...(options.record ?? []).map((text, i) =>
      parseRecord(text, options.record!.length > 1 ? `--record #${i + 1}` : '--record'),
    ),
    ...(options.data ?? []).map((text) => Buffer.from(text, 'utf8') as Uint8Array),
    ...(options.dataBase64 ?? []).map((text) => decodeBase64(text, '--data-base64')),
  ];
  if (options.file !== undefined && fromArgs.length > 0) {
    throw usageError('--file and --record/--data/--data-base64 exclude each other: send one or the other.');
  }
  if (options.file === undefined && fromArgs.length === 0) {
    throw usageError(
      'Nothing to send: give --record, --data, --data-base64 or --file (- for stdin).',
      `Example: tempcreds firehose put ${stream} --record '{"Data":"SGVsbG8gd29ybGQ="}'`,
    );
  }
  const max = MAX_RECORD_BYTES - (options.appendNewline ? 1 : 0);
  fromArgs.forEach((data, i) => {
    if (data.length > max) {
      throw usageError(
        `Record ${i + 1} of the command line is ${data.length} bytes: Firehose takes at most ${max}.`,
      );
    }
  });
  if (options.file !== undefined && options.failedFile !== undefined && options.file !== '-') {
    if (resolve(options.file) === resolve(options.failedFile)) {
      throw usageError(
        '--failed-file is the --file being sent: it would be emptied before it is read.',
        'Write failures to another file.',
      );
    }
  }
  return {
    deliveryStreamName: stream,
    source:
      options.file === undefined
        ? { kind: 'args', records: fromArgs }
        : { kind: 'file', path: options.file, format },
    appendNewline: options.appendNewline ?? false,
    failedFile: options.failedFile,
    flushIntervalMs:
      options.flushInterval === undefined
        ? DEFAULT_FLUSH_INTERVAL_MS
        : parseFlushInterval(options.flushInterval),
    concurrency: wholeNumber(options.concurrency, '--concurrency', 1, 64) ?? DEFAULT_CONCURRENCY,
    maxAttempts: wholeNumber(options.maxAttempts, '--max-attempts', 1, 100) ?? DEFAULT_MAX_ATTEMPTS,
    limits: { maxRecords: wholeNumber(options.maxBatchRecords, '--max-batch-records', 1, MAX_BATCH_RECORDS) },
    pauseMs: wholeNumber(options.pauseMs, '--pause-ms', 0, 60_000),
  };
}

/** stdin's descriptor when it is a regular file (`< data.txt`): it can be read twice, like --file. */
function stdinFile(io: CliIo): number | undefined {
  const fd = (io.stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    return fstatSync(fd).isFile() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the records come from, ready to be read: `read(end, onCutShort)` streams them until the
 * input ends or `end` aborts; then an incomplete last record is left out and its size told.
 */
interface RecordSource {
  read(end: AbortSignal, onCutShort: (bytes: number) => void): AsyncIterable<Uint8Array>;
  /** How many records, when known before sending (progress bar). */
  total?: number;
  /** How messages name the input: a path, `stdin`; none for the command line. */
  name?: string;
}

/**
 * The records to send, checked first where the input can be read twice: a file (or stdin redirected
 * from one) is scanned before anything is sent, so a record Firehose would refuse is reported with
 * its line and nothing goes out. A pipe cannot be rewound: it is checked as it streams, and a bad
 * line stops the run there (what was sent before it is said, exit 1).
 */
async function recordsOf(input: FirehosePutInput, io: CliIo): Promise<RecordSource> {
  const { fileChunks, listRecords, readRecords, scanRecords, streamChunks } =
    await import('../../firehose/sources.js');
  const { source, appendNewline } = input;
  if (source.kind === 'args')
    return { read: () => listRecords(source.records, appendNewline), total: source.records.length };
  const stdin = source.path === '-';
  const file = stdin ? stdinFile(io) : source.path;
  const name = stdin ? 'stdin' : source.path;
  const read = { format: source.format, appendNewline, name };
  const until = (cutSignal: AbortSignal, onCutShort: (bytes: number) => void) => ({
    ...read,
    cutSignal,
    onCutShort,
  });
  if (file === undefined) {
    return {
      read: (end, cut) => readRecords(streamChunks(io.stdin as ByteStream, end), until(end, cut)),
      name,
    };
  }
  let size: number;
  try {
    size = typeof file === 'number' ? fstatSync(file).size : statSync(file).size;
  } catch (err) {
    throw usageError(`Cannot read ${source.path}: ${(err as Error).message}`);
  }
  // Whole: one record, read completely before it is sent. Lines of a file no bigger than a record all fit.
  const scan =
    source.format === 'records-jsonl' || (source.format === 'lines' && size > MAX_RECORD_BYTES - 1);
  let total: number | undefined;
  if (scan) {
    const { nothingSent } = await import('../../firehose/putRecords.js');
    const scanned = await scanRecords(fileChunks(file), read).catch((err: unknown) =>
      Promise.reject(nothingSent(err)),
    );
    total = scanned.records;
  }
  return { read: (end, cut) => readRecords(fileChunks(file, end), until(end, cut)), total, name };
}

/** A one-line progress bar on stderr, redrawn at most ten times a second; only on a terminal. */
export function progressBar(io: CliIo, total: number | undefined, now: () => number = Date.now) {
  const line = progressLine(io.stderr, { enabled: io.stderr.isTTY === true, now });
  const render = (p: PutProgress) => {
    const sent = p.delivered + p.failed + p.unknown + p.notSent;
    const width = 30;
    const bar =
      total && total > 0
        ? `[${'#'.repeat(Math.round((width * sent) / total)).padEnd(width, '-')}] ${Math.floor((100 * sent) / total)}% `
        : '';
    return `${bar}${sent}${total ? `/${total}` : ''} records, ${p.calls} calls, ${p.retries} retries, ${p.failed} failed`;
  };
  return {
    update: (p: PutProgress) => line.update(() => render(p)),
    done: () => line.clear(),
  };
}

function summaryLine(s: PutSummary): string {
  return (
    `firehose put ${s.deliveryStreamName}: ${s.records} records, ${s.bytes} bytes, ${s.calls} calls, ` +
    `${s.retries} retries, ${s.failed} failed${s.unknown > 0 ? `, ${s.unknown} unknown` : ''}` +
    `${s.notSent > 0 ? `, ${s.notSent} not sent` : ''}` +
    `${s.retriedAfterUnknown > 0 ? `, ${s.retriedAfterUnknown} resent after a lost answer` : ''}, ` +
    `${(s.durationMs / 1000).toFixed(2)} s`
  );
}

/** What became of the records not delivered: where they were written, or a few of them and how many. */
function reportUndelivered(
  ctx: CommandContext,
  input: FirehosePutInput,
  summary: PutSummary,
  shown: FailedRecord[],
): void {
  const write = (line: string) => ctx.io.stderr.write(line + '\n');
  const failed = `${summary.failed} record(s) failed after ${input.maxAttempts} attempts`;
  const unknown = `${summary.unknown} record(s) unknown: the answer to their call was lost, so they may have arrived`;
  const notSent = `${summary.notSent} record(s) not sent: the run was interrupted`;
  if (input.failedFile) {
    if (summary.failed > 0) write(`${failed}; written to ${input.failedFile}.`);
    if (summary.unknown > 0) write(`${unknown}; written to ${input.failedFile}.`);
    if (summary.notSent > 0) write(`${notSent}; written to ${input.failedFile}.`);
    if (summary.failed + summary.unknown + summary.notSent > 0) {
      write(
        `  resend with: tempcreds firehose put ${input.deliveryStreamName} --file ${input.failedFile} --records-jsonl`,
      );
    }
    return;
  }
  if (summary.unknown > 0) write(`${unknown} (use --failed-file PATH to keep them).`);
  if (summary.notSent > 0) write(`${notSent} (use --failed-file PATH to keep them).`);
  if (summary.failed === 0) return;
  write(`${failed} (use --failed-file PATH to keep them):`);
  for (const record of shown) {
    const line = formatRecordLine(record.data).trimEnd();
    write(`  ${record.errorCode}: ${line.length > 100 ? `${line.slice(0, 97)}...` : line}`);
  }
  if (summary.failed > shown.length) write(`  ... and ${summary.failed - shown.length} more`);
}

async function firehosePut(
  ctx: CommandContext,
  stream: string,
  operand: string | undefined,
  options: PutOptions,
): Promise<number> {
  const input = parseFirehosePutInput(stream, options, operand);
  const source = await recordsOf(input, ctx.io);
  const aws = await awsContextFor(ctx, options);
  const { createFirehoseClient } = await import('../../firehose/client.js');
  const { openFailedFile } = await import('../../firehose/failedFile.js');
  const { putRecords } = await import('../../firehose/putRecords.js');
  const failedFile = input.failedFile ? await openFailedFile(input.failedFile) : undefined;
  const shown: FailedRecord[] = [];
  const client = createFirehoseClient(aws);
  const bar = progressBar(ctx.io, source.total);
  let delivered = 0;
  let cutBytes = 0;
  const say = (line: string) => {
    bar.done();
    ctx.io.stderr.write(`tempcreds: ${line}\n`);
  };
  const signals = interruptions({
    onStop: () =>
      say('interrupted: no more input is read; sending what was read (interrupt again to stop at once).'),
    forceExit: () => {
      say(
        `stopped at once with ${delivered} record(s) delivered; records read and neither delivered nor written to --failed-file are lost.`,
      );
      dieOfSigint();
    },
  });
  // Ends the input on the first signal, and in any case once the put is over (an open pipe is let go).
  const inputEnd = new AbortController();
  signals.stop.addEventListener('abort', () => inputEnd.abort(), { once: true });
  let summary: PutSummary;
  try {
    const records = source.read(inputEnd.signal, (bytes) => (cutBytes += bytes));
    summary = await putRecords(input.deliveryStreamName, records, {
      client,
      concurrency: input.concurrency,
      maxAttempts: input.maxAttempts,
      limits: input.limits,
      flushIntervalMs: input.flushIntervalMs,
      pauseMs: input.pauseMs,
      stopSignal: signals.stop,
      signal: signals.abort,
      onProgress: (progress) => {
        delivered = progress.delivered;
        bar.update(progress);
      },
      onFailed: async (failed, reason) => {
        if (failedFile) await failedFile.write(failed);
        else if (reason === 'failed') shown.push(...failed.slice(0, SHOWN_FAILURES - shown.length));
      },
    });
  } finally {
    inputEnd.abort();
    signals.dispose();
    bar.done();
    await failedFile?.close();
    client.destroy();
  }
  ctx.io.stderr.write(summaryLine(summary) + '\n');
  reportUndelivered(ctx, input, summary, shown);
  if (!signals.stop.aborted) return summary.failed + summary.unknown > 0 ? 1 : 0;
  if (source.name) {
    const rest =
      cutBytes > 0 ? `; the ${cutBytes} byte(s) read after them, an incomplete record, were not sent` : '';
    ctx.io.stderr.write(`Interrupted after reading ${summary.records} record(s) of ${source.name}${rest}.\n`);
  }
  return INTERRUPTED_EXIT_CODE;
}

export const registerFirehose: RegisterCommand = (program: Command, io, setExitCode) => {
  const firehose = program
    .command('firehose')
    .description('send records to an Amazon Data Firehose delivery stream');
  addRoleOptions(
    firehose
      .command('put <stream> [-]')
      .description(
        'send records in PutRecordBatch calls, retrying throttled and failed ones; - reads stdin (as --file -)',
      ),
  )
    .option('--record <json>', 'a record as AWS CLI v2 takes it: {"Data":"<base64>"} (repeatable)', collect)
    .option('--data <text>', 'a record from text, sent as its UTF-8 bytes (repeatable)', collect)
    .option('--data-base64 <b64>', 'a record from base64 (repeatable)', collect)
    .option('--file <path>', 'send the records of a file; - reads stdin')
    .option('--lines', 'one record per line, without its newline; empty lines are skipped (default)')
    .option('--whole', 'the whole file is one record')
    .option('--records-jsonl', 'one {"Data":"<base64>"} per line: the form --failed-file writes')
    .option('--append-newline', 'add a newline to every record (Firehose adds no delimiter)')
    .option(
      '--failed-file <path>',
      'write records not delivered (failed, or not sent when interrupted) here, for --records-jsonl',
    )
    .option(
      '--flush-interval <duration>',
      'send a partial batch this long after its first record while input stays open: 500ms, 2s, 1m (default 1s)',
    )
    .option('--concurrency <n>', `batches in flight at once (default ${DEFAULT_CONCURRENCY})`)
    .option(
      '--max-attempts <n>',
      `calls per batch before its records count as failed (default ${DEFAULT_MAX_ATTEMPTS})`,
    )
    .addOption(
      new commander.Option('--max-batch-records <n>', 'records per call, at most 500 (tests)').hideHelp(),
    )
    .addOption(
      new commander.Option(
        '--pause-ms <ms>',
        'wait before every call (tests that outlast sessions)',
      ).hideHelp(),
    )
    .action(action(io, setExitCode, firehosePut));
};
