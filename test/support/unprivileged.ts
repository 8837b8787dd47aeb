/**
 * Permission failures (EACCES) for tests. Permission bits do not bind root, so when the tests run
 * as root the CLI runs as `nobody` and the files it must read are given to that user; as anyone
 * else the CLI runs as the tester, and the bits bind as they are.
 */
import { chown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const NOBODY = 65534;

/** `uid`/`gid` for runCli: `nobody` when the tests run as root, else nothing (run as the tester). */
export const unprivileged: { uid?: number; gid?: number } =
  process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

/** Makes `path` and everything below it the unprivileged user's (a no-op unless root). */
export async function giveToUnprivileged(path: string): Promise<void> {
  if (unprivileged.uid === undefined) return;
  await chown(path, NOBODY, NOBODY);
  if (!(await lstat(path)).isDirectory()) return;
  for (const name of await readdir(path)) await giveToUnprivileged(join(path, name));
}

/** Gives `path` back to root, so that the unprivileged user may no longer write it (a no-op unless root). */
export async function takeFromUnprivileged(path: string): Promise<void> {
  if (unprivileged.uid !== undefined) await chown(path, 0, 0);
}
