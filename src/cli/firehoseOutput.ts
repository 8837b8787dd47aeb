/**
 * What `firehose put` prints on stderr: a progress bar on a terminal, a line on each Ctrl-C, and at
 * the end the summary, what became of the records not delivered, and from which line the input
 * can be sent again. The library returns all of it (`PutResult`); this only words it.
 */
import type { ConcurrencyChange } from '../aws/adaptiveConcurrency.js';
import { TempcredsError } from '../errors.js';
import { posixQuote } from '../credentials/shellQuote.js';
import type { PutRequest, PutResult } from '../firehose/put.js';
import type { PutProgress, PutSummary } from '../firehose/putRecords.js';
import { formatRecordLine } from '../firehose/recordJson.js';
import { formatCount } from '../firehose/limits.js';
import type { CommandContext } from './context.js';
import type { CliIo } from './io.js';
import { INTERRUPTED_EXIT_CODE } from './interruptions.js';
import { concurrencyLine, progressLine } from './progressLine.js';

/** A one-line progress bar on stderr, redrawn at most ten times a second; only on a terminal. */
export function progressBar(io: CliIo, total: number | undefined, now: () => number = Date.now) {
  const line = progressLine(io.stderr, { enabled: io.stderr.isTTY === true, now });
  const render = (p: PutProgress) => {
    const sent = p.delivered + p.failed + p.unknown + p.notSent;
    const width = 30;
    const bar =
      total && total > 0
        ? `[${'#'.repeat(Math.round((width * sent) / total)).padEnd(width, '-')}] ${Math.floor((100 * sent) / total)}% `
        : '';
    return `${bar}${sent}${total ? `/${total}` : ''} records, ${p.calls} calls, ${p.retries} retries, ${p.failed} failed`;
  };
  return {
    update: (p: PutProgress) => line.update(() => render(p)),
    done: () => line.clear(),
  };
}

export function summaryLine(s: PutSummary): string {
  const more = (n: number, what: string) => (n > 0 ? `, ${n} ${what}` : '');
  return (
    `firehose put ${s.deliveryStreamName}: ${s.records} records, ${s.bytes} bytes, ${s.calls} calls, ` +
    `${s.retries} retries, ${s.failed} failed${more(s.unknown, 'unknown')}${more(s.notSent, 'not sent')}` +
    `${more(s.retriedAfterUnknown, 'resent after a lost answer')}, ${(s.durationMs / 1000).toFixed(2)} s`
  );
}

/** A word for a POSIX shell command line: bare when it is safe so, else quoted (JSON where no quoting holds it). */
function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  try {
    return posixQuote(word, 'the path');
  } catch {
    return JSON.stringify(word);
  }
}

/** The CLI's output for one put: hooks for the run, and `report` at its end (which returns the exit code). */
export function firehoseOutput(ctx: CommandContext, request: PutRequest) {
  const write = (line: string) => ctx.io.stderr.write(ctx.log.redactor.redact(line) + '\n');
  let bar: ReturnType<typeof progressBar> | undefined;
  let delivered = 0;
  const say = (line: string) => {
    bar?.done();
    write(`tempcreds: ${line}`);
  };
  return {
    start: (source: { total?: number }) => (bar = progressBar(ctx.io, source.total)),
    progress(progress: PutProgress) {
      delivered = progress.delivered;
      bar?.update(progress);
    },
    /** `--debug`: each change of the batches in flight (bytes delivered are the units measured). */
    concurrency: ({ unitsPerSecond, ...change }: ConcurrencyChange) => {
      bar?.done();
      ctx.log.debug(concurrencyLine({ ...change, bytesPerSecond: unitsPerSecond }));
    },
    onStop: () =>
      say('interrupted: no more input is read; sending what was read (interrupt again to stop at once).'),
    onForceExit: () =>
      say(
        `stopped at once with ${delivered} record(s) delivered; records read and neither delivered nor written to --failed-file are lost.`,
      ),
    done: () => bar?.done(),
    report(result: PutResult, interrupted: boolean): number {
      bar?.done();
      const { error, summary } = result;
      if (error) {
        say(error instanceof Error ? error.message : String(error));
        if (error instanceof TempcredsError && error.fix) write(`  fix: ${error.fix}`);
      }
      if (!error || summary.records > 0) {
        write(summaryLine(summary));
        reportUndelivered(write, request, result);
      }
      if (interrupted && result.position.name) write(interruptedLine(result));
      const hint = resendHint(request, result);
      if (hint) write(hint);
      if (error) return error instanceof TempcredsError ? error.exitCode : 1;
      if (interrupted) return INTERRUPTED_EXIT_CODE;
      return summary.failed + summary.unknown > 0 ? 1 : 0;
    },
  };
}

