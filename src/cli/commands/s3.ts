import { basename, dirname, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
// Light modules only: the S3 client loads when a sync runs, not at every start of the CLI.
import type { SyncEvent, SyncSummary } from '../../s3/events.js';
import type { FilterRule } from '../../s3/filters.js';
import { parseLocation } from '../../s3/location.js';
import {
  compareModeOf,
  DEFAULT_SYNC_CONCURRENCY,
  syncEnds,
  validateSyncOptions,
  type SyncOptions,
} from '../../s3/options.js';
import { parseSize } from '../../s3/partSize.js';
import { action } from '../action.js';
import {
  addRoleOptions,
  awsContextFor,
  parseAssumeFlags,
  type AssumeFlags,
  type CommandContext,
} from '../context.js';
import type { CliIo } from '../io.js';
import { dieOfSigint, interruptions, INTERRUPTED_EXIT_CODE } from '../interruptions.js';
import { humanBytes, progressLine, type ProgressLine } from '../progressLine.js';

export { humanBytes };
import type { RegisterCommand } from '../command.js';

interface SyncFlags extends AssumeFlags {
  role?: string;
  delete?: boolean;
  dryrun?: boolean;
  sizeOnly?: boolean;
  exactTimestamps?: boolean;
  checksum?: boolean;
  concurrency?: string;
  multipartThreshold?: string;
  multipartChunksize?: string;
  followSymlinks?: boolean;
  onlyShowErrors?: boolean;
  progress?: boolean;
}

/** `s3 sync` with its flags checked and typed, before anything touches the disk or the network. */
export interface S3SyncInput {
  source: string;
  destination: string;
  options: Omit<SyncOptions, 'client' | 'signal' | 'onEvent'>;
}

function size(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseSize(value);
  if (bytes === undefined)
    throw usageError(`${flag} "${value}" is not a size.`, `Use bytes or a unit, e.g. ${flag} 16MB.`);
  return bytes;
}

export function parseS3SyncInput(
  source: string,
  destination: string,
  flags: SyncFlags,
  filters: readonly FilterRule[],
  cwd: string,
): S3SyncInput {
  syncEnds(parseLocation(source, cwd), parseLocation(destination, cwd));
  parseAssumeFlags(flags);
  if (flags.concurrency !== undefined && !/^\d+$/.test(flags.concurrency)) {
    throw usageError(
      `--concurrency "${flags.concurrency}" is not a whole number.`,
      'Use e.g. --concurrency 10.',
    );
  }
  const options: S3SyncInput['options'] = {
    delete: flags.delete,
    filters,
    dryrun: flags.dryrun,
    sizeOnly: flags.sizeOnly,
    exactTimestamps: flags.exactTimestamps,
    checksum: flags.checksum,
    concurrency: flags.concurrency === undefined ? undefined : Number(flags.concurrency),
    multipartThreshold: size(flags.multipartThreshold, '--multipart-threshold'),
    multipartChunksize: size(flags.multipartChunksize, '--multipart-chunksize'),
    followSymlinks: flags.followSymlinks,
    cwd,
  };
  compareModeOf(options);
  validateSyncOptions(options);
  return { source, destination, options };
}

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

/** Prints events the way `aws s3 sync` does: one line per file on stdout, failures and warnings on stderr. */
function eventPrinter(
  ctx: CommandContext,
  flags: SyncFlags,
  cwd: string,
): { onEvent: (e: SyncEvent) => void; end(): void } {
  const { io } = ctx;
  const json = ctx.globals.output === 'json';
  const progress =
    flags.progress !== false && io.stderr.isTTY && !json ? new SyncProgress(io.stderr) : undefined;
  const onEvent = (event: SyncEvent) => {
    if (event.type === 'done' && !flags.onlyShowErrors && !json) {
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
  };
  return { onEvent, end: () => progress?.clear() };
}

export const registerS3: RegisterCommand = (program: Command, io, setExitCode) => {
  const s3 = program.command('s3').description('S3 with temporary credentials that stay fresh');
  // --exclude and --include are evaluated in the order given, across both flags.
  const filters: FilterRule[] = [];
  const rule = (type: FilterRule['type']) => (pattern: string) => {
    filters.push({ type, pattern });
    return filters;
  };
  addRoleOptions(
    s3
      .command('sync <src> <dst>')
      .description('sync a local folder and s3://bucket/prefix/, either way, as aws s3 sync does')
      .option('--delete', 'delete destination files that the source lacks (and the filters let through)')
      .option(
        '--exclude <glob>',
        'exclude paths matching GLOB (relative to the source; repeatable)',
        rule('exclude'),
      )
      .option(
        '--include <glob>',
        'include paths matching GLOB again (repeatable; later filters win)',
        rule('include'),
      )
      .option('--dryrun', 'show what would be done, change nothing')
      .option('--size-only', 'copy only when sizes differ')
      .option('--exact-timestamps', 'downloads: copy same-size files whenever the times differ')
      .option('--checksum', 'compare the content of same-size files (MD5 against the ETag) instead of times')
      .option(
        '--concurrency <n>',
        `requests in flight at once, files and parts together (default ${DEFAULT_SYNC_CONCURRENCY})`,
      )
      .option('--multipart-threshold <size>', 'files of this size or more go in parts (default 8MB)')
      .option('--multipart-chunksize <size>', 'part size, 5MB..5GB (default 8MB)')
      .option('--no-follow-symlinks', 'skip symlinks in the local folder (default: follow them)')
      .option('--only-show-errors', 'print no line per file; errors, warnings and the summary only')
      .option('--no-progress', 'no progress line on a terminal'),
  ).action(
    action(io, setExitCode, async (ctx, src: string, dst: string, flags: SyncFlags) => {
      const input = parseS3SyncInput(src, dst, flags, filters, io.cwd);
      // Credentials and the S3 modules load side by side.
      const [aws, { sync }, { createS3Client }] = await Promise.all([
        awsContextFor(ctx, flags),
        import('../../s3/sync.js'),
        import('../../s3/client.js'),
      ]);
      const client = createS3Client(aws, {
        maxSockets: input.options.concurrency ?? DEFAULT_SYNC_CONCURRENCY,
      });
      const printer = eventPrinter(ctx, flags, io.cwd);
      // Ctrl-C (or SIGTERM) once stops the sync and aborts its multipart uploads; twice leaves
      // that clean-up 2 s before the process ends.
      const stop = interruptions({
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
      try {
        const summary = await sync(input.source, input.destination, {
          ...input.options,
          client,
          signal: stop.stop,
          onEvent: printer.onEvent,
        });
        printer.end();
        if (ctx.globals.output === 'json') io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        for (const line of summaryLines(summary, io.cwd)) io.stderr.write(line + '\n');
        return summary.failed.length > 0 ? 1 : 0;
      } catch (err) {
        printer.end();
        if (stop.stop.aborted) {
          ctx.log.warn(err instanceof Error ? err.message : String(err));
          return INTERRUPTED_EXIT_CODE;
        }
        throw err;
      } finally {
        stop.dispose();
        client.destroy();
      }
    }),
  );
};
