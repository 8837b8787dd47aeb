import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { TempcredsError, usageError } from '../errors.js';
import type { UndeliveredStatus } from './batchSteps.js';
import { fileProblem, sameFile, type FileIdentity } from './fileIdentity.js';
import { formatRecordLine } from './recordJson.js';
import type { FailedRecord } from './response.js';

/** A record to write, with how it ended: `unknown` ones are marked (they may have arrived). */
export type FailedFileRecord = FailedRecord & { status?: UndeliveredStatus };

/** A file the records not delivered are written to, one `{"Data":"<base64>"}` a line. */
export interface FailedFile {
  /** Where it is. */
  path: string;
  /** Appends records; writes happen in call order. */
  write(records: readonly FailedFileRecord[]): Promise<void>;
  /** How many records were written. */
  readonly count: number;
  /** Waits for the writes, then closes the file. */
  close(): Promise<void>;
}

/** What a failed-records file must not be. */
export interface FailedFileOptions {
  /** The input being sent: writing failures into it would empty it before it is read. */
  notSameAs?: FileIdentity;
  /** How messages name that input (`data.txt`, `stdin`). */
  inputName?: string;
}

function sameAsInput(path: string, inputName = 'the input'): TempcredsError {
  return usageError(
    `The failed-records file ${path} is ${inputName}, the file being sent: it would be emptied before it is read.`,
    'Write the records that fail to another file.',
  );
}

/**
 * Refuses, before anything is sent or written, a failed-records path that is the input itself,
 * however it is named (the same path, a symlink to it, a hard link, stdin redirected from it).
 */
export async function checkFailedFilePath(path: string, options: FailedFileOptions): Promise<void> {
  const existing = await stat(path).catch(() => undefined); // missing: it will be created
  if (existing && sameFile(existing, options.notSameAs)) throw sameAsInput(path, options.inputName);
}

/**
 * Creates (or empties) the failed-records file before anything is sent, so a path that cannot be
 * written fails the run before it starts, and a file left from an earlier run is never mistaken
 * for this one's. It is opened first and emptied only once it is known not to be the input (the
 * check that counts: on the file opened, not on its name). Base64 in JSON keeps records with
 * newlines or binary bytes intact; the file is read back by `readRecords` with the format
 * `records-jsonl` (`firehose put --records-jsonl`), which ignores the `Outcome` marks.
 */
export async function openFailedFile(path: string, options: FailedFileOptions = {}): Promise<FailedFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  } catch (err) {
    throw new TempcredsError(`Cannot write the failed-records file ${path}: ${fileProblem(err)}.`, {
      kind: 'usage',
      fix: 'Choose a path in a folder that exists and that you can write to.',
      cause: err,
    });
  }
  try {
    const opened = await handle.stat();
    if (sameFile(opened, options.notSameAs)) throw sameAsInput(path, options.inputName);
    // A FIFO or a device cannot be emptied: it is written to as it is.
    if (opened.isFile()) await handle.truncate(0);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return writer(path, handle);
}

function writer(path: string, file: FileHandle): FailedFile {
  let count = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    path,
    get count() {
      return count;
    },
    write(records) {
      const text = records
        .map((record) => formatRecordLine(record.data, record.status === 'unknown' ? 'unknown' : undefined))
        .join('');
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
