/**
 * `tempcreds console` as one call: the browser checked before any call to AWS, the sign-in URL
 * built, then handed to the browser through the one-shot local link, or given back for `--print`.
 */
import { usageError } from '../errors.js';
import { findCommand } from '../exec/findCommand.js';
import { browserCommands } from './browser.js';
import { openInBrowser, type RefusedRequest, type SpawnBrowser } from './handoff.js';
import { consoleSignIn, type ConsoleSignIn, type ConsoleSignInOptions } from './signIn.js';

/** What {@link signInToConsole} takes: the sign-in, and whether and how to open a browser. */
export interface SignInToConsoleOptions extends ConsoleSignInOptions {
  /** Open the console in the browser (`BROWSER`, else the system's opener); false gives the URL back only. */
  open: boolean;
  /** Where a relative `BROWSER` command is found from (default `process.cwd()`). */
  cwd?: string;
  /** Told of each request the one-shot link turned away (another user's process, a foreign Host, ...). */
  onRefused?: (refused: RefusedRequest) => void;
  /** How the browser is started (default `child_process.spawn`). */
  spawn?: SpawnBrowser;
  /** Debug lines (`--debug`): what was done, never the URL, its token or the session's keys. */
  debug?: (message: string) => void;
}

/** The sign-in, and the command that opened it when a browser was opened. */
export interface ConsoleSession extends ConsoleSignIn {
  /** The browser command that took the one-shot link; absent when `open` was false. */
  browser?: string;
}

/**
 * Signs in to the AWS console of the session's partition. With `open`, a browser command must
 * exist before anything is asked of AWS (else a usage error), and the sign-in URL reaches the
 * browser only through a one-shot 127.0.0.1 link, never on a command line. Without `open`, the
 * caller gets the URL (`url`): it signs in whoever holds it for 15 minutes.
 */
export async function signInToConsole(options: SignInToConsoleOptions): Promise<ConsoleSession> {
  const env = options.source.env;
  if (options.open) checkBrowser(env, options.cwd ?? process.cwd());
  const signIn = await consoleSignIn(options);
  options.debug?.(
    `sign-in token for ${signIn.arn} (${signIn.origin}${signIn.consoleSeconds ? `, console session ${signIn.consoleSeconds} s` : ''}), landing on ${signIn.destination}`,
  );
  if (!options.open) return signIn;
  const browser = await openInBrowser(signIn.url, {
    commands: (localUrl) => browserCommands(localUrl, env),
    env,
    onRefused: options.onRefused,
    spawn: options.spawn,
  });
  return { ...signIn, browser };
}

/** Some browser command must exist, or there is no way to hand the URL over: say so before any call. */
function checkBrowser(env: NodeJS.ProcessEnv, cwd: string): void {
  const commands = browserCommands('http://127.0.0.1/', env);
  const found = commands.some(({ command }) => {
    try {
      findCommand(command, env, cwd);
      return true;
    } catch {
      return false;
    }
  });
  if (found) return;
  const names = commands.map((c) => c.command).join(', ');
  throw usageError(
    `No browser to open the console with: ${names} ${commands.length > 1 ? 'are' : 'is'} not installed.`,
    env.BROWSER
      ? 'Fix BROWSER (commands separated by ":"), or use --print and open the URL yourself.'
      : "Set BROWSER to your browser's command (BROWSER=firefox), or use --print and open the URL yourself.",
  );
}
