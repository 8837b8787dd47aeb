/**
 * `--policy JSON|file://PATH`, read as the AWS CLI reads its `file://` arguments (a path relative
 * to the working directory, `~/` for the home folder). CommonJS with Node built-ins only: the
 * credential-process cache hit reads the document too, since its cache key holds it.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

export type PolicyArgument = { text: string } | { error: string };

/** The policy document a `--policy` value stands for, or why it cannot be read. */
export function readPolicyArgument(value: string, cwd: string): PolicyArgument {
  if (!value.startsWith('file://')) return { text: value };
  const given = value.slice('file://'.length);
  const path = given.startsWith('~/') ? resolve(homedir(), given.slice(2)) : resolve(cwd, given);
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { error: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
}
