/**
 * What `s3 sync` prints, the way `aws s3 sync` prints it: one line per file on stdout, failures
 * and warnings on stderr, a progress line on a terminal, and the summary at the end. The library
 * sends events and returns the summary; this turns them into lines.
 */
import { basename, dirname, relative, sep } from 'node:path';
import type { SyncEvent, SyncSummary } from '../s3/events.js';
import type { CommandContext } from './context.js';
import { dieOfSigint, interruptions, type Interruptions } from './interruptions.js';
import type { CliIo } from './io.js';
import { concurrencyLine, humanBytes, progressLine, type ProgressLine } from './progressLine.js';

/** A local path as the AWS CLI prints it: relative to the current folder, `./a` for a file in it. */
export function displayPath(location: string, cwd: string): string {
  if (location.startsWith('s3://')) return location;
  return `${relative(cwd, dirname(location)) || '.'}${sep}${basename(location)}`;
}

/** `./a to s3://b/p/a`, or just the location for a delete. */
const fromTo = (e: { from?: string; to: string }, cwd: string) =>
  e.from ? `${displayPath(e.from, cwd)} to ${displayPath(e.to, cwd)}` : displayPath(e.to, cwd);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The closing lines on stderr: what was done, then the failures again so none scrolls away unseen. */
export function summaryLines(summary: SyncSummary, cwd: string): string[] {
  const copied = summary.direction === 'upload' ? summary.uploaded : summary.downloaded;
  const verb = summary.direction === 'upload' ? 'Uploaded' : 'Downloaded';
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const head = summary.dryrun ? `Dry run: would ${verb.toLowerCase().replace(/ed$/, '')}` : verb;
  const parts = [
    `${head} ${plural(copied, 'file')} (${humanBytes(summary.bytes)})`,
    `${summary.dryrun ? 'would delete' : 'deleted'} ${summary.deleted}`,
    `${summary.unchanged} unchanged`,
    ...(summary.warnings > 0 ? [`${summary.warnings} skipped with a warning`] : []),
    `${summary.failed.length} failed`,
  ];
  const lines = [`${parts.join(', ')} in ${seconds} s.`];
  const shown = summary.failed.slice(0, 20);
  for (const f of shown) {
    lines.push(`  ${f.operation} failed: ${fromTo(f, cwd)}: ${f.message}`);
  }
  if (summary.failed.length > shown.length)
    lines.push(`  ... and ${summary.failed.length - shown.length} more failures`);
  return lines;
}

/** `removed 2 partial downloads, aborted 1 multipart upload`: what was cleaned up after earlier runs. */
export function cleanupLine(cleaned: { partial: number; uploads: number }): string | undefined {
  const parts = [
    ...(cleaned.partial > 0 ? [`removed ${plural(cleaned.partial, 'partial download')}`] : []),
    ...(cleaned.uploads > 0 ? [`aborted ${plural(cleaned.uploads, 'multipart upload')}`] : []),
  ];
  return parts.length > 0 ? `Cleaned up after an earlier interrupted run: ${parts.join(', ')}.` : undefined;
}

/** Progress on a terminal: one line on stderr, redrawn at most ten times a second. */
class SyncProgress {
  private files = 0;
  private unchanged = 0;
  private bytes = 0;
  private inFlight = 0;
  private readonly started = Date.now();
  private readonly line: ProgressLine;

  constructor(stderr: CliIo['stderr']) {
    this.line = progressLine(stderr, { enabled: true });
  }

  update(event: SyncEvent): void {
    if (event.type === 'started') this.inFlight++;
    else if (event.type === 'bytes') this.bytes += event.bytes;
    else if (event.type === 'unchanged') this.unchanged++;
    else if (event.type === 'done' || event.type === 'failed') {
      this.files++;
      if (event.operation !== 'delete' && !(event.type === 'done' && event.dryrun)) this.inFlight--;
    }
    this.line.update(() => {
      const rate = this.bytes / Math.max(0.001, (Date.now() - this.started) / 1000);
      return `Completed ${this.files} file(s), ${humanBytes(this.bytes)} (${humanBytes(rate)}/s), ${this.unchanged} unchanged, ${this.inFlight} in progress`;
    });
  }

  /** Clears the line before anything else is printed. */
  clear(): void {
    this.line.clear();
  }
}

export interface SyncPrinterOptions {
  /** `--only-show-errors`: no line per file. */
  onlyShowErrors?: boolean;
  /** `--no-progress` gives false. */
  progress?: boolean;
}

export interface SyncPrinter {
  onEvent(event: SyncEvent): void;
  /** Clears the progress line (before a message, or at the end). */
  end(): void;
  /** The summary: JSON on stdout with `--output json`, and its lines on stderr. */
  summary(summary: SyncSummary): void;
}

/** Prints events the way `aws s3 sync` does: one line per file on stdout, failures and warnings on stderr. */
export function syncPrinter(ctx: CommandContext, options: SyncPrinterOptions): SyncPrinter {
  const { io } = ctx;
  const cwd = io.cwd;
  const json = ctx.globals.output === 'json';
  const progress =
    options.progress !== false && io.stderr.isTTY && !json ? new SyncProgress(io.stderr) : undefined;
  const end = () => progress?.clear();
  const cleaned = { partial: 0, uploads: 0 };
  const onCleanup = (event: Extract<SyncEvent, { type: 'cleanup' }>) => {
    const where = displayPath(event.location, cwd);
    if (event.error) {
      progress?.clear();
      return ctx.log.warn(
        `could not abort the ${event.what} ${where} left by an earlier run: ${event.error}`,
      );
    }
    if (event.what === 'partial download') cleaned.partial++;
    else cleaned.uploads++;
    ctx.log.debug(`cleaned up after an earlier run: ${event.what} ${where}`);
  };
  return {
    onEvent(event) {
      if (event.type === 'cleanup') return onCleanup(event);
      if (event.type === 'concurrency') return ctx.log.debug(concurrencyLine(event));
      if (event.type === 'done' && !options.onlyShowErrors && !json) {
        progress?.clear();
        io.stdout.write(`${event.dryrun ? '(dryrun) ' : ''}${event.operation}: ${fromTo(event, cwd)}\n`);
      } else if (event.type === 'failed') {
        progress?.clear();
        io.stderr.write(`${event.operation} failed: ${fromTo(event, cwd)}: ${event.message}\n`);
      } else if (event.type === 'warning') {
        progress?.clear();
        ctx.log.warn(`Skipping file ${displayPath(event.location, cwd)}. ${event.message}`);
      }
      progress?.update(event);
    },
    end,
    summary(summary) {
      end();
      if (json) io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      const cleanup = cleanupLine(cleaned);
      for (const line of [...(cleanup ? [cleanup] : []), ...summaryLines(summary, cwd)])
        io.stderr.write(line + '\n');
    },
  };
}

/**
 * Ctrl-C (or SIGTERM) once stops the sync and aborts its multipart uploads, and says so; twice
 * leaves that clean-up 2 s before the process ends, saying what may be left.
 */
export function syncInterruptions(ctx: CommandContext, printer: SyncPrinter): Interruptions {
  return interruptions({
    onStop: () => {
      printer.end();
      ctx.log.warn(
        'interrupted: stopping the transfers and aborting their multipart uploads (interrupt again to stop at once).',
      );
    },
    forceExit: () => {
      ctx.log.warn(
        'stopped at once: multipart uploads under way may be left; see `aws s3api list-multipart-uploads`.',
      );
      dieOfSigint();
    },
  });
}
