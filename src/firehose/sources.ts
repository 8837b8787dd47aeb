import { createReadStream, read } from 'node:fs';
import { promisify } from 'node:util';
import type { Referenced } from './batches.js';
import { MAX_RECORD_BYTES, formatCount, recordTooLarge } from './limits.js';
import { splitLines } from './lines.js';
import { FAILED_FILE_FIELDS, parseRecord } from './recordJson.js';

/**
 * How an input becomes records:
 * - `lines`: one record per line (`\n` or `\r\n`, not included); empty lines are skipped;
 * - `whole`: the input is one record;
 * - `records-jsonl`: one `{"Data":"<base64>"}` per line, the form `--failed-file` writes.
 */
export type RecordFormat = 'lines' | 'whole' | 'records-jsonl';

/** How `readRecords` turns an input into records. */
export interface ReadRecordsOptions {
  /** Lines, the whole input, or the failed-records form. */
  format: RecordFormat;
  /** Add `\n` to every record (Firehose itself adds no delimiter between records). */
  appendNewline?: boolean;
  /** How messages name the input: `data.txt`, `stdin`. */
  name?: string;
  /** Largest record (default 1,024,000), counted after any appended newline. */
  maxRecordBytes?: number;
  /**
   * When the input ends with this aborted, it was cut short (`streamChunks` ends on it): only
   * complete records count. A last line without its newline, or a `whole` input, is not sent,
   * and `onCutShort` gets its size.
   */
  cutSignal?: AbortSignal;
  /** Told the size of an incomplete last record left out (see `cutSignal`). */
  onCutShort?: (bytes: number) => void;
}

const NEWLINE = 0x0a;

function withNewline(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out.set(data);
  out[data.length] = NEWLINE;
  return out;
}

type CutOptions = Pick<ReadRecordsOptions, 'cutSignal' | 'onCutShort'>;

/** `whole`: the input is one record, line 1. */
async function* wholeInput(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  max: number,
  cut: CutOptions,
): AsyncGenerator<Referenced<number>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    // Stop reading as soon as it cannot fit: a 5 GB file is not loaded to learn that.
    if (size > max) {
      throw recordTooLarge(
        name,
        `more than ${formatCount(max)}`,
        max,
        'Send it as lines instead, or split it.',
      );
    }
    parts.push(chunk);
  }
  if (!cut.cutSignal?.aborted) yield { data: Buffer.concat(parts, size), ref: 1 };
  else if (size > 0) cut.onCutShort?.(size);
}

async function* jsonlRecords(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  max: number,
  cut: CutOptions,
): AsyncGenerator<Referenced<number>> {
  // A base64 line is 4/3 of its record plus the JSON around it.
  const maxLineBytes = Math.ceil(max / 3) * 4 + 64;
  for await (const line of splitLines(chunks, { name, maxLineBytes, ...cut })) {
    const where = `${name} line ${formatCount(line.number)}`;
    const data = parseRecord(
      Buffer.from(line.data.buffer, line.data.byteOffset, line.data.byteLength).toString('utf8'),
      where,
      FAILED_FILE_FIELDS,
    );
    if (data.length > max) throw recordTooLarge(`The record of ${where}`, formatCount(data.length), max);
    yield { data, ref: line.number };
  }
}

async function* lineRecords(lines: ReturnType<typeof splitLines>): AsyncGenerator<Referenced<number>> {
  for await (const line of lines) yield { data: line.data, ref: line.number };
}

/**
 * The records of an input, streamed (never more than one record is read ahead), each with the
 * number of the line it came from (`whole`: 1), so that messages and resends can name it.
 */
export async function* readNumberedRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadRecordsOptions,
): AsyncGenerator<Referenced<number>> {
  const name = options.name ?? 'input';
  const append = options.appendNewline ?? false;
  // The appended newline counts towards the limit: it is sent.
  const max = (options.maxRecordBytes ?? MAX_RECORD_BYTES) - (append ? 1 : 0);
  const cut = { cutSignal: options.cutSignal, onCutShort: options.onCutShort };
  let records: AsyncIterable<Referenced<number>>;
  if (options.format === 'whole') records = wholeInput(chunks, name, max, cut);
  else if (options.format === 'records-jsonl') records = jsonlRecords(chunks, name, max, cut);
  else records = lineRecords(splitLines(chunks, { name, maxLineBytes: max, ...cut }));
  if (!append) return yield* records;
  for await (const record of records) yield { data: withNewline(record.data), ref: record.ref };
}

