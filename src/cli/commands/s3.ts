import type { Command } from 'commander';
// Light modules only: the S3 client loads when a sync runs, not at every start of the CLI.
import type { FilterRule } from '../../s3/filters.js';
import { SYNC_CONCURRENCY } from '../../s3/linkConcurrency.js';
import { parseConcurrency, type SyncSettingNames } from '../../s3/options.js';
import { parseSizeArgument } from '../../s3/partSize.js';
import { syncRequest, type SyncRequest } from '../../s3/request.js';
import { uploadJournalDir } from '../../s3/uploadJournal.js';
import { action } from '../action.js';
import { addRoleOptions, awsContextFor, parseAssumeFlags, type AssumeFlags } from '../context.js';
import { INTERRUPTED_EXIT_CODE } from '../interruptions.js';
import { syncInterruptions, syncPrinter } from '../s3Output.js';
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

/** The flags, by the settings they set: the library's messages name them so. */
const FLAGS: Required<SyncSettingNames> = {
  concurrency: '--concurrency',
  multipartThreshold: '--multipart-threshold',
  multipartChunksize: '--multipart-chunksize',
  sizeOnly: '--size-only',
  exactTimestamps: '--exact-timestamps',
  checksum: '--checksum',
};

const size = (text: string | undefined, flag: string) =>
  text === undefined ? undefined : parseSizeArgument(text, flag);

/** `s3 sync` with its flags checked and typed, before anything touches the disk or the network. */
export function parseS3SyncInput(
  source: string,
  destination: string,
  flags: SyncFlags,
  filters: readonly FilterRule[],
  cwd: string,
): SyncRequest {
  const { delete: remove, dryrun, sizeOnly, exactTimestamps, checksum, followSymlinks, concurrency } = flags;
  const request = syncRequest(
    source,
    destination,
    {
      delete: remove,
      dryrun,
      sizeOnly,
      exactTimestamps,
      checksum,
      followSymlinks,
      filters,
      concurrency: concurrency === undefined ? undefined : parseConcurrency(concurrency, FLAGS.concurrency),
      multipartThreshold: size(flags.multipartThreshold, FLAGS.multipartThreshold),
      multipartChunksize: size(flags.multipartChunksize, FLAGS.multipartChunksize),
      cwd,
    },
    FLAGS,
  );
  parseAssumeFlags(flags);
  return request;
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
    action(io, setExitCode, async (ctx, src: string, dst: string, flags: SyncFlags) => {
      const request = parseS3SyncInput(src, dst, flags, filters, io.cwd);
      // Credentials and the S3 modules load side by side.
      const [aws, { runSync }, { createS3Client }, { ThrottleReports }] = await Promise.all([
        awsContextFor(ctx, flags),
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
    }),
  );
};
