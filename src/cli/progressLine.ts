import type { CliIo } from './io.js';

/** One status line on stderr that redraws itself in place: the progress of `firehose put` and `s3 sync`. */
export interface ProgressLine {
  /** Redraws the line with `render()`, at most once per interval (the text is built only when drawn). */
  update(render: () => string): void;
  /** Erases the line, so that the next thing printed starts on a clean line. */
  clear(): void;
}

export interface ProgressLineOptions {
  /** Draw at all: usually "stderr is a terminal and the user did not say --no-progress". */
  enabled: boolean;
  /** Least time between two redraws (default 100 ms: ten a second). */
  intervalMs?: number;
  now?: () => number;
}

const ERASE_TO_END = '\u001b[K';

/**
 * The one throttled progress line of the CLI. Each redraw goes back to the start of the line,
 * writes the text and erases what a longer earlier text left behind, so nothing flickers.
 * Disabled (not a terminal), it writes nothing at all.
 */
export function progressLine(stderr: CliIo['stderr'], options: ProgressLineOptions): ProgressLine {
  if (!options.enabled) return { update: () => undefined, clear: () => undefined };
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let last = -Infinity;
  let shown = false;
  return {
    update(render) {
      const at = now();
      if (at - last < intervalMs) return;
      last = at;
      stderr.write(`\r${render()}${ERASE_TO_END}`);
      shown = true;
    },
    clear() {
      if (shown) stderr.write(`\r${ERASE_TO_END}`);
      shown = false;
    },
  };
}

const UNITS = ['Bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `4.0 KiB`, `12 Bytes`: sizes as the AWS CLI's `s3` commands print them. */
export function humanBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} Bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * `concurrency 32 -> 128: growing (410 requests/s, 1.6 MiB/s)`: a `--debug` line per change of
 * the requests in flight, for `s3 sync` and `firehose put` alike (the benchmarks read them).
 */
export function concurrencyLine(change: {
  from?: number;
  to: number;
  reason: string;
  requestsPerSecond?: number;
  bytesPerSecond?: number;
}): string {
  const measured =
    change.requestsPerSecond === undefined || change.requestsPerSecond === 0
      ? ''
      : ` (${change.requestsPerSecond.toFixed(0)} requests/s, ${humanBytes(change.bytesPerSecond ?? 0)}/s)`;
  const moved = change.from === undefined ? `${change.to}` : `${change.from} -> ${change.to}`;
  return `concurrency ${moved}: ${change.reason}${measured}`;
}