/** The records of an input, streamed: never more than one record is read ahead. */
export async function* readRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadRecordsOptions,
): AsyncGenerator<Uint8Array> {
  for await (const record of readNumberedRecords(chunks, options)) yield record.data;
}

/** What a scan found: how many records, how many bytes they are (as sent). */
export interface ScanResult {
  /** How many records. */
  records: number;
  /** Their bytes, as they will be sent. */
  bytes: number;
}

/**
 * Reads an input once without sending anything, so a record Firehose would refuse (or a line that
 * is not a record) is reported before the first call. Costs one extra read of a file; stdin from a
 * pipe cannot be read twice and is checked as it streams instead.
 */
export async function scanRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadRecordsOptions,
): Promise<ScanResult> {
  let records = 0;
  let bytes = 0;
  for await (const { data } of readNumberedRecords(chunks, options)) {
    records += 1;
    bytes += data.length;
  }
  return { records, bytes };
}

/** A byte stream as Node gives one (`process.stdin`, a file stream). */
export type ByteStream = NodeJS.ReadableStream & {
  destroy?(): void;
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
};

/**
 * The bytes of a stream until it ends, or until `signal` aborts: then the bytes the stream had
 * already read from the pipe or file are still yielded, the stream is destroyed so that nothing
 * more is read, and the input ends there (give `readRecords` the signal as `cutSignal`, so that
 * an incomplete last record is not taken for one). Returning early destroys the stream too.
 */
export async function* streamChunks(stream: ByteStream, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let wake: (() => void) | undefined;
  let failure: { err: unknown } | undefined;
  /** What the stream held when the signal came: all that is left to yield. */
  let rest: Uint8Array[] | undefined;
  const resume = () => {
    wake?.();
    wake = undefined;
  };
  const onError = (err: unknown) => {
    failure = { err };
    resume();
  };
  const onAbort = () => {
    rest = [];
    for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) rest.push(chunk as Uint8Array);
    stream.destroy?.();
    resume();
  };
  stream.on('readable', resume);
  stream.on('end', resume);
  stream.on('close', resume);
  stream.on('error', onError);
  signal?.addEventListener('abort', onAbort);
  if (signal?.aborted) onAbort();
  try {
    for (;;) {
      if (rest) return yield* rest;
      const chunk = stream.read() as Uint8Array | null;
      if (chunk !== null) {
        yield chunk;
        continue;
      }
      if (failure) throw failure.err;
      // Destroyed by someone else before its end: what it had is all there is.
      if (stream.readableEnded || stream.destroyed) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.off('readable', resume);
    stream.off('end', resume);
    stream.off('close', resume);
    stream.off('error', onError);
    if (!stream.readableEnded) stream.destroy?.();
  }
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * The bytes of a file, in 1 MiB chunks, until it ends or `signal` aborts (`streamChunks`). Given
 * a file descriptor (a file opened once, stdin redirected from a file), reads by position from the
 * start and leaves the descriptor open, so the same descriptor can be read twice (scan, then send).
 */
export function fileChunks(file: string | number, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  if (typeof file === 'number') return positionedChunks(file, signal);
  return streamChunks(createReadStream(file, { highWaterMark: CHUNK_BYTES }), signal);
}

const readAt = promisify(read);

async function* positionedChunks(fd: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (let position = 0; !signal?.aborted;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await readAt(fd, buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** `--data TEXT`: the text's UTF-8 bytes. */
export function textRecord(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** A fixed list of records (from `--record`, `--data`, `--data-base64`) as an async source. */
export async function* listRecords(
  records: Iterable<Uint8Array>,
  appendNewline = false,
): AsyncGenerator<Uint8Array> {
  for (const data of records) yield appendNewline ? withNewline(data) : data;
}

/** `listRecords`, each record numbered from 1 in the order given. */
export async function* numberedList(
  records: Iterable<Uint8Array>,
  appendNewline = false,
): AsyncGenerator<Referenced<number>> {
  let ref = 0;
  for (const data of records) yield { data: appendNewline ? withNewline(data) : data, ref: ++ref };
}
