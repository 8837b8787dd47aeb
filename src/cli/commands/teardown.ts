import type { Command } from 'commander';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { printTeardownPlan } from '../iamOutput.js';
import {
  addRunbookNameOptions,
  adminProfileName,
  parseRunbookNames,
  type RunbookNameFlags,
} from '../runbookNames.js';
import type { RegisterCommand } from '../command.js';

interface TeardownFlags extends RunbookNameFlags {
  yes?: boolean;
}

export const registerTeardown: RegisterCommand = (program: Command, io, setExitCode) => {
  addRunbookNameOptions(
    program
      .command('teardown')
      .description(
        'undo what setup made (trust principal, keys, user, policy) and nothing else; prints the plan unless --yes',
      ),
    'the role setup made trust the user (name or ARN)',
  )
    .option('--yes', 'apply the plan')
    .action(
      action(io, setExitCode, async (ctx, flags: TeardownFlags) => {
        const input = parseRunbookNames(flags, adminProfileName(ctx));
        const aws = await awsContextFor(ctx);
        const { applyTeardown, observeTeardown, planTeardown, teardownStepLabel } =
          await import('../../iam/teardown.js');
        const deps = { aws, files: ctx.files };
        const plan = planTeardown(await observeTeardown(input, deps), input);
        const removed = printTeardownPlan(io.stdout, plan, teardownStepLabel);
        const pending = plan.steps.filter((step) => step.state === 'remove').length;
        if (pending === 0) {
          io.stdout.write('Nothing to do.\n');
          return;
        }
        if (!flags.yes) {
          io.stdout.write('Nothing was changed: run again with --yes to apply.\n');
          return;
        }
        await applyTeardown(plan, deps, removed);
        io.stdout.write(`Done: ${pending} removed.\n`);
      }),
    );
};
