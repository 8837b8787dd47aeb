import type { Command } from 'commander';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import {
  addRunbookNameOptions,
  adminProfileName,
  parseRunbookNames,
  type RunbookNameFlags,
} from './setup.js';
import { aligner } from '../format.js';
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
        const aws = await awsContextFor(ctx, {});
        const { applyTeardown, observeTeardown, planTeardown, teardownStepLabel } =
          await import('../../iam/teardown.js');
        const deps = { aws, files: ctx.files };
        const plan = planTeardown(await observeTeardown(input, deps), input);
        io.stdout.write(`Teardown in account ${plan.accountId} (${plan.partition}):\n`);
        const rows = plan.steps.map((step) => [...teardownStepLabel(step), step.state]);
        const line = aligner(rows);
        io.stdout.write(rows.map(line).join(''));
        for (const step of plan.steps)
          if (step.reason && step.state === 'kept')
            io.stdout.write(`note: ${teardownStepLabel(step).join(' ')} kept: ${step.reason}.\n`);
        const pending = plan.steps.filter((step) => step.state === 'remove').length;
        if (pending === 0) {
          io.stdout.write('Nothing to do.\n');
          return;
        }
        if (!flags.yes) {
          io.stdout.write('Nothing was changed: run again with --yes to apply.\n');
          return;
        }
        await applyTeardown(plan, deps, (step) =>
          io.stdout.write(line([...teardownStepLabel(step), 'removed'])),
        );
        io.stdout.write(`Done: ${pending} removed.\n`);
      }),
    );
};
