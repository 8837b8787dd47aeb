import { createHash } from 'node:crypto';
import { fstatSync, readSync, statSync, type BigIntStats } from 'node:fs';

/*
 * A followed file is known by its device, its inode and a fingerprint of its first bytes: the inode
 * alone is reused once a file is deleted, and a path is no identity at all once files rotate.
 */

/** Bytes of a file's start that its fingerprint covers (fewer while the file is shorter). */
export const FINGERPRINT_BYTES = 1024;

export interface FileIdentity {
  dev: string;
  ino: string;
}

export const identityKey = (id: FileIdentity): string => `${id.dev}:${id.ino}`;

export function identityOf(stat: BigIntStats): FileIdentity {
  return { dev: stat.dev.toString(), ino: stat.ino.toString() };
}

/** The identity and size of the file at `path`, or undefined when there is no regular file there. */
export function statPath(path: string): { id: FileIdentity; size: number } | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return stat.isFile() ? { id: identityOf(stat), size: Number(stat.size) } : undefined;
  } catch {
    return undefined;
  }
}

export function statFd(fd: number): { id: FileIdentity; size: number; linked: boolean } {
  const stat = fstatSync(fd, { bigint: true });
  return { id: identityOf(stat), size: Number(stat.size), linked: stat.nlink > 0n };
}

/** sha256 (hex) of the first `length` bytes of an open file, and how many there were. */
export function fingerprint(fd: number, length = FINGERPRINT_BYTES): { fpLen: number; fp: string } {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, got);
    if (n === 0) break;
    got += n;
  }
  return { fpLen: got, fp: createHash('sha256').update(buf.subarray(0, got)).digest('hex') };
}

/** True when the open file still starts with the bytes a checkpoint saw. */
export function sameStart(fd: number, checkpoint: { fpLen: number; fp: string }): boolean {
  const now = fingerprint(fd, checkpoint.fpLen);
  return now.fpLen === checkpoint.fpLen && now.fp === checkpoint.fp;
}
