/** Files told apart by what they are, not by how they are named: a symlink or a hard link is the same file. */

/** A file's identity: its device and inode (`stat`). */
export interface FileIdentity {
  /** The device the file is on. */
  dev: number;
  /** Its inode on that device. */
  ino: number;
}

export const identityOf = (stats: FileIdentity): FileIdentity => ({ dev: stats.dev, ino: stats.ino });

export const sameFile = (a: FileIdentity, b: FileIdentity | undefined): boolean =>
  b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** What went wrong with a path, in a few words for a message (not Node's `EISDIR: illegal operation ...`). */
export function fileProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'there is no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of its path is not a folder';
    case 'ELOOP':
      return 'its symbolic links go round in a loop';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
