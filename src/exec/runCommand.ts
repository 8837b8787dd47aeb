import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { TempcredsError } from '../errors.js';

/** How a child process ended: by exiting (`code`) or by a signal (`signal`). */
export interface ChildResult {
  /** The child's exit code, or undefined when a signal ended it. */
  code: number | undefined;
  /** The signal that ended the child (`SIGTERM`, ...), or undefined when it exited. */
  signal: NodeJS.Signals | undefined;
}

/** Signals a supervisor passes on, so `kill` and Ctrl-C reach the work, not just tempcreds. */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Runs a command with its own environment and inherited stdio, forwarding signals, and resolves
 * with how it ended. Nothing secret goes into its arguments: credentials travel in `env` only.
 */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const missing = err.code === 'ENOENT';
      reject(
        new TempcredsError(`cannot run ${command}: ${missing ? 'command not found' : err.message}`, {
          kind: missing ? 'usage' : 'failed',
          fix: missing ? 'Check the command name and PATH.' : undefined,
        }),
      );
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve({ code: code ?? undefined, signal: signal ?? undefined });
    });
  });
}

/** The shell convention for a death by signal: 128 + the signal number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
