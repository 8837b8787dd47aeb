import type { Stats } from 'node:fs';
import { lstat, mkdir, readlink, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { usageError } from '../errors.js';
import { fsError } from './fsErrors.js';

const MAX_LINKS = 40;

/** The file a write goes to, after symbolic links, and what is there now. */
export interface WriteTarget {
  /** The path as given (named in messages). */
  path: string;
  /** The real file: folders and links resolved. Locked and replaced instead of `path`. */
  target: string;
  /** The file as it is, or `undefined` when it does not exist yet. */
  existing: Stats | undefined;
}

/**
 * Where a write to `path` must go, checked the way ssh checks its files. A symbolic link is
 * written through (the file it points to is replaced, the link stays), also when it dangles: its
 * target is created, but only in a folder that exists. The folder of the real file and every
 * folder above it (up to the home folder, else `/`) must belong to you or root; the folder of the
 * file must not be writable by group or others, those above it only when they have the sticky bit
 * (as `/tmp` does). A missing folder of `path` is created with mode 0700. An existing file must be
 * a regular file that belongs to you or root and that you have not made read-only.
 */
export async function writeTarget(path: string): Promise<WriteTarget> {
  const folder = dirname(resolve(path));
  await mkdir(folder, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    throw fsError(err, path, 'write');
  });
  const target = await followLinks(path);
  await checkFolders(path, dirname(target));
  const existing = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw fsError(err, path, 'write');
  });
  if (existing) checkFile(path, target, existing);
  return { path, target, existing };
}

/** The path with every symbolic link, of the file and of its folders, resolved. */
async function followLinks(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const folder = await realpath(dirname(current)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw fsError(err, path, 'write');
      throw usageError(
        `Cannot write ${path}: it is a symbolic link to ${current}, whose folder does not exist.`,
        `Create the folder (mkdir -p ${dirname(current)}) or remove the link (rm ${path}).`,
      );
    });
    const full = join(folder, basename(current));
    const info = await lstat(full).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw fsError(err, path, 'write');
    });
    if (!info?.isSymbolicLink()) return full;
    current = resolve(folder, await readlink(full));
  }
  throw fsError(Object.assign(new Error('too many links'), { code: 'ELOOP' }), path, 'write');
}

function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** ssh's rule for the folders of a secrets file (see {@link writeTarget}). */
async function checkFolders(path: string, folder: string): Promise<void> {
  const uid = myUid();
  if (uid === undefined) return; // Windows: no owners or modes to check.
  const home = await realpath(homedir()).catch(() => undefined);
  for (let dir = folder; ; dir = dirname(dir)) {
    const info = await stat(dir).catch((err: unknown) => {
      throw fsError(err, path, 'write');
    });
    const othersWrite = (info.mode & 0o022) !== 0;
    if (info.uid !== uid && info.uid !== 0) {
      throw usageError(
        `Cannot write ${path}: the folder ${dir} belongs to another user (uid ${info.uid}), who could replace the file.`,
        `Keep the file in a folder of your own, e.g. ~/.aws (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE).`,
      );
    }
    if (othersWrite && (dir === folder || (info.mode & 0o1000) === 0)) {
      throw usageError(
        `Cannot write ${path}: the folder ${dir} is writable by other users (mode ${octal(info.mode)}), who could replace the file.`,
        `Make it writable by you only: chmod go-w ${dir}`,
      );
    }
    if (dir === home || dir === dirname(dir) || !dir.includes(sep)) return;
  }
}

function checkFile(path: string, target: string, info: Stats): void {
  const uid = myUid();
  const shown = path === target ? path : `${path} (${target})`;
  if (!info.isFile()) {
    throw usageError(
      `Cannot write ${shown}: it is not a regular file.`,
      'Move it away, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file.',
    );
  }
  if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
    throw usageError(
      `Cannot write ${shown}: it belongs to another user (uid ${info.uid}).`,
      `Use a file of your own, or make it yours: sudo chown ${uid} ${target}`,
    );
  }
  if ((info.mode & 0o200) === 0) {
    throw usageError(
      `Cannot write ${shown}: it is read-only (mode ${octal(info.mode)}), so tempcreds leaves it as it is, as the AWS CLI does.`,
      `If tempcreds may change it: chmod 600 ${target}`,
    );
  }
}

/** `0644` for a mode. */
export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
