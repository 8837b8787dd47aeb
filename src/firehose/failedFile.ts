import { open } from 'node:fs/promises';
import { TempcredsError } from '../errors.js';
import { formatRecordLine } from './recordJson.js';
import type { FailedRecord } from './response.js';

/** A file the records that failed for good are written to, one `{"Data":"<base64>"}` a line. */
export interface FailedFile {
  path: string;
  /** Appends records; writes happen in call order. */
  write(records: readonly FailedRecord[]): Promise<void>;
  /** How many records were written. */
  readonly count: number;
  close(): Promise<void>;
}

/**
 * Creates (or empties) the failed-records file before anything is sent, so a path that cannot be
 * written fails the run before it starts, and a file left from an earlier run is never mistaken
 * for this one's. Base64 in JSON keeps records with newlines or binary bytes intact; the file is
 * read back with `readRecords(..., { format: 'records-jsonl' })` (`firehose put --records-jsonl`).
 */
export async function openFailedFile(path: string): Promise<FailedFile> {
  let handle;
  try {
    handle = await open(path, 'w', 0o600);
  } catch (err) {
    throw new TempcredsError(`Cannot write the failed-records file ${path}: ${(err as Error).message}`, {
      kind: 'usage',
      fix: 'Pass a --failed-file in a folder that exists and that you can write to.',
      cause: err,
    });
  }
  const file = handle;
  let count = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    path,
    get count() {
      return count;
    },
    write(records) {
      const text = records.map((record) => formatRecordLine(record.data)).join('');
      count += records.length;
      queue = queue.then(() => file.write(text));
      return queue.then(() => undefined);
    },
    async close() {
      await queue;
      await file.close();
    },
  };
}
