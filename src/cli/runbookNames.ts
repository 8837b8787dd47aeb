/**
 * The flags that name the runbook's things (`--role`, `--user`, `--policy`, `--source-profile`),
 * shared by `setup`, `teardown` and `rotate-key`, and their checks: made before anything touches the
 * network or the disk, so bad input changes nothing.
 */
import type { Command } from 'commander';
import { parseRoleRef } from '../aws/arn.js';
import { validateProfileName } from '../config/profileName.js';
import { usageError } from '../errors.js';
import { validatePolicyName, validateUserName } from '../iam/names.js';
import { DEFAULT_POLICY_NAME, DEFAULT_SOURCE_PROFILE, DEFAULT_USER_NAME } from '../iam/runbookPolicy.js';
import type { RotateKeyInput } from '../iam/rotateKey.js';
import type { CommandContext } from './context.js';

/** The flags naming the runbook's things, shared by setup and teardown. */
export interface RunbookNameFlags {
  role: string;
  user?: string;
  policy?: string;
  sourceProfile?: string;
}

/** The runbook's names, checked. */
export interface RunbookNames {
  role: string;
  userName: string;
  policyName: string;
  sourceProfile: string;
}

/** The profile whose credentials the command runs with, as resolveSource picks it. */
export function adminProfileName(ctx: CommandContext): string | undefined {
  if (ctx.globals.profile) return ctx.globals.profile;
  if (ctx.io.env.AWS_PROFILE) return ctx.io.env.AWS_PROFILE;
  return ctx.io.env.AWS_ACCESS_KEY_ID ? undefined : 'default';
}

/** Adds `--role` (required, with its help), `--user`, `--policy` and `--source-profile`. */
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
export function parseRunbookNames(flags: RunbookNameFlags, adminProfile: string | undefined): RunbookNames {
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
    userName: validateUserName(flags.user ?? DEFAULT_USER_NAME, '--user'),
    policyName: validatePolicyName(flags.policy ?? DEFAULT_POLICY_NAME, '--policy'),
    sourceProfile,
  };
}

export interface RotateKeyFlags {
  sourceProfile?: string;
  user?: string;
}

/** `rotate-key`'s flags, checked: the profile whose key is rotated may not be the administrator's. */
export function parseRotateKeyInput(flags: RotateKeyFlags, adminProfile: string | undefined): RotateKeyInput {
  const sourceProfile = validateProfileName(
    flags.sourceProfile ?? DEFAULT_SOURCE_PROFILE,
    '--source-profile',
  );
  const userName = flags.user === undefined ? undefined : validateUserName(flags.user, '--user');
  if (sourceProfile === adminProfile) {
    throw usageError(
      `--source-profile ${sourceProfile} is also the administrator (--profile): rotate it with other administrator credentials.`,
      'Pass the administrator with --profile ADMIN.',
    );
  }
  return { sourceProfile, userName };
}
