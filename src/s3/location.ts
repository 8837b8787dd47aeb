import { resolve } from 'node:path';
import { usageError } from '../errors.js';

/** A folder on this machine. `root` is absolute. */
export interface LocalLocation {
  /** Tells it from an {@link S3Location}. */
  kind: 'local';
  /** The folder, absolute. */
  root: string;
}

/** Everything under `s3://bucket/prefix`. `prefix` is empty or ends with `/`. */
export interface S3Location {
  /** Tells it from a {@link LocalLocation}. */
  kind: 's3';
  /** The bucket's name. */
  bucket: string;
  /** The key prefix the sync is under: `''`, or `dir/` (with its slash). */
  prefix: string;
}

/** One end of a sync: a local folder or an S3 prefix. */
export type SyncLocation = LocalLocation | S3Location;

/** Bucket names, leniently: legacy us-east-1 buckets may have capitals and underscores. S3 judges the rest. */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,254}$/;

/**
 * Parses a sync argument: `s3://bucket[/prefix[/]]` or a local path (relative to `cwd`).
 * `s3://b/p` and `s3://b/p/` both mean the keys under `p/`, as a folder would.
 */
export function parseLocation(arg: string, cwd: string = process.cwd()): SyncLocation {
  if (!/^s3:\/\//i.test(arg)) {
    if (arg === '') throw usageError('An empty path is not a folder.', 'Pass a folder, e.g. ./data.');
    return { kind: 'local', root: resolve(cwd, arg) };
  }
  const rest = arg.slice(5);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  let prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw usageError(
      `"${arg}" does not name a bucket: ${bucket ? `"${bucket}" is not a valid bucket name` : 'it is empty'}.`,
      'Use s3://bucket/prefix/.',
    );
  }
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  return { kind: 's3', bucket, prefix };
}

/** `s3://bucket/prefix+key`, as the AWS CLI prints it. */
export function s3Url(location: S3Location, key = ''): string {
  return `s3://${location.bucket}/${location.prefix}${key}`;
}
