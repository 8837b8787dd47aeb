/** `s3 sync`'s flags into a checked, typed request: every check that needs neither the disk nor the network. */
import type { FilterRule } from '../s3/filters.js';
import { parseConcurrency, type SyncSettingNames } from '../s3/options.js';
import { parseSizeArgument } from '../s3/partSize.js';
import { syncRequest, type SyncRequest } from '../s3/request.js';
import { parseCredentialsChoice, type AssumeFlags, type CredentialsChoice } from './context.js';

export interface SyncFlags extends AssumeFlags {
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

/**
 * `s3 sync` with its flags checked and typed, before anything touches the disk or the network: the
 * sync's request and the credentials choice (`--role` and the assume flags), each parsed once.
 */
export function parseS3SyncInput(
  source: string,
  destination: string,
  flags: SyncFlags,
  filters: readonly FilterRule[],
  cwd: string,
  canPrompt = false,
): SyncRequest & { credentials: CredentialsChoice } {
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
  return { ...request, credentials: parseCredentialsChoice(flags, { cwd, canPrompt }) };
}
