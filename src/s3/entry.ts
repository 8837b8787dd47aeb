/** One file or object as the sync plan sees it: where it is matters no more, only what it is. */
export interface SyncEntry {
  /** Path below the sync root, `/`-separated on every OS: the S3 key without the prefix. */
  key: string;
  /** In bytes. */
  size: number;
  /** Local mtime or S3 LastModified, in epoch milliseconds. */
  lastModified: number;
  /** S3 only: the ETag without its quotes. */
  etag?: string;
  /** Local only: the absolute path of the file (symlinks not resolved). */
  path?: string;
}

/** Which way the bytes go; the AWS CLI's copy rules differ by direction. */
export type Direction = 'upload' | 'download';
