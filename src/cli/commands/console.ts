import type { Command } from 'commander';
import { parseDuration, type DurationRequest } from '../../credentials/duration.js';
import { usageError } from '../../errors.js';
import type { RefusedRequest } from '../../console/handoff.js';
import { action } from '../action.js';
import {
  addAssumeOptions,
  parseAssumeRequest,
  sourceInitFor,
  type AssumeFlags,
  type CommandContext,
} from '../context.js';
import type { RegisterCommand } from '../command.js';

interface ConsoleFlags extends AssumeFlags {
  destination?: string;
  print?: boolean;
}

export const registerConsole: RegisterCommand = (program: Command, io, setExitCode) => {
  addAssumeOptions(
    program
      .command('console [role]')
      .description(
        "sign in to the AWS console of the session's partition, in your browser (BROWSER honoured)",
      ),
  )
    .option(
      '--destination <url|service>',
      'console page to open: a console URL, or a service (s3, firehose, ...)',
    )
    .option('--print', 'print the sign-in URL instead (it signs in whoever holds it for 15 minutes)')
    .action(
      action(io, setExitCode, async (ctx, role: string | undefined, options: ConsoleFlags) => {
        const request = role === undefined ? undefined : parseAssumeRequest(ctx, role, options);
        const durationSeconds = role === undefined ? profileDuration(options) : undefined;
        const { signInToConsole } = await import('../../console/signInToConsole.js');
        const session = await signInToConsole({
          source: sourceInitFor(ctx, role === undefined ? undefined : options.sourceProfile),
          request,
          durationSeconds,
          destination: options.destination,
          open: !options.print,
          cwd: ctx.io.cwd,
          onRefused: (refused) => reportRefused(ctx, refused),
          debug: ctx.log.debug,
        });
        const lasting =
          session.consoleSeconds === undefined ? '' : `; console session ${hours(session.consoleSeconds)}`;
        if (options.print) {
          io.stdout.write(`${session.url}\n`);
          io.stderr.write(
            `Sign-in URL for ${session.arn} (${session.partition} console${lasting}): it signs in whoever holds it for 15 minutes, so do not share or store it.\n`,
          );
          return;
        }
        io.stderr.write(
          `Signed in to the ${session.partition} console as ${session.arn} in your browser (${session.browser})${lasting}.\n`,
        );
      }),
    );
};

/** Without ROLE, only `--duration` of the assume flags applies: the profile's own session signs in. */
function profileDuration(options: ConsoleFlags): DurationRequest | undefined {
  const { duration, destination: _d, print: _p, ...rest } = options;
  const roleOnly = Object.entries(rest).find(([, value]) => value !== undefined);
  if (roleOnly) {
    const flag = `--${roleOnly[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError(
      `${flag} goes with ROLE: without it the profile's own session signs in.`,
      `Add the role: tempcreds console ROLE ${flag} ..., or leave ${flag} out.`,
    );
  }
  return duration === undefined ? undefined : parseDuration(duration, '--duration');
}

function reportRefused(ctx: CommandContext, refused: RefusedRequest): void {
  if (refused.reason === 'user') {
    ctx.log.warn(
      `A process of another user (uid ${refused.uid}) asked for the one-time sign-in link and was refused: someone on this machine read your browser's command line.`,
    );
  } else if (refused.reason === 'host') {
    ctx.log.warn(
      'A request for the sign-in link named another host (a web page trying DNS rebinding?) and was refused.',
    );
  } else {
    ctx.log.debug(`the sign-in link's server refused a request (${refused.reason})`);
  }
}

/** `1h`, `12h`, `1h 30m`, `15m`. */
function hours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : ''].filter(Boolean).join(' ') || `${seconds}s`;
}
