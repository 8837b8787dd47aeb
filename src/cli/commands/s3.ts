import type { Command } from 'commander';
// Light modules only: the S3 client loads when a sync runs, not at every start of the CLI.
import type { FilterRule } from '../../s3/filters.js';
import { SYNC_CONCURRENCY } from '../../s3/linkConcurrency.js';
import { uploadJournalDir } from '../../s3/uploadJournal.js';
import { action } from '../action.js';
import { addRoleOptions, awsContextFor, flagContext, type CommandContext } from '../context.js';
import { INTERRUPTED_EXIT_CODE } from '../interruptions.js';
import { syncInterruptions, syncPrinter } from '../s3Output.js';
import type { RegisterCommand } from '../command.js';
import { parseS3SyncInput, type SyncFlags } from '../s3Input.js';

/** `s3 sync SRC DST`: flags into one checked request, credentials, one library call, the printing. */
async function s3Sync(
  ctx: CommandContext,
  src: string,
  dst: string,
  flags: SyncFlags,
  filters: readonly FilterRule[],
): Promise<number> {
  const io = ctx.io;
  const { credentials, ...request } = parseS3SyncInput(
    src,
    dst,
    flags,
    filters,
    io.cwd,
    flagContext(ctx).canPrompt,
  );
  // Credentials and the S3 modules load side by side.
  const [aws, { runSync }, { createS3Client }, { ThrottleReports }] = await Promise.all([
    awsContextFor(ctx, credentials),
    import('../../s3/sync.js'),
    import('../../s3/client.js'),
    import('../../aws/throttleReports.js'),
  ]);
  const throttling = new ThrottleReports();
  const maxSockets = request.concurrency ?? SYNC_CONCURRENCY.max;
  const client = createS3Client(aws, { maxSockets, throttling });
  const printer = syncPrinter(ctx, flags);
  const stop = syncInterruptions(ctx, printer);
  try {
    const summary = await runSync(request, {
      client,
      signal: stop.stop,
      onEvent: printer.onEvent,
      throttling,
      uploadJournalDir: uploadJournalDir(io.env),
    });
    printer.summary(summary);
    return summary.failed.length > 0 ? 1 : 0;
  } catch (err) {
    printer.end();
    if (!stop.stop.aborted) throw err;
    ctx.log.warn(err instanceof Error ? err.message : String(err));
    return INTERRUPTED_EXIT_CODE;
  } finally {
    stop.dispose();
    client.destroy();
  }
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
        `requests in flight at once, files and parts together (default: fitted to the link, ${SYNC_CONCURRENCY.max} at most)`,
      )
      .option('--multipart-threshold <size>', 'files of this size or more go in parts (default 8MB)')
      .option('--multipart-chunksize <size>', 'part size, 5MB..5GB (default 8MB)')
      .option('--no-follow-symlinks', 'skip symlinks in the local folder (default: follow them)')
      .option('--only-show-errors', 'print no line per file; errors, warnings and the summary only')
      .option('--no-progress', 'no progress line on a terminal'),
  ).action(
    action(io, setExitCode, (ctx, src: string, dst: string, flags: SyncFlags) =>
      s3Sync(ctx, src, dst, flags, filters),
    ),
  );
};
