import { usageError } from '../errors.js';

/** Strict standard base64 (RFC 4648 section 4, padded), as AWS CLI v2 reads blob arguments. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes base64, refusing anything Node would silently skip or truncate. `what` names it in the error. */
export function decodeBase64(text: string, what: string): Uint8Array {
  if (!BASE64.test(text)) {
    throw usageError(
      `${what} is not valid base64.`,
      'Encode the bytes with: base64 -w0 FILE (or pass text with --data).',
    );
  }
  return Buffer.from(text, 'base64');
}

/** `Buffer.toString('base64')` without copying. */
export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/**
 * A Firehose `Record` as AWS CLI v2 takes it: JSON `{"Data": "<base64>"}`, or its shorthand
 * `Data=<base64>`. Data is base64 (cli_binary_format base64, the v2 default), so the runbook's
 * `--record '{"Data":"SGVsbG8gd29ybGQ="}'` sends the 11 bytes `Hello world`.
 */
export function parseRecord(text: string, what = '--record', ignored: readonly string[] = []): Uint8Array {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) {
    const shorthand = /^Data=(.*)$/s.exec(trimmed);
    if (!shorthand) {
      throw usageError(
        `${what} is neither JSON nor shorthand: expected {"Data":"<base64>"} or Data=<base64>.`,
        `Use e.g. ${what} '{"Data":"SGVsbG8gd29ybGQ="}'.`,
      );
    }
    return decodeBase64(shorthand[1]!, `Data of ${what}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    throw usageError(
      `${what} is not valid JSON: ${(err as Error).message}.`,
      `Use e.g. ${what} '{"Data":"SGVsbG8gd29ybGQ="}'.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${what} must be a JSON object {"Data":"<base64>"}.`);
  }
  const unknown = Object.keys(value).filter((key) => key !== 'Data' && !ignored.includes(key));
  if (unknown.length > 0) {
    throw usageError(`Unknown parameter in ${what}: "${unknown[0]}", must be one of: Data.`);
  }
  const data = (value as { Data?: unknown }).Data;
  if (data === undefined) throw usageError(`Missing required parameter in ${what}: "Data".`);
  if (typeof data !== 'string') throw usageError(`Data of ${what} must be a base64 string.`);
  return decodeBase64(data, `Data of ${what}`);
}

/**
 * Fields a failed-records file may hold beside `Data`, which reading it back ignores: `Outcome`
 * (`"unknown"`: the record's call lost its answer, so it may have arrived already).
 */
export const FAILED_FILE_FIELDS: readonly string[] = ['Outcome'];

/**
 * One record in the JSONL form a failed-records file holds and `records-jsonl` reads: the
 * `--record` JSON, one a line; with `outcome`, that field too (a record that may have arrived).
 */
export function formatRecordLine(data: Uint8Array, outcome?: 'unknown'): string {
  const mark = outcome ? `,"Outcome":"${outcome}"` : '';
  return `{"Data":"${encodeBase64(data)}"${mark}}\n`;
}
