import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** `/var/lib/tempcreds/agent` for root, else `$XDG_STATE_HOME/tempcreds/agent` (`~/.local/state/...`). */
export function defaultStateDir(env: NodeJS.ProcessEnv, uid: number | undefined, home = homedir()): string {
  if (uid === 0) return '/var/lib/tempcreds/agent';
  const base =
    env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/')
      ? env.XDG_STATE_HOME
      : join(home, '.local', 'state');
  return join(base, 'tempcreds', 'agent');
}

interface Mount {
  point: string;
  type: string;
  readOnly: boolean;
}

/** The mounts of this machine (Linux `/proc/self/mounts`); empty elsewhere. */
function mounts(): Mount[] {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, point = '', type = '', options = ''] = line.split(' ');
        const unescaped = point.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
        return { point: unescaped, type, readOnly: options.split(',').includes('ro') };
      });
  } catch {
    return [];
  }
}

/** The mount a path is on: the longest mount point that contains it. */
export function mountOf(path: string, all: Mount[] = mounts()): Mount | undefined {
  const abs = resolve(path);
  return all
    .filter((m) => abs === m.point || abs.startsWith(m.point.endsWith('/') ? m.point : `${m.point}/`))
    .sort((a, b) => b.point.length - a.point.length)[0];
}

/** True when `path` is on a tmpfs or ramfs: what is there is gone after a reboot. */
export function isVolatile(path: string): boolean {
  const type = mountOf(path)?.type;
  return type === 'tmpfs' || type === 'ramfs';
}

/**
 * Why the agent could not keep its state in `dir`, or undefined when it can: the folder exists
 * and is writable, or its nearest existing ancestor is a writable folder (it will be created).
 * Writes nothing.
 */
export function stateDirProblem(dir: string): string | undefined {
  let probe = dir;
  for (;;) {
    let stat;
    try {
      stat = statSync(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${probe} cannot be read (${code})`;
      if (dirname(probe) === probe) return `${probe} does not exist`;
      probe = dirname(probe);
      continue;
    }
    if (!stat.isDirectory()) return `${probe} is not a folder`;
    if (mountOf(probe)?.readOnly) return `${probe} is on a read-only file system`;
    try {
      accessSync(probe, constants.W_OK | constants.X_OK);
    } catch {
      return `${probe} is not writable by this user`;
    }
    return undefined;
  }
}
