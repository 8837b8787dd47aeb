import type { Command } from 'commander';
import { parseMaxSessionDuration } from '../../iam/names.js';
import type { SetupInput } from '../../iam/setupPlan.js';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { setupPrinter } from '../iamOutput.js';
import { confirm } from '../prompt.js';
import {
  addRunbookNameOptions,
  adminProfileName,
  parseRunbookNames,
  type RunbookNameFlags,
} from '../runbookNames.js';
import type { RegisterCommand } from '../command.js';

interface SetupFlags extends RunbookNameFlags {
  maxSessionDuration?: string;
  createRole?: boolean;
  dryRun?: boolean;
  yes?: boolean;
}

/** Every check that needs neither the network nor the disk, so bad input changes nothing. */
export function parseSetupInput(flags: SetupFlags, adminProfile: string | undefined): SetupInput {
  return {
    ...parseRunbookNames(flags, adminProfile),
    maxSessionDuration:
      flags.maxSessionDuration === undefined
        ? undefined
        : parseMaxSessionDuration(flags.maxSessionDuration, '--max-session-duration'),
    createRole: flags.createRole ?? false,
  };
}

export const registerSetup: RegisterCommand = (program: Command, io, setExitCode) => {
  addRunbookNameOptions(
    program
      .command('setup')
      .description(
        'runbook steps 1-4 with administrator credentials: policy, user, key in the source profile, role trust',
      ),
    'the role the user will assume (name or ARN)',
  )
    .option('--max-session-duration <seconds>', "set the role's MaxSessionDuration (3600..43200)")
    .option('--create-role', 'create the role (trusting the user) when it does not exist')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'apply without asking on a terminal')
    .action(
      action(io, setExitCode, async (ctx, flags: SetupFlags) => {
        const input = parseSetupInput(flags, adminProfileName(ctx));
        const aws = await awsContextFor(ctx);
        const { setup } = await import('../../iam/setup.js');
        const printer = setupPrinter(io.stdout);
        const ask = flags.yes ? undefined : async () => (await confirm(io, 'Apply these changes?')) ?? true;
        const result = await setup(
          input,
          { aws, files: ctx.files },
          { dryRun: flags.dryRun, confirm: ask, onEvent: printer.onEvent },
        );
        printer.end(result);
        if (result.outcome === 'declined') return 1;
        if (result.problem) throw result.problem;
      }),
    );
};
