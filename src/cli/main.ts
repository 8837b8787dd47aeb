import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { commander } from './commander.js';
import { TempcredsError } from '../errors.js';
import { addGlobalOptions } from './context.js';
import { processIo, Redactor, type CliIo } from './io.js';
import { COMMANDS } from './commands/index.js';
import type { ExitCode } from './command.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the program; `setExitCode` receives each action's result. */
export function buildProgram(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new commander.Command('tempcreds')
    .description('Temporary AWS credentials: set up, assume, export, refresh, and use them.')
    .version(version(), '--version')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  addGlobalOptions(program);
  for (const register of COMMANDS) register(program, io, setExitCode);
  // Every (sub)command reports usage errors the same way, through exitOverride.
  const harden = (cmd: Command) => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    cmd.commands.forEach(harden);
  };
  program.commands.forEach(harden);
  return program;
}

/** Runs the CLI and returns the exit code (cli.md: 0 ok, 1 failed, 2 bad input, or a child's code). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  let exitCode: ExitCode = 0;
  const debug = argv.includes('--debug');
  try {
    const program = buildProgram(io, (code) => (exitCode = code));
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io, debug);
  }
}

function reportError(err: unknown, io: CliIo, debug: boolean): ExitCode {
  const redactor = new Redactor();
  const write = (line: string) => io.stderr.write(redactor.redact(line) + '\n');
  if (err instanceof commander.CommanderError) {
    // Help and --version end through here too, successfully.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    if (err.code === 'commander.help') return 0;
    // Commander has already printed its one-line message.
    return 2;
  }
  if (err instanceof TempcredsError) {
    write(`tempcreds: ${err.message}`);
    if (err.fix) write(`  fix: ${err.fix}`);
    if (debug && err.cause instanceof Error && err.cause.stack) write(err.cause.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`tempcreds: ${message}`);
  if (debug && err instanceof Error && err.stack) write(err.stack);
  return 1;
}
