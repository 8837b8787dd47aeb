import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fsError } from './fsErrors.js';
import { isRunning } from './liveProcess.js';

/**
 * This machine in a temporary file's name: a short hash of the host name, so that a file left
 * by a process on another machine sharing the folder is not judged by a pid of this one.
 */
function hostTag(): string {
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
}

/**
 * `credentials.tempcreds-<host>-<pid>-<random>.tmp`: beside the file (rename needs the same disk),
 * and recognisably ours. @internal exported for the crash tests.
 */
export function tempPath(target: string, pid = process.pid): string {
  return `${target}.tempcreds-${hostTag()}-${pid}-${randomBytes(4).toString('hex')}.tmp`;
}

/** Temporary files of another machine are left this long before they count as abandoned. */
const FOREIGN_STALE_MS = 10 * 60_000;

/**
 * Removes the temporary copies of `target` that an earlier tempcreds left when it was killed
 * mid-write (each a full copy of the file's secrets): only files named as {@link writeAtomically}
 * names them, and only when the process that wrote one is gone (this machine: no such pid;
 * another machine: untouched for 10 minutes). Call it holding the file's lock, when no live
 * writer can be between creating and renaming its temporary file. Returns the paths removed.
 */
export async function removeAbandonedTemps(target: string): Promise<string[]> {
  // The file's own temporary copies, and those of its lock (see fileLock.ts).
  const pattern = new RegExp(
    `^${escapeRegExp(basename(target))}(?:\\.lock(?:\\.takeover)?)?\\.tempcreds-([0-9a-f]{8})-(\\d+)-[0-9a-f]{8}\\.tmp$`,
  );
  const folder = dirname(target);
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const [, host, pid] = pattern.exec(name) ?? [];
    if (host === undefined) continue;
    const path = join(folder, name);
    const abandoned =
      host === hostTag()
        ? !isRunning(Number(pid))
        : await stat(path).then(
            (info) => Date.now() - info.mtimeMs > FOREIGN_STALE_MS,
            () => false,
          );
    if (abandoned) {
      await rm(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces `target` with `text` so that no reader ever sees half a file and a crash leaves the
 * old file or the new one: a new temporary file (mode `mode`, whatever the umask), fsync, then
 * `beforeRename` (a last check that may throw), rename over the target, fsync of the folder.
 * The temporary file is removed when anything fails.
 */
export async function writeAtomically(
  target: string,
  text: string,
  mode: number,
  beforeRename: () => Promise<void>,
  shownPath = target,
): Promise<void> {
  const temp = tempPath(target);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeRename();
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fsError(err, shownPath, 'write');
  }
  await syncFolder(dirname(target));
}

/** Makes the rename itself durable; not every system can open a folder, which is fine. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
