/**
 * How a put runs (batch limits, calls in flight, attempts, flush interval, pacing), checked once
 * here and then taken as it is: the batcher and the delivery engine do not check again. Messages
 * name each setting as the caller calls it (`names`: the CLI passes its flags), never a flag itself.
 */
import { parseSeconds } from '../credentials/duration.js';
import { usageError } from '../errors.js';
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  FIREHOSE_CONCURRENCY,
  DEFAULT_MAX_ATTEMPTS,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_FLUSH_INTERVAL_MS,
  MAX_RECORD_BYTES,
  formatCount,
} from './limits.js';

/** Limits of one PutRecordBatch call, within Firehose's own. */
export interface BatchLimits {
  /** At most 500 (Firehose's limit). */
  maxRecords?: number;
  /** At most 4 MiB (Firehose's limit). */
  maxBytes?: number;
  /** At most 1,024,000 (Firehose's limit). */
  maxRecordBytes?: number;
}

/** A put's settings, every one within its range: made by `putSettings`, accepted as it is. */
export interface PutSettings {
  /** Batches under way at once, 1 to 64; undefined: fitted to the link (`streamConcurrency`). */
  readonly concurrency?: number;
  /** Calls per batch, the first included, before its failing records are given up; 1 to 100. */
  readonly maxAttempts: number;
  /** A partial batch goes out this long after its first record; 1 ms to a day. */
  readonly flushIntervalMs: number;
  /** Records and bytes per call, bytes per record. */
  readonly limits: Readonly<Required<BatchLimits>>;
  /** Wait before every call; 0: none. */
  readonly pauseMs: number;
}

/** Settings as given: numbers (library callers) or the text of a flag (the CLI), each optional. */
export interface PutSettingsInput {
  /** Pins the batches under way at once, 1 to 64; default: fitted to the link, from 32 (`streamConcurrency`). */
  concurrency?: number | string;
  /** Default 8. */
  maxAttempts?: number | string;
  /** Milliseconds, or text: `500ms`, `2s`, `1m` (`parseFlushInterval`). */
  flushIntervalMs?: number | string;
  /** Default: Firehose's limits. */
  limits?: { maxRecords?: number | string; maxBytes?: number; maxRecordBytes?: number };
  /** Milliseconds before every call, 0 to 60,000 (default 0). */
  pauseMs?: number | string;
}

/** How messages name each setting; unnamed ones are called by their option name. */
export type SettingNames = Partial<
  Record<'concurrency' | 'maxAttempts' | 'flushIntervalMs' | 'maxRecords' | 'pauseMs', string>
>;

/**
 * A whole number within `[min, max]`, from a number or its decimal text; `fallback` when absent.
 * Refusals say the range, name the setting as `name`, and are bad input (exit 2).
 */
export function wholeNumberIn(
  value: number | string | undefined,
  range: { min: number; max: number; fallback: number },
  name: string,
): number {
  if (value === undefined) return range.fallback;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    const given = typeof value === 'string' ? `"${value}"` : String(value);
    throw usageError(
      `${name} must be a whole number from ${formatCount(range.min)} to ${formatCount(range.max)}, not ${given}.`,
    );
  }
  return n;
}

/** Limits within Firehose's own; smaller ones are for tests and small batches. */
export function resolveLimits(limits: PutSettingsInput['limits'] = {}, names: SettingNames = {}) {
  return {
    maxRecords: wholeNumberIn(
      limits.maxRecords,
      { min: 1, max: MAX_BATCH_RECORDS, fallback: MAX_BATCH_RECORDS },
      names.maxRecords ?? 'records per batch',
    ),
    maxBytes: wholeNumberIn(
      limits.maxBytes,
      { min: 1, max: MAX_BATCH_BYTES, fallback: MAX_BATCH_BYTES },
      'bytes per batch',
    ),
    maxRecordBytes: wholeNumberIn(
      limits.maxRecordBytes,
      { min: 1, max: MAX_RECORD_BYTES, fallback: MAX_RECORD_BYTES },
      'bytes per record',
    ),
  };
}

/** A flush interval in whole milliseconds, 1 ms to a day; undefined stays undefined (no flush by time). */
export function resolveFlushInterval(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  return wholeNumberIn(ms, { min: 1, max: MAX_FLUSH_INTERVAL_MS, fallback: 0 }, 'The flush interval in ms');
}

const INTERVAL_FIX = 'Use milliseconds (500ms), seconds (2s, or just 2) or minutes (1m).';

/** A flush interval from text: `500ms`, or what a session duration takes (`2s`, `1m`, `1m30s`, plain seconds). */
export function parseFlushInterval(text: string, name = 'The flush interval'): number {
  const millis = /^\s*(\d+)ms\s*$/i.exec(text);
  const seconds = millis ? undefined : parseSeconds(text);
  const ms = millis ? Number(millis[1]) : seconds === undefined ? undefined : seconds * 1000;
  if (ms === undefined) throw usageError(`${name} "${text}" is not a duration.`, INTERVAL_FIX);
  if (ms < 1 || ms > MAX_FLUSH_INTERVAL_MS) {
    throw usageError(`${name} ${text} is out of range: from 1ms to 24h.`, INTERVAL_FIX);
  }
  return ms;
}

/** Checks every setting once; what is not given takes tempcreds' default. */
export function putSettings(given: PutSettingsInput = {}, names: SettingNames = {}): PutSettings {
  return {
    concurrency:
      given.concurrency === undefined
        ? undefined
        : wholeNumberIn(
            given.concurrency,
            { min: 1, max: FIREHOSE_CONCURRENCY.max, fallback: FIREHOSE_CONCURRENCY.max },
            names.concurrency ?? 'concurrency',
          ),
    maxAttempts: wholeNumberIn(
      given.maxAttempts,
      { min: 1, max: 100, fallback: DEFAULT_MAX_ATTEMPTS },
      names.maxAttempts ?? 'maxAttempts',
    ),
    flushIntervalMs:
      typeof given.flushIntervalMs === 'string'
        ? parseFlushInterval(given.flushIntervalMs, names.flushIntervalMs)
        : (resolveFlushInterval(given.flushIntervalMs) ?? DEFAULT_FLUSH_INTERVAL_MS),
    limits: resolveLimits(given.limits, names),
    pauseMs: wholeNumberIn(given.pauseMs, { min: 0, max: 60_000, fallback: 0 }, names.pauseMs ?? 'pauseMs'),
  };
}
