import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usageError } from '../errors.js';
import type { Direction } from './entry.js';

/** `EACCES`, `ENOTDIR`, ...: the system's code of a file-system error. */
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

async function canAccess(path: string, mode: number): Promise<string | undefined> {
  try {
    await access(path, mode);
    return undefined;
  } catch (err) {
    return codeOf(err);
  }
}

/** The nearest folder above `path` that exists (for a download root that is not there yet). */
async function nearestExisting(path: string): Promise<{ path: string; isFolder: boolean }> {
  for (let at = dirname(path); ; at = dirname(at)) {
    try {
      return { path: at, isFolder: (await stat(at)).isDirectory() };
    } catch (err) {
      if (dirname(at) === at || codeOf(err) !== 'ENOENT') return { path: at, isFolder: false };
    }
  }
}

/** Downloads into a folder that is not there yet: it must be possible to make it. */
async function checkCreatable(root: string): Promise<void> {
  const above = await nearestExisting(root);
  if (!above.isFolder) {
    throw usageError(`${root} cannot be a folder: ${above.path} is not a folder.`, 'Download into a folder.');
  }
  const denied = await canAccess(above.path, constants.W_OK | constants.X_OK);
  if (denied) {
    throw usageError(
      `${root} cannot be made: ${above.path} is not writable (${denied}).`,
      `Download into a folder you can write, or make ${above.path} writable (chmod u+wx ${above.path}).`,
    );
  }
}

/**
 * Checks the local end of a sync before anything is listed or moved, so that a folder the sync
 * cannot use is one clear usage error (exit 2, nothing changed) instead of a failure per file,
 * or worse, an unreadable source taken for an empty one (which `--delete` would mirror).
 * Uploads need a folder that can be read; downloads a folder that can be written, or a place
 * where one can be made. Returns whether the folder exists.
 */
export async function checkLocalRoot(direction: Direction, root: string): Promise<'folder' | 'missing'> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(root)).isDirectory();
  } catch (err) {
    if (direction === 'upload') {
      const missing = codeOf(err) === 'ENOENT';
      throw usageError(
        `${root} ${missing ? 'does not exist' : `cannot be read (${codeOf(err)})`}.`,
        'Sync from a folder.',
      );
    }
    await checkCreatable(root);
    return 'missing';
  }
  if (!isFolder) {
    throw direction === 'upload'
      ? usageError(`${root} is not a folder.`, 'Sync from a folder.')
      : usageError(`${root} is not a folder.`, 'Download into a folder (it is created if missing).');
  }
  const denied =
    direction === 'upload'
      ? await canAccess(root, constants.R_OK | constants.X_OK)
      : await canAccess(root, constants.W_OK | constants.X_OK);
  if (denied && direction === 'upload') {
    throw usageError(
      `${root} is not readable (${denied}): there is nothing to sync from.`,
      `Sync from a folder you can read, or make it readable (chmod u+rx ${root}).`,
    );
  }
  if (denied) {
    throw usageError(
      `${root} is not writable (${denied}): nothing can be downloaded into it.`,
      `Download into a folder you can write, or make it writable (chmod u+wx ${root}).`,
    );
  }
  return 'folder';
}
