import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { TempcredsError } from '../errors.js';
import { fsError } from './fsErrors.js';
import { isRunning } from './liveProcess.js';
import { tempPath } from './atomicWrite.js';

/** A held lock on one file. */
export interface FileLock {
  /** Throws when another process has taken the lock over (it judged this one dead): write nothing then. */
  verify(): Promise<void>;
  /** Removes the lock file if it is still this lock's; safe to call more than once. */
  release(): Promise<void>;
}

/** Options of {@link lockFile}; the defaults suit the AWS files. */
export interface LockOptions {
  /** A lock whose holder cannot be checked is taken over when untouched this long (ms). */
  staleMs?: number;
  /** How long to wait for the lock before giving up (ms). */
  waitMs?: number;
  /** The file as the user knows it (a symbolic link, say), named in errors; default `target`. */
  shownPath?: string;
}

/** Who holds a lock: enough to tell, on the same machine, whether that process still runs. */
interface Owner {
  pid: number;
  host: string;
  /** The pid namespace (Linux): a pid means nothing in another container. */
  ns: string | undefined;
  /** Unique per acquisition, so that a lock is never mistaken for another one. */
  id: string;
}

function me(): Omit<Owner, 'id'> {
  let ns: string | undefined;
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    ns = undefined;
  }
  return { pid: process.pid, host: hostname(), ns };
}

/**
 * Takes the lock of `target` (the file `target.lock`, created exclusively and holding the owner's
 * pid, host and pid namespace). A lock whose holder is known dead (same host and namespace, no such
 * process: a tempcreds killed with SIGKILL) is taken over at once; one whose holder cannot be
 * checked (another machine sharing the folder, an older tempcreds whose lock is a folder) when it
 * has not been touched for `staleMs` (the holder touches it every `staleMs / 5`). Waiters poll
 * every 10 to 100 ms. Only one waiter at a time may take over (see `takeOverIfStale`).
 */
export async function lockFile(target: string, options: LockOptions = {}): Promise<FileLock> {
  const { staleMs = 10_000, waitMs = 30_000, shownPath = target } = options;
  const lockPath = `${target}.lock`;
  const owner: Owner = { ...me(), id: randomBytes(8).toString('hex') };
  const content = `${JSON.stringify(owner)}\n`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    // The lock is the first file a write creates: its error is the error of writing the file.
    const taken = await createExclusive(lockPath, content).catch((err: unknown) => {
      throw fsError(err, shownPath, 'write');
    });
    if (taken) break;
    if (await takeOverIfStale(lockPath, staleMs)) continue;
    if (Date.now() > deadline) {
      throw new TempcredsError(`Another process has held the lock on ${shownPath} for too long.`, {
        kind: 'failed',
        fix: `Retry; if no tempcreds is running, remove ${lockPath}`,
      });
    }
    await new Promise((done) => setTimeout(done, Math.min(100, 10 + attempt * 5) * (0.5 + Math.random())));
  }
  // Touched so that a waiter on another machine can tell this holder is alive.
  const timer = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, staleMs / 5);
  timer.unref();
  const held = async () => (await readFile(lockPath, 'utf8').catch(() => '')) === content;
  return {
    async verify() {
      if (!(await held())) {
        throw new TempcredsError(`Lost the lock on ${target} to another process; nothing written.`, {
          kind: 'failed',
          fix: 'Retry.',
        });
      }
    },
    async release() {
      clearInterval(timer);
      if (await held()) await rm(lockPath, { force: true });
    },
  };
}

interface Seen {
  text: string | undefined;
  ino: number;
  mtimeMs: number;
}

/** A lock whose holder is known dead, or that nobody has touched for `staleMs`. */
function abandoned(seen: Seen, staleMs: number): boolean {
  const owner = parseOwner(seen.text);
  const self = me();
  const dead =
    owner !== undefined && owner.host === self.host && owner.ns === self.ns && !isRunning(owner.pid);
  return dead || Date.now() - seen.mtimeMs >= staleMs;
}

/** The same acquisition: the id in the content is unique, the inode and time tell folder locks apart. */
function same(a: Seen, b: Seen): boolean {
  return a.text === b.text && a.ino === b.ino && a.mtimeMs === b.mtimeMs;
}

/** Guards are held for microseconds: one older than this was left by a killed process. */
const GUARD_STALE_MS = 2_000;

/**
 * Removes an abandoned lock; true when the caller should try to take the lock at once. Only the
 * holder of `lock.takeover` may remove one, and it looks again after judging: a lock whose holder
 * is dead cannot change any more (it cannot be released, a new one needs the path free, and a
 * second remover needs the guard), so the lock removed is the one judged.
 */
async function takeOverIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await inspect(lockPath);
  if (!seen) return true;
  if (!abandoned(seen, staleMs)) return false;
  const guard = `${lockPath}.takeover`;
  const content = `${JSON.stringify({ ...me(), id: randomBytes(8).toString('hex') })}\n`;
  if (!(await createExclusive(guard, content))) {
    await removeAbandonedGuard(guard);
    return false;
  }
  try {
    const now = await inspect(lockPath);
    if (!now) return true;
    if (!abandoned(now, staleMs)) return false;
    // Judged after reading: still the same lock now, so its holder was dead while holding it.
    const again = await inspect(lockPath);
    if (!again || !same(now, again)) return !again;
    await rm(lockPath, { recursive: true, force: true });
    return true;
  } finally {
    if ((await readFile(guard, 'utf8').catch(() => '')) === content) await rm(guard, { force: true });
  }
}

/** A guard left by a process killed while holding it: moved aside, and removed if it is still that one. */
async function removeAbandonedGuard(guard: string): Promise<void> {
  const seen = await inspect(guard);
  if (!seen || !abandoned(seen, GUARD_STALE_MS)) return;
  const aside = tempPath(guard);
  if (
    !(await rename(guard, aside).then(
      () => true,
      () => false,
    ))
  )
    return;
  const moved = await inspect(aside);
  // Not the one judged (a new guard came meanwhile): put it back if its place is still free.
  if (moved && !same(moved, seen)) await link(aside, guard).catch(() => undefined);
  await rm(aside, { force: true });
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `path` holding `content`, or returns false when it exists. The content goes into a file
 * of its own first, which is then linked into place (atomic, and refused when the path exists), so
 * that nobody ever sees the lock empty: a holder killed in between leaves no lock without a pid.
 * Where the file system has no hard links: an exclusive create, then the write.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    return false;
  const staged = tempPath(path);
  await writeFile(staged, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(staged, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw err;
    return writeFile(path, content, { flag: 'wx', mode: 0o600 }).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false;
        throw e;
      },
    );
  } finally {
    await rm(staged, { force: true });
  }
}

async function inspect(path: string): Promise<Seen | undefined> {
  try {
    const info = await stat(path);
    const text = info.isFile() ? await readFile(path, 'utf8') : undefined;
    return { text, ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(err, path, 'read');
  }
}

function parseOwner(text: string | undefined): Owner | undefined {
  try {
    const owner = JSON.parse(text ?? '') as Partial<Owner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') return owner as Owner;
  } catch {
    // An empty lock (its holder was killed between creating and writing it): judged by age.
  }
  return undefined;
}
