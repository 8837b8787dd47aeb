import type { Command } from 'commander';
import { commandContext, type CommandContext } from './context.js';
import type { CliIo } from './io.js';
import type { ExitCode } from './command.js';

/**
 * Adapts a command function `(ctx, ...positionals, options, command)` to a commander action: builds
 * the context from the global options and reports the function's exit code (0 when it returns
 * nothing). Most functions stop at `options`; the commander Command comes last for those that need it.
 */
export function action<Args extends unknown[]>(
  io: CliIo,
  setExitCode: (code: ExitCode) => void,
  fn: (ctx: CommandContext, ...args: Args) => Promise<ExitCode | void>,
) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const ctx = commandContext(io, command);
    const code = await fn(ctx, ...(args as Args));
    setExitCode(code ?? 0);
  };
}
