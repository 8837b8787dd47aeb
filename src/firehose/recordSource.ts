/**
 * Where the records of a put come from, opened and checked before anything is sent: a list (the
 * command line), a file, or stdin. A file, or stdin redirected from one, is opened once, told
 * apart by its identity, and scanned first, so a record Firehose would refuse is reported with its
 * line and nothing goes out; a pipe cannot be read twice and is checked as it streams.
 */
import { fstatSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { TempcredsError, usageError } from '../errors.js';
import type { Referenced } from './batches.js';
import { fileProblem, identityOf, type FileIdentity } from './fileIdentity.js';
import { MAX_RECORD_BYTES, formatCount, recordTooLarge } from './limits.js';
import { nothingSent } from './putRecords.js';
import {
  fileChunks,
  numberedList,
  readNumberedRecords,
  scanRecords,
  streamChunks,
  type ByteStream,
  type RecordFormat,
} from './sources.js';

/** Where the records come from. */
export type PutSource =
  /** Records given whole (the command line's `--record`, `--data`), checked by `listInput`. */
  | { kind: 'args'; records: readonly Uint8Array[] }
  /** A file (or a FIFO) read as `format`; path `-`: the process's stdin, a pipe or a file it was redirected from. */
  | { kind: 'file'; path: string; format: RecordFormat };

/** stdin as the process has it; its descriptor says whether it is a file that can be read twice. */
export type Stdin = ByteStream & { fd?: unknown };

/** An input open and checked, ready to be read. */
export interface RecordSource {
  /** How messages name the input: its path, `stdin`; none for a list. */
  name?: string;
  /** The input's file, when it is one (also stdin redirected from a file): a failed-records file must not be it. */
  identity?: FileIdentity;
  /** The input is a regular file: it can be read again from a line on (`tail -n +LINE`). */
  rereadable: boolean;
  /** How many records it holds, when counted before sending. */
  total?: number;
  /**
   * Streams the records, each with its line number (a list: its position from 1), until the input
   * ends or `end` aborts; then an incomplete last record is left out and its size told.
   */
  read(end: AbortSignal, onCutShort: (bytes: number) => void): AsyncIterable<Referenced<number>>;
  /** Lets the input go (closes a file opened for it). */
  close(): Promise<void>;
}

/**
 * A list of records given whole, checked against the record limit once, here (with an appended
 * newline counted); `where(i)` names record `i` (0-based) in messages.
 */
export function listInput(
  records: readonly Uint8Array[],
  appendNewline: boolean,
  where: (i: number) => string = (i) => `Record ${formatCount(i + 1)}`,
): PutSource {
  const max = MAX_RECORD_BYTES - (appendNewline ? 1 : 0);
  records.forEach((data, i) => {
    if (data.length > max) throw recordTooLarge(where(i), String(data.length), max);
  });
  return { kind: 'args', records };
}

/** Opens `input` and checks what can be checked before sending (see the file's comment). */
export async function openRecordSource(
  input: PutSource,
  appendNewline: boolean,
  stdin: Stdin,
): Promise<RecordSource> {
  if (input.kind === 'args') {
    return {
      rereadable: false,
      total: input.records.length,
      read: () => numberedList(input.records, appendNewline),
      close: async () => undefined,
    };
  }
  const reading = { format: input.format, appendNewline };
  if (input.path === '-') {
    const fd = typeof stdin.fd === 'number' ? stdin.fd : undefined;
    const stats = fd === undefined ? undefined : statOrNone(fd);
    if (fd !== undefined && stats?.isFile()) return fileSource(fd, stats, { ...reading, name: 'stdin' });
    const name = 'stdin';
    return {
      name,
      identity: stats && identityOf(stats),
      rereadable: false,
      read: (end, onCutShort) =>
        readNumberedRecords(streamChunks(stdin, end), { ...reading, name, cutSignal: end, onCutShort }),
      close: async () => undefined,
    };
  }
  const handle = await openInputFile(input.path);
  try {
    return await fileSource(handle.fd, await handle.stat(), { ...reading, name: input.path }, handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function statOrNone(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

async function openInputFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const fix =
      code === 'ENOENT'
        ? 'Check the path; to read stdin, pass - instead.'
        : code === 'EACCES' || code === 'EPERM'
          ? `Make it readable to you (ls -l ${path}), or run as a user who may read it.`
          : undefined;
    throw new TempcredsError(`Cannot read ${path}: ${fileProblem(err)}.`, { kind: 'usage', fix, cause: err });
  }
}

/**
 * An open file (or stdin redirected from one): a folder is refused; a regular file is scanned
 * first (except `whole`: read completely before it is sent anyway) and read by position, so the
 * descriptor serves the scan and the send; a FIFO or a device streams like a pipe.
 */
async function fileSource(
  fd: number,
  stats: Stats,
  reading: { format: RecordFormat; appendNewline: boolean; name: string },
  handle?: FileHandle,
): Promise<RecordSource> {
  const { name } = reading;
  if (stats.isDirectory()) {
    throw usageError(
      `Cannot read ${name}: it is a folder, not a file.`,
      `Send one file, or the files of a folder through stdin: cat ${name}/* | tempcreds firehose put STREAM -`,
    );
  }
  if (!stats.isFile()) return streamedFile(stats, name, reading, handle);
  let total = 1; // `whole`: one record
  if (reading.format !== 'whole') {
    const scanned = await scanRecords(fileChunks(fd), reading).catch((err: unknown) =>
      Promise.reject(nothingSent(err)),
    );
    total = scanned.records;
  }
  return {
    name,
    identity: identityOf(stats),
    rereadable: true,
    total,
    read: (end, onCutShort) =>
      readNumberedRecords(fileChunks(fd, end), { ...reading, cutSignal: end, onCutShort }),
    close: async () => handle?.close(),
  };
}

/** A FIFO or a device given as `--file`: read once, as a stream that owns the descriptor from then on. */
function streamedFile(
  stats: Stats,
  name: string,
  reading: { format: RecordFormat; appendNewline: boolean },
  handle: FileHandle | undefined,
): RecordSource {
  let stream: ReturnType<FileHandle['createReadStream']> | undefined;
  return {
    name,
    identity: identityOf(stats),
    rereadable: false,
    read: (end, onCutShort) => {
      stream = handle!.createReadStream({ highWaterMark: 1024 * 1024 });
      return readNumberedRecords(streamChunks(stream, end), { ...reading, name, cutSignal: end, onCutShort });
    },
    close: async () => {
      if (stream) stream.destroy();
      else await handle?.close();
    },
  };
}