/** What became of the records not delivered: where they were written, or a few of them and how many. */
function reportUndelivered(write: (line: string) => void, request: PutRequest, result: PutResult): void {
  const { summary, error, kept } = result;
  const failed = error
    ? `${summary.failed} record(s) failed: AWS refused their call`
    : `${summary.failed} record(s) failed after ${request.maxAttempts} attempts`;
  const unknown = `${summary.unknown} record(s) unknown: the answer to their call was lost, so they may have arrived`;
  const notSent = `${summary.notSent} record(s) not sent: the run was ${error ? 'stopped' : 'interrupted'}`;
  const { failedFile, deliveryStreamName: stream } = request;
  if (failedFile) {
    if (summary.failed > 0) write(`${failed}; written to ${failedFile}.`);
    if (summary.unknown > 0) write(`${unknown}; written to ${failedFile}.`);
    if (summary.notSent > 0) write(`${notSent}; written to ${failedFile}.`);
    if (summary.failed + summary.unknown + summary.notSent === 0) return;
    const file = shellWord(failedFile);
    write(`  resend with: tempcreds firehose put ${stream} --file ${file} --records-jsonl`);
    if (summary.unknown > 0) {
      write(
        `  or, to leave out those that may have arrived: grep -v '"Outcome":"unknown"' ${file} | tempcreds firehose put ${stream} - --records-jsonl`,
      );
    }
    return;
  }
  const list = (status: 'refused' | 'unknown', count: number) => {
    const shown = kept.filter((record) => record.status === status);
    for (const record of shown) {
      const line = formatRecordLine(record.data).trimEnd();
      write(`  ${record.errorCode}: ${line.length > 100 ? `${line.slice(0, 97)}...` : line}`);
    }
    if (count > shown.length) write(`  ... and ${count - shown.length} more`);
  };
  const keep = '(use --failed-file PATH to keep them)';
  if (summary.failed > 0) write(`${failed} ${keep}:`);
  if (summary.failed > 0) list('refused', summary.failed);
  if (summary.unknown > 0) write(`${unknown} ${keep}:`);
  if (summary.unknown > 0) list('unknown', summary.unknown);
  if (summary.notSent > 0) write(`${notSent} ${keep}.`);
}

function interruptedLine({ summary, position, cutBytes }: PutResult): string {
  const rest =
    cutBytes > 0 ? `; the ${cutBytes} byte(s) read after them, an incomplete record, were not sent` : '';
  return `Interrupted after reading ${summary.records} record(s) of ${position.name}${rest}.`;
}

/**
 * From which line the input can be sent again, when not all of it is delivered or written down:
 * with a failed-records file, the first line not read; without, the first record not delivered
 * (the delivered ones after it arrive twice). Said for a file, which can be read again.
 */
function resendHint(request: PutRequest, { position, summary, error }: PutResult): string | undefined {
  const { rereadable, name, lastLineTaken, allTaken, firstLineUndelivered } = position;
  if (name === undefined) return undefined;
  if (!rereadable) {
    return error && !allTaken
      ? `${name} was read up to line ${formatCount(lastLineTaken)}: what came after it was not read.`
      : undefined;
  }
  const notRead = allTaken ? undefined : lastLineTaken + 1;
  const from = request.failedFile ? notRead : (firstLineUndelivered ?? notRead);
  if (from === undefined) return undefined;
  const flags = `${request.source.kind === 'file' && request.source.format === 'records-jsonl' ? ' --records-jsonl' : ''}${request.appendNewline ? ' --append-newline' : ''}`;
  const file = name === 'stdin' ? 'FILE' : shellWord(name);
  const command = `tail -n +${from} ${file} | tempcreds firehose put ${request.deliveryStreamName} -${flags}`;
  const where = name === 'stdin' ? 'the file stdin was read from (FILE)' : name;
  const delivered = summary.delivered > 0 && from !== notRead;
  return from === notRead
    ? `Lines from ${formatCount(from)} of ${where} on were not read; send them with: ${command}`
    : `Records from line ${formatCount(from)} of ${where} on were not all delivered; send them again with: ${command}${delivered ? ' (those that were delivered will arrive twice)' : ''}`;
}
