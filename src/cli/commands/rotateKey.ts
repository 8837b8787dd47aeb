import type { Command } from 'commander';
import { validateProfileName } from '../../config/profileName.js';
import { usageError } from '../../errors.js';
import { validateUserName } from '../../iam/names.js';
import { DEFAULT_SOURCE_PROFILE } from '../../iam/runbookPolicy.js';
import type { RotateKeyEvent } from '../../iam/rotateKey.js';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { aligner } from '../format.js';
import { adminProfileName } from './setup.js';
import type { RegisterCommand } from '../command.js';

interface RotateKeyFlags {
  sourceProfile?: string;
  user?: string;
}

function eventRow(event: RotateKeyEvent): string[] {
  switch (event.type) {
    case 'created':
      return ['created', `new key ${event.accessKeyId}`];
    case 'written':
      return ['written', `${event.accessKeyId} into profile ${event.profile}`];
    case 'verified':
      return ['verified', `AWS accepts ${event.accessKeyId}`];
    case 'deactivated':
      return ['deactivated', `old key ${event.accessKeyId}`];
    case 'deleted':
      return ['deleted', `old key ${event.accessKeyId}`];
  }
}

export const registerRotateKey: RegisterCommand = (program: Command, io, setExitCode) => {
  program
    .command('rotate-key')
    .description(
      "replace the source profile's access key: new key, write, verify, then delete the old (administrator credentials)",
    )
    .option('--source-profile <profile>', `profile whose key is rotated (default ${DEFAULT_SOURCE_PROFILE})`)
    .option('--user <name>', "the key's IAM user (default: whoever the profile's key belongs to)")
    .action(
      action(io, setExitCode, async (ctx, flags: RotateKeyFlags) => {
        const sourceProfile = validateProfileName(
          flags.sourceProfile ?? DEFAULT_SOURCE_PROFILE,
          '--source-profile',
        );
        const userName = flags.user === undefined ? undefined : validateUserName(flags.user);
        if (sourceProfile === adminProfileName(ctx)) {
          throw usageError(
            `--source-profile ${sourceProfile} is also the administrator (--profile): rotate it with other administrator credentials.`,
            'Pass the administrator with --profile ADMIN.',
          );
        }
        const aws = await awsContextFor(ctx, {});
        const { rotateKey } = await import('../../iam/rotateKey.js');
        const line = aligner([['deactivated', '']]);
        const result = await rotateKey(
          { sourceProfile, userName },
          { aws, files: ctx.files, onEvent: (event) => void io.stdout.write(line(eventRow(event))) },
        );
        io.stdout.write(
          `Rotated user ${result.userName}'s key in profile ${result.profile}: ${result.oldAccessKeyId} -> ${result.newAccessKeyId}` +
            (result.oldKeyDeleted ? '.\n' : ` (the old key was no longer in IAM).\n`),
        );
      }),
    );
};
