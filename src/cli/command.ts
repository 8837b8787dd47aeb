import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What a command's action resolves to: the process exit code. */
export type ExitCode = number;

/** A command module adds its command(s) to the program; its action reports an exit code. */
export type RegisterCommand = (program: Command, io: CliIo, setExitCode: (code: ExitCode) => void) => void;
