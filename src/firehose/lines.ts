import { MAX_RECORD_BYTES, formatCount, recordTooLarge } from './limits.js';

/** One line of input: its 1-based number and its bytes, without `\n` or `\r\n`. */
export interface Line {
  /** 1-based, counting every `\n`. */
  number: number;
  /** The line's bytes, without its ending. */
  data: Uint8Array;
}

/** How `splitLines` reads. */
export interface SplitLinesOptions {
  /** A line longer than this is refused, naming it (default 1,024,000). */
  maxLineBytes?: number;
  /** Yield empty lines too (default false: an empty line is not a record). */
  keepEmpty?: boolean;
  /** How messages name the input: `data.txt`, `stdin`. */
  name?: string;
  /**
   * When the input ends with this aborted, it was cut short (`streamChunks` ends on it): a last
   * line without its newline is then incomplete, not a line, and `onCutShort` gets its size.
   */
  cutSignal?: AbortSignal;
  /** Told the size of an incomplete last line left out (see `cutSignal`). */
  onCutShort?: (bytes: number) => void;
}

const LF = 0x0a;
const CR = 0x0d;

/** The error for a line Firehose would refuse; it names the line. */
export function lineTooLarge(name: string, line: number, size: string, maxBytes: number): Error {
  return recordTooLarge(
    `${name} line ${formatCount(line)}`,
    size,
    maxBytes,
    'Split that line, or drop it from the input.',
  );
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Splits a byte stream into lines, streaming: only the current incomplete line is held, and a line
 * longer than `maxLineBytes` is refused as soon as that is known, so a 5 GB input without newlines
 * costs no more memory than one record. Splits on bytes (`\n`, with a `\r` before it dropped), so
 * multibyte UTF-8 split across chunks comes out whole. The last line needs no newline.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  options: SplitLinesOptions = {},
): AsyncGenerator<Line> {
  const max = options.maxLineBytes ?? MAX_RECORD_BYTES;
  const name = options.name ?? 'input';
  const keepEmpty = options.keepEmpty ?? false;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let number = 0;

  const finish = (piece: Uint8Array): Line | undefined => {
    number += 1;
    let data = pending.length === 0 ? piece : concat([...pending, piece], pendingBytes + piece.length);
    pending = [];
    pendingBytes = 0;
    if (data.length > 0 && data[data.length - 1] === CR) data = data.subarray(0, data.length - 1);
    if (data.length > max) throw lineTooLarge(name, number, formatCount(data.length), max);
    return data.length > 0 || keepEmpty ? { number, data } : undefined;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
      const line = finish(chunk.subarray(start, end));
      start = end + 1;
      if (line) yield line;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      // One byte of slack: the line may still end in `\r\n`.
      if (pendingBytes > max + 1) throw lineTooLarge(name, number + 1, `more than ${formatCount(max)}`, max);
      pending.push(chunk.subarray(start));
    }
  }
  if (pendingBytes > 0 && options.cutSignal?.aborted) options.onCutShort?.(pendingBytes);
  else if (pendingBytes > 0) {
    const line = finish(new Uint8Array(0));
    if (line) yield line;
  }
}
