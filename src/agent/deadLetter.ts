import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Records over Firehose's limit, with `oversize: deadLetter`: each goes to its own file in
 * `<stateDir>/dead-letter/<flow>/`, named after the file it came from and its offset there, so a
 * crash before the checkpoint moved on writes the same file again instead of a second copy. The
 * file is complete (written, synced, renamed into place) before the checkpoint passes the record.
 */

export interface DeadLetterPlace {
  dir: string;
  dev: string;
  ino: string;
}

export const deadLetterDir = (stateDir: string, flow: string): string => join(stateDir, 'dead-letter', flow);

const fileName = (p: DeadLetterPlace, offset: number) => join(p.dir, `${p.dev}-${p.ino}-${offset}.record`);

function writeAtomically(path: string, write: (fd: number) => void): void {
  const part = `${path}.part`;
  const fd = openSync(part, 'w', 0o600);
  try {
    write(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(part, path);
}

/** Writes one dead letter whose bytes are in memory; returns its path. */
export function writeDeadLetter(place: DeadLetterPlace, offset: number, data: Uint8Array): string {
  mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  const path = fileName(place, offset);
  writeAtomically(path, (fd) => writeSync(fd, data));
  return path;
}

/**
 * Streams a line longer than a read, from `offset` of the open file, to its dead-letter file. Returns
 * the bytes up to and including its newline, or undefined when the file ends before the line does
 * (nothing is kept: the line is streamed again once it is complete).
 */
export function streamLongLine(
  place: DeadLetterPlace,
  fd: number,
  offset: number,
  chunk: Buffer,
): { path: string; consumed: number } | undefined {
  mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  const path = fileName(place, offset);
  let consumed: number | undefined;
  try {
    writeAtomically(path, (out) => {
      for (let at = offset; ;) {
        const n = readSync(fd, chunk, 0, chunk.length, at);
        if (n === 0) throw new Incomplete();
        const lf = chunk.subarray(0, n).indexOf(0x0a);
        const body = lf === -1 ? n : lf > 0 && chunk[lf - 1] === 0x0d ? lf - 1 : lf;
        writeSync(out, chunk, 0, body);
        if (lf !== -1) {
          consumed = at + lf + 1 - offset;
          return;
        }
        at += n;
      }
    });
  } catch (err) {
    rmSync(`${path}.part`, { force: true });
    if (err instanceof Incomplete) return undefined;
    throw err;
  }
  return { path, consumed: consumed! };
}

class Incomplete extends Error {}
