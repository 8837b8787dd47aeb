/**
 * `firehose put` as one library call: open and check the input, refuse a failed-records file that
 * is the input, get a client, send, and account for every record read: delivered, written to the
 * failed-records file (or a few kept to show), or after the last line read, from which the input
 * can be sent again. The caller prints; this returns what happened.
 */
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { ConcurrencyChange } from '../aws/adaptiveConcurrency.js';
import type { UndeliveredRecord } from './delivery.js';
import { checkFailedFilePath, openFailedFile, type FailedFile } from './failedFile.js';
import { runPut, withProgress, type PutProgress, type PutSummary } from './putRecords.js';
import { openRecordSource, type PutSource, type RecordSource, type Stdin } from './recordSource.js';
import type { PutSettings } from './settings.js';

/** A put, checked and typed (the CLI's flags parsed, each once, its settings by `putSettings`): accepted as it is. */
export interface PutRequest extends PutSettings {
  /** The Firehose delivery stream, by name. */
  deliveryStreamName: string;
  /** Where the records come from. */
  source: PutSource;
  /** Add `\n` to every record (Firehose adds no delimiter). */
  appendNewline: boolean;
  /** Where records not delivered are written, one `{"Data":"<base64>"}` a line, to be sent again. */
  failedFile?: string;
}

/** What a put uses besides its request: stdin, the client, the signals, and hooks for the caller's output. */
export interface PutDeps {
  /** The process's stdin, for a source with path `-`. */
  stdin: Stdin;
  /** Makes the client once the input passed its checks (assuming a role may prompt or call STS); destroyed at the end. */
  client: () => Promise<FirehoseClient>;
  /** Winds the run down (the first Ctrl-C): no more input is read, what was read is sent, nothing is retried. */
  stopSignal?: AbortSignal;
  /** Stops at once (the second Ctrl-C): calls in flight are aborted. */
  signal?: AbortSignal;
  /** The input is checked and sending starts: how many records it holds when known, and its name. */
  onStart?: (source: Pick<RecordSource, 'total' | 'name'>) => void;
  /** The counters after every call. */
  onProgress?: (progress: PutProgress) => void;
  /** Every change of the batches in flight, when they are fitted to the link (no `concurrency` pinned). */
  onConcurrency?: (change: ConcurrencyChange) => void;
  /** With no failed-records file: how many records given up (refused or unknown) to keep, to show (default 3). */
  keepUndelivered?: number;
}

/** Where the input stands after the run, in its own line numbers (a list's: positions from 1). */
export interface InputPosition {
  /** `data.txt`, `stdin`; none for a list. */
  name?: string;
  /** A regular file (also stdin redirected from one): it can be read again from a line on (`tail -n +LINE`). */
  rereadable: boolean;
  /** The last line a record was taken from (0: none). Every record up to it is delivered or accounted for. */
  lastLineTaken: number;
  /** Every record of the input was taken. */
  allTaken: boolean;
  /** The first line whose record was not delivered, if any. */
  firstLineUndelivered?: number;
}

/** What a put did: everything its caller prints. */
export interface PutResult {
  /** The counters, and the run's duration. */
  summary: PutSummary;
  /** Why the run stopped before its input ended: AWS refused the call itself, or bad input met after sending began. */
  error?: unknown;
  /** With no failed-records file: the first few records given up, refused or unknown. */
  kept: UndeliveredRecord<number>[];
  /** Where the input stands, to send the rest again. */
  position: InputPosition;
  /** After a stop: the bytes read after the last complete record, an incomplete record not sent. */
  cutBytes: number;
}

/**
 * Runs a put (see the file's comment). Rejects only when nothing was sent: bad input found before
 * the first call (a record over the limit, a folder, a failed-records file that is the input,
 * exit 2), or no client; everything after that is in the result.
 */
export async function putRecordsFrom(request: PutRequest, deps: PutDeps): Promise<PutResult> {
  const cleanups: Array<() => unknown> = [];
  try {
    const source = await openRecordSource(request.source, request.appendNewline, deps.stdin);
    cleanups.push(() => source.close());
    const input = { notSameAs: source.identity, inputName: source.name };
    if (request.failedFile) await checkFailedFilePath(request.failedFile, input);
    const client = await deps.client();
    cleanups.push(() => client.destroy());
    const failedFile = request.failedFile ? await openFailedFile(request.failedFile, input) : undefined;
    if (failedFile) cleanups.push(() => failedFile.close());
    deps.onStart?.({ total: source.total, name: source.name });
    return await send(request, deps, { source, client, failedFile });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function send(
  request: PutRequest,
  deps: PutDeps,
  { source, client, failedFile }: { source: RecordSource; client: FirehoseClient; failedFile?: FailedFile },
): Promise<PutResult> {
  const keep = deps.keepUndelivered ?? 3;
  const kept: UndeliveredRecord<number>[] = [];
  let cutBytes = 0;
  let firstLineUndelivered: number | undefined;
  // The input ends on the first Ctrl-C, and in any case once the put is over (an open pipe is let go).
  const inputEnd = new AbortController();
  const endInput = () => inputEnd.abort();
  deps.stopSignal?.addEventListener('abort', endInput, { once: true });
  if (deps.stopSignal?.aborted) endInput();
  try {
    const records = source.read(inputEnd.signal, (bytes) => (cutBytes += bytes));
    const { summary, stoppedBy, lastRef } = await runPut(request.deliveryStreamName, records, request, {
      client,
      stopSignal: deps.stopSignal,
      signal: deps.signal,
      onProgress: deps.onProgress,
      onConcurrency: deps.onConcurrency,
      checked: true,
      onUndelivered: async (undelivered) => {
        for (const { ref } of undelivered) firstLineUndelivered = Math.min(ref, firstLineUndelivered ?? ref);
        if (failedFile) return failedFile.write(undelivered);
        const shown = undelivered.filter((r) => r.status !== 'notSent');
        kept.push(...shown.slice(0, keep - kept.length));
      },
    });
    const lastLineTaken = lastRef ?? 0;
    const allTaken =
      source.total !== undefined ? summary.records >= source.total : !summary.interrupted && !stoppedBy;
    return {
      summary,
      error: stoppedBy && withProgress(stoppedBy.error, stoppedBy.fromInput, summary),
      kept,
      position: {
        name: source.name,
        rereadable: source.rereadable,
        lastLineTaken,
        allTaken,
        firstLineUndelivered,
      },
      cutBytes,
    };
  } finally {
    endInput();
    deps.stopSignal?.removeEventListener('abort', endInput);
  }
}
