/**
 * `firehose put`'s flags turned into the library's typed request (`PutRequest`), every check that
 * needs neither the disk nor the network done here, once; the library's checks are called with
 * the flags' names, so its messages speak of the flags the user typed.
 */
import { usageError } from '../errors.js';
import { decodeBase64, parseRecord } from '../firehose/recordJson.js';
import { listInput, type PutSource } from '../firehose/recordSource.js';
import { parseFlushInterval as parseInterval, putSettings } from '../firehose/settings.js';
import type { RecordFormat } from '../firehose/sources.js';
import type { PutRequest } from '../firehose/put.js';
import { parseAssumeFlags, type AssumeFlags } from './context.js';

export interface PutFlags extends AssumeFlags {
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

/** `--flush-interval`: `500ms`, or what `--duration` takes (`2s`, `1m`, `1m30s`, plain seconds), in milliseconds. */
export const parseFlushInterval = (text: string): number => parseInterval(text, '--flush-interval');

function recordFormat(flags: PutFlags): RecordFormat {
  const chosen = (['lines', 'whole', 'recordsJsonl'] as const).filter((flag) => flags[flag]);
  if (chosen.length > 1)
    throw usageError('--lines, --whole and --records-jsonl exclude each other: pick one.');
  if (chosen.length === 1 && flags.file === undefined) {
    throw usageError(
      '--lines, --whole and --records-jsonl say how to read --file: add --file PATH (or - for stdin).',
    );
  }
  if (flags.recordsJsonl && flags.appendNewline) {
    throw usageError(
      '--records-jsonl resends records exactly as they were sent: drop --append-newline.',
      'Records in a --failed-file already carry any newline appended the first time.',
    );
  }
  return flags.whole ? 'whole' : flags.recordsJsonl ? 'records-jsonl' : 'lines';
}

/** `firehose put STREAM -`: the one operand allowed after the stream is `-`, the same as `--file -`. */
function withStdinOperand(operand: string | undefined, flags: PutFlags): PutFlags {
  if (operand === undefined) return flags;
  if (operand !== '-') {
    throw usageError(
      `Unexpected argument "${operand}": after the stream name only - (stdin) may follow.`,
      `To send a file: --file ${operand}`,
    );
  }
  if (flags.file !== undefined && flags.file !== '-') {
    throw usageError('- (stdin) and --file exclude each other: send one or the other.');
  }
  return { ...flags, file: '-' };
}

function recordsOf(stream: string, flags: PutFlags): PutSource {
  const format = recordFormat(flags);
  const fromArgs = [
    ...(flags.record ?? []).map((text, i) =>
      parseRecord(text, flags.record!.length > 1 ? `--record #${i + 1}` : '--record'),
    ),
    ...(flags.data ?? []).map((text) => Buffer.from(text, 'utf8') as Uint8Array),
    ...(flags.dataBase64 ?? []).map((text) => decodeBase64(text, '--data-base64')),
  ];
  if (flags.file !== undefined && fromArgs.length > 0) {
    throw usageError('--file and --record/--data/--data-base64 exclude each other: send one or the other.');
  }
  if (flags.file !== undefined) return { kind: 'file', path: flags.file, format };
  if (fromArgs.length === 0) {
    throw usageError(
      'Nothing to send: give --record, --data, --data-base64 or --file (- for stdin).',
      `Example: tempcreds firehose put ${stream} --record '{"Data":"SGVsbG8gd29ybGQ="}'`,
    );
  }
  return listInput(fromArgs, flags.appendNewline ?? false, (i) => `Record ${i + 1} of the command line`);
}

/** Every check that needs neither the disk nor the network (cli.md: bad input exits 2, nothing changed). */
export function parseFirehosePutInput(stream: string, given: PutFlags, operand?: string): PutRequest {
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(stream)) {
    throw usageError(
      `"${stream}" is not a delivery stream name (1-64 letters, digits, _ . -).`,
      'Pass the stream name, e.g. iot-data-collector, not its ARN.',
    );
  }
  const flags = withStdinOperand(operand, given);
  parseAssumeFlags(flags);
  const source = recordsOf(stream, flags);
  const settings = putSettings(
    {
      concurrency: flags.concurrency,
      maxAttempts: flags.maxAttempts,
      flushIntervalMs:
        flags.flushInterval === undefined ? undefined : parseFlushInterval(flags.flushInterval),
      limits: { maxRecords: flags.maxBatchRecords },
      pauseMs: flags.pauseMs,
    },
    {
      concurrency: '--concurrency',
      maxAttempts: '--max-attempts',
      flushIntervalMs: '--flush-interval',
      maxRecords: '--max-batch-records',
      pauseMs: '--pause-ms',
    },
  );
  return {
    deliveryStreamName: stream,
    source,
    appendNewline: flags.appendNewline ?? false,
    failedFile: flags.failedFile,
    ...settings,
  };
}
