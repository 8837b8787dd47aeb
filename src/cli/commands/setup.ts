import type { Command } from 'commander';
import { parseRoleRef } from '../../aws/arn.js';
import { validateProfileName } from '../../config/profileName.js';
import { TempcredsError, usageError } from '../../errors.js';
import { parseMaxSessionDuration, validatePolicyName, validateUserName } from '../../iam/names.js';
import { DEFAULT_POLICY_NAME, DEFAULT_SOURCE_PROFILE, DEFAULT_USER_NAME } from '../../iam/runbookPolicy.js';
import { stepLabel, type SetupInput, type SetupPlan } from '../../iam/setupPlan.js';
import type { SetupEvent } from '../../iam/setup.js';
import { action } from '../action.js';
import { awsContextFor, type CommandContext } from '../context.js';
import { aligner } from '../format.js';
import { confirm } from '../prompt.js';
import type { RegisterCommand } from '../command.js';

/** The flags naming the runbook's things, shared by setup and teardown. */
export interface RunbookNameFlags {
  role: string;
  user?: string;
  policy?: string;
  sourceProfile?: string;
}

interface SetupFlags extends RunbookNameFlags {
  maxSessionDuration?: string;
  createRole?: boolean;
  dryRun?: boolean;
  yes?: boolean;
}

/** The profile whose credentials the command runs with, as resolveSource picks it. */
export function adminProfileName(ctx: CommandContext): string | undefined {
  if (ctx.globals.profile) return ctx.globals.profile;
  if (ctx.io.env.AWS_PROFILE) return ctx.io.env.AWS_PROFILE;
  return ctx.io.env.AWS_ACCESS_KEY_ID ? undefined : 'default';
}

export function addRunbookNameOptions(command: Command, roleHelp: string): Command {
  return command
    .requiredOption('--role <role>', roleHelp)
    .option('--user <name>', `the assume-only IAM user (default ${DEFAULT_USER_NAME})`)
    .option('--policy <name>', `its managed policy (default ${DEFAULT_POLICY_NAME})`)
    .option(
      '--source-profile <profile>',
      `profile holding the user's key (default ${DEFAULT_SOURCE_PROFILE})`,
    );
}

/** Checks the names before anything touches the network or the disk, so bad input changes nothing. */
export function parseRunbookNames(flags: RunbookNameFlags, adminProfile: string | undefined) {
  parseRoleRef(flags.role);
  const sourceProfile = validateProfileName(
    flags.sourceProfile ?? DEFAULT_SOURCE_PROFILE,
    '--source-profile',
  );
  if (sourceProfile === adminProfile) {
    throw usageError(
      `--source-profile ${sourceProfile} is the administrator's profile (--profile): the user's key and the administrator's would mix.`,
      `Use another --source-profile (default ${DEFAULT_SOURCE_PROFILE}), or pass the administrator with --profile.`,
    );
  }
  return {
    role: flags.role,
    userName: validateUserName(flags.user ?? DEFAULT_USER_NAME),
    policyName: validatePolicyName(flags.policy ?? DEFAULT_POLICY_NAME),
    sourceProfile,
  };
}

/** Every check that needs neither the network nor the disk, so bad input changes nothing. */
export function parseSetupInput(flags: SetupFlags, adminProfile: string | undefined): SetupInput {
  return {
    ...parseRunbookNames(flags, adminProfile),
    maxSessionDuration:
      flags.maxSessionDuration === undefined ? undefined : parseMaxSessionDuration(flags.maxSessionDuration),
    createRole: flags.createRole ?? false,
  };
}

function planRows(plan: SetupPlan): string[][] {
  return plan.steps.map((step) => [...stepLabel(step), step.state]);
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
        const aws = await awsContextFor(ctx, {});
        const { setup } = await import('../../iam/setup.js');
        let line = aligner([]);
        const onEvent = (event: SetupEvent) => {
          if (event.type === 'plan') {
            const { plan } = event;
            const rows = planRows(plan);
            line = aligner(rows);
            io.stdout.write(`Setup in account ${plan.accountId} (${plan.partition}) for ${plan.roleArn}:\n`);
            io.stdout.write(rows.map(line).join('') + plan.notes.map((note) => `note: ${note}\n`).join(''));
          } else if (event.state === 'created' || event.state === 'updated') {
            io.stdout.write(line([...event.label, event.state]));
          }
        };
        const ask = flags.yes ? undefined : async () => (await confirm(io, 'Apply these changes?')) ?? true;
        const result = await setup(
          input,
          { aws, files: ctx.files },
          { dryRun: flags.dryRun, confirm: ask, onEvent },
        );
        const changes = result.applied.filter((a) => a.state === 'created' || a.state === 'updated').length;
        const messages = {
          'dry-run': 'Dry run: nothing was changed.',
          'nothing-to-do': 'Nothing to do.',
          declined: 'Not applied: nothing was changed.',
          applied: `Done: ${changes} change${changes === 1 ? '' : 's'}.`,
        };
        io.stdout.write(messages[result.outcome] + '\n');
        if (result.outcome === 'declined') return 1;
        const policy = result.plan.steps.find((s) => s.kind === 'policy');
        if (
          result.outcome !== 'dry-run' &&
          policy?.kind === 'policy' &&
          policy.state === 'differs' &&
          !policy.allowsAssumeRole
        ) {
          throw new TempcredsError(
            `Policy ${policy.policyName} does not allow sts:AssumeRole on the role: user ${input.userName} cannot assume it.`,
            {
              kind: 'failed',
              fix: `Make its default version the runbook's document (aws iam create-policy-version --policy-arn ${policy.policyArn} --set-as-default --policy-document ...), or use another --policy.`,
            },
          );
        }
      }),
    );
};
