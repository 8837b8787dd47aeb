import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { usageError } from '../errors.js';

/** What execvp (and so the spawn) searches when the environment has no PATH. */
const DEFAULT_PATH = '/usr/bin:/bin';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that `command` can be run, as `execvp` would find it: a name with a `/` is a path (from
 * `cwd`), any other name is looked up in `PATH`. Called before any credentials are fetched, so a
 * typo costs no STS call. On Windows (PATHEXT, `.cmd` shims) the check is left to the spawn.
 * Returns the path found.
 *
 * @throws TempcredsError (`usage`) naming the command when it is not an executable file.
 */
export function findCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (process.platform === 'win32') return command;
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : (env.PATH ?? DEFAULT_PATH).split(delimiter).map((dir) => join(resolve(cwd, dir || '.'), command));
  const found = candidates.find(isExecutableFile);
  if (found === undefined) {
    throw usageError(
      `cannot run ${command}: command not found`,
      command.includes('/')
        ? 'Check the path, and that the file is executable (chmod +x).'
        : 'Check the command name and PATH.',
    );
  }
  return found;
}
