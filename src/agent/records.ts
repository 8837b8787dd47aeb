import type { RecordFormatConfig } from './config.js';

/*
 * Cutting a followed file's new bytes into records. Pure: the tailer hands in the bytes after the
 * file's checkpoint and gets back the records they hold, and how many bytes those used up; bytes
 * after the last complete record are left for the next read (a line is never sent in halves).
 */

const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');

export interface CutOptions {
  format: RecordFormatConfig;
  appendNewline: boolean;
  /** Firehose's limit per record (1,000 KiB), the appended newline included. */
  maxRecordBytes: number;
  oversize: 'split' | 'deadLetter';
  /**
   * No more bytes are expected soon: the file has not grown for this long (multiline: the last
   * record is complete once this reaches `maxWaitMs`).
   */
  quietMs: number;
  /** The buffer is as large as a read gets: a record that does not end in it must be cut here. */
  bufferFull: boolean;
  /** The file will not grow any more (rotated away and quiet): an incomplete last line is a record too. */
  final: boolean;
}

export interface CutResult {
  /** Records to spool, in order (each with its newline when `appendNewline`). */
  records: Uint8Array[];
  /** Records over the limit with `oversize: deadLetter`, with their offsets in the bytes given. */
  deadLetters: { offset: number; data: Uint8Array }[];
  /** Bytes used up by the records and dead letters: the checkpoint moves on by this much. */
  consumed: number;
  /** Lines (or multiline records) read. */
  read: number;
  /**
   * A line longer than the buffer, with `oversize: deadLetter`, starts at this offset: it must be
   * streamed to its dead-letter file (see `tail.ts`); nothing after it was cut.
   */
  longLineAt?: number;
}

/** Where a UTF-8 character starts at or before `end` (never cut inside a character). */
function charBoundary(data: Uint8Array, end: number): number {
  let cut = end;
  while (cut > 0 && end - cut < 3 && (data[cut]! & 0xc0) === 0x80) cut -= 1;
  return cut > 0 ? cut : end;
}

/** A record's bytes: `body` (no newline), with one appended when asked; a copy only when needed. */
function withNewline(buf: Uint8Array, start: number, end: number, appendNewline: boolean): Uint8Array {
  if (!appendNewline) return buf.subarray(start, end);
  if (buf[end] === LF) return buf.subarray(start, end + 1);
  return Buffer.concat([buf.subarray(start, end), NEWLINE]);
}

/** A record body that may be too large: split into pieces, dead-lettered, or pushed as it is. */
function emit(out: CutResult, buf: Uint8Array, start: number, end: number, o: CutOptions): void {
  const room = o.maxRecordBytes - (o.appendNewline ? 1 : 0);
  if (end - start <= room) {
    out.records.push(withNewline(buf, start, end, o.appendNewline));
    return;
  }
  if (o.oversize === 'deadLetter') {
    out.deadLetters.push({ offset: start, data: buf.subarray(start, end) });
    return;
  }
  for (let at = start; at < end;) {
    const cut = end - at <= room ? end : charBoundary(buf, at + room);
    const piece = cut === end ? withNewline(buf, at, cut, o.appendNewline) : buf.subarray(at, cut);
    out.records.push(o.appendNewline && cut !== end ? Buffer.concat([piece, NEWLINE]) : piece);
    at = cut;
  }
}

/** The end of a line's body: before its `\n`, and before a `\r` that precedes it. */
const bodyEnd = (buf: Uint8Array, lf: number, start: number) =>
  lf > start && buf[lf - 1] === CR ? lf - 1 : lf;

function cutLines(buf: Uint8Array, o: CutOptions): CutResult {
  const out: CutResult = { records: [], deadLetters: [], consumed: 0, read: 0 };
  let start = 0;
  for (let lf = buf.indexOf(LF, start); lf !== -1; lf = buf.indexOf(LF, start)) {
    const end = bodyEnd(buf, lf, start);
    if (end > start) {
      out.read += 1;
      emit(out, buf, start, end, o);
    }
    start = lf + 1;
  }
  out.consumed = start;
  const rest = buf.length - start;
  if (rest > 0 && (o.final || (o.bufferFull && start === 0))) {
    if (o.final) {
      out.read += 1;
      emit(out, buf, start, buf.length, o);
      out.consumed = buf.length;
    } else if (o.oversize === 'split') {
      // A line longer than a whole read: its first pieces go now, the rest with its end.
      const room = o.maxRecordBytes - (o.appendNewline ? 1 : 0);
      const cut = charBoundary(buf, Math.min(buf.length, start + room));
      out.records.push(
        o.appendNewline ? Buffer.concat([buf.subarray(start, cut), NEWLINE]) : buf.subarray(start, cut),
      );
      out.consumed = cut;
    } else out.longLineAt = start;
  }
  return out;
}

function cutMultiline(buf: Uint8Array, o: CutOptions & { format: { kind: 'multiline' } }): CutResult {
  const out: CutResult = { records: [], deadLetters: [], consumed: 0, read: 0 };
  const pattern = o.format.startPattern;
  let groupStart = 0;
  let groupEnd = -1; // body end of the group's last complete line
  let start = 0;
  const close = (nextStart: number) => {
    if (groupEnd > groupStart) {
      out.read += 1;
      emit(out, buf, groupStart, groupEnd, o);
    }
    out.consumed = nextStart;
    groupStart = nextStart;
    groupEnd = -1;
  };
  for (let lf = buf.indexOf(LF, start); lf !== -1; lf = buf.indexOf(LF, start)) {
    const end = bodyEnd(buf, lf, start);
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    if (pattern.test(text) && groupEnd !== -1) close(start);
    if (groupEnd === -1) groupStart = start;
    groupEnd = end;
    start = lf + 1;
  }
  // The open group is complete when the file has been quiet long enough, ends, or fills the buffer.
  const quiet = o.quietMs >= o.format.maxWaitMs && start === buf.length;
  if (groupEnd !== -1 && (quiet || o.final || (o.bufferFull && out.consumed === 0))) close(start);
  if (o.final && start < buf.length) {
    out.read += 1;
    emit(out, buf, start, buf.length, o);
    out.consumed = buf.length;
  }
  return out;
}

/** Cuts the bytes after a checkpoint into records (see {@link CutOptions} for when a record is complete). */
export function cutRecords(buf: Uint8Array, options: CutOptions): CutResult {
  if (options.format.kind === 'multiline')
    return cutMultiline(buf, options as CutOptions & { format: { kind: 'multiline' } });
  return cutLines(buf, options);
}
