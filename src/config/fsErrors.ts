import { dirname } from 'node:path';
import { TempcredsError } from '../errors.js';

/**
 * A file system error while reading or writing an AWS file, as one line that says what is wrong
 * and how to fix it, instead of a raw `EACCES`. Bad places (permissions, read-only disks, a
 * folder where a file should be) are usage errors (exit 2); running out of space is a failure.
 */
export function fsError(err: unknown, path: string, action: 'read' | 'write'): TempcredsError {
  if (err instanceof TempcredsError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const folder = dirname(path);
  const known: Record<string, [string, string] | undefined> = {
    EACCES: [
      action === 'read' ? `${path} is not readable by you` : `the folder ${folder} is not writable by you`,
      action === 'read'
        ? `Make it yours and readable: chmod 600 ${path}`
        : `Make the folder writable by you: chmod u+rwx ${folder} (ls -ld ${folder} shows its owner)`,
    ],
    EPERM: [
      `the system does not allow you to ${action} ${path}`,
      `Check its owner and flags: ls -lO ${path} (macOS) or lsattr ${path} (Linux)`,
    ],
    EROFS: [
      `${path} is on a read-only file system`,
      'Point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at files on a writable disk.',
    ],
    EISDIR: [
      `${path} is a folder, not a file`,
      `Move the folder away, or point the AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE variable at a file.`,
    ],
    ENOTDIR: [`a part of ${path} is a file, not a folder`, `Check the path: ls -ld ${folder}`],
    ELOOP: [`${path} is a loop of symbolic links`, `Check the links: ls -l ${path}`],
    ENAMETOOLONG: [`${path} is too long a path`, 'Use a shorter path.'],
  };
  const entry = known[code];
  if (entry) {
    return new TempcredsError(`Cannot ${action} ${path}: ${entry[0]} (${code}).`, {
      kind: 'usage',
      fix: entry[1],
      cause: err,
    });
  }
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return new TempcredsError(
    `Cannot ${action} ${path}: ${full ? 'the disk is full' : ((err as Error).message ?? String(err))}${code ? ` (${code})` : ''}.`,
    {
      kind: 'failed',
      fix: full ? `Free some space on the disk of ${folder}, then retry.` : undefined,
      cause: err,
    },
  );
}
