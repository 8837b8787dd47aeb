import { createInterface } from 'node:readline/promises';
import type { CliIo } from './io.js';

/** Asks one question on the terminal (stderr), or returns undefined when there is no terminal. */
export async function ask(io: CliIo, question: string): Promise<string | undefined> {
  if (!io.stdin.isTTY || !io.stderr.isTTY) return undefined;
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** The MFA prompt for assume: undefined when not interactive, so the library reports a usage error. */
export function tokenCodePrompt(io: CliIo): ((serial: string) => Promise<string>) | undefined {
  if (!io.stdin.isTTY || !io.stderr.isTTY) return undefined;
  return async (serial) => (await ask(io, `MFA code for ${serial}: `)) ?? '';
}

/** Yes/no on a terminal; `undefined` when there is no terminal to ask on. */
export async function confirm(io: CliIo, question: string): Promise<boolean | undefined> {
  const answer = await ask(io, `${question} [y/N] `);
  return answer === undefined ? undefined : /^y(es)?$/i.test(answer.trim());
}
