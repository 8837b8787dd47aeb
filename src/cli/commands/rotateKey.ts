import type { Command } from 'commander';
import { DEFAULT_SOURCE_PROFILE } from '../../iam/runbookPolicy.js';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { rotateKeyPrinter } from '../iamOutput.js';
import { adminProfileName, parseRotateKeyInput, type RotateKeyFlags } from '../runbookNames.js';
import type { RegisterCommand } from '../command.js';

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
        const input = parseRotateKeyInput(flags, adminProfileName(ctx));
        const aws = await awsContextFor(ctx);
        const { rotateKey } = await import('../../iam/rotateKey.js');
        const printer = rotateKeyPrinter(io.stdout);
        printer.end(await rotateKey(input, { aws, files: ctx.files, onEvent: printer.onEvent }));
      }),
    );
};
