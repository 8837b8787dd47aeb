/**
 * What a killed sync leaves behind, and how the next one tells its own leftovers from someone
 * else's work in progress: partial downloads (`.tempcreds-*.part` beside the file they were to
 * become) and open multipart uploads (see uploadJournal.ts). Each is signed with the process that
 * made it (pid and a tag of the host name); a leftover is taken for dead when that process is
 * gone from this host, or when nothing has touched the leftover for a long time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isRunning } from '../config/liveProcess.js';

/** The process that made a leftover. */
export interface Writer {
  pid: number;
  /** {@link hostTag} of its host. */
  host: string;
}

/** A short, fixed-length tag of a host name (8 hex digits), to tell "this host" in a file name. */
export function hostTag(name: string = hostname()): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 8);
}

/** This process, as it signs what it leaves while it works. */
export function thisWriter(): Writer {
  return { pid: process.pid, host: hostTag() };
}

/**
 * Temporary files of downloads: `.tempcreds-<pid>-<host tag>-<16 hex>.part`, or from releases
 * before the signature `.tempcreds-<16 hex>.part`. Never listed, uploaded or counted by a sync.
 */
export const PART_FILE = /^\.tempcreds-(?:(\d{1,10})-([0-9a-f]{8})-)?[0-9a-f]{16}\.part$/;

/** A new temporary file name for a download by `writer`. */
export function partFileName(writer: Writer = thisWriter()): string {
  return `.tempcreds-${writer.pid}-${writer.host}-${randomBytes(8).toString('hex')}.part`;
}

/** Who wrote a temporary file, from its name; undefined for an unsigned (older) one or another name. */
export function partFileWriter(name: string): Writer | undefined {
  const match = PART_FILE.exec(name);
  return match?.[1] && match[2] ? { pid: Number(match[1]), host: match[2] } : undefined;
}

/** What {@link writerGone} knows of the world: this process, who is alive, and the time. */
export interface Liveness {
  self: Writer;
  isAlive(pid: number): boolean;
  now: number;
}

/** The world as it is now: this process and host, `isAlive`, the clock. */
export function liveness(): Liveness {
  return { self: thisWriter(), isAlive: isRunning, now: Date.now() };
}

/**
 * Whether the writer of a leftover is gone, so the leftover may be removed: its process is dead
 * on this host, or nothing has touched the leftover for `staleAfterMs` (a writer of another host,
 * an unsigned leftover, or a pid since reused by another process).
 */
export function writerGone(
  writer: Writer | undefined,
  lastTouchedMs: number,
  staleAfterMs: number,
  world: Liveness,
): boolean {
  if (writer && writer.host === world.self.host && !world.isAlive(writer.pid)) return true;
  return world.now - lastTouchedMs > staleAfterMs;
}

/**
 * A download writes its temporary file as the bytes arrive, so one a day untouched has no live
 * writer: a stalled connection would have failed long before.
 */
export const PART_FILE_STALE_MS = 24 * 3600 * 1000;

/**
 * Removes a temporary download file that an earlier, killed run left (see {@link writerGone}):
 * only a regular file of this user with a tempcreds name. Returns whether it was removed; a file
 * that cannot be looked at or removed is left alone.
 */
export async function removeLeftoverPartFile(path: string, name: string, world: Liveness): Promise<boolean> {
  if (!PART_FILE.test(name)) return false;
  try {
    const stats = await lstat(path);
    const mine = process.getuid === undefined || stats.uid === process.getuid();
    if (!stats.isFile() || !mine) return false;
    if (!writerGone(partFileWriter(name), stats.mtimeMs, PART_FILE_STALE_MS, world)) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}
