import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { cachedProcessCredentials } from '../../credentials/cachedProcessCredentials.js';
import { action } from '../action.js';
import { parseAssumeRequest, roleSessionFor } from '../context.js';
import type { RegisterCommand } from '../command.js';

interface CredentialProcessOptions {
  roleArn: string;
  sourceProfile?: string;
  duration?: string;
  sessionName?: string;
  externalId?: string;
}

export const registerCredentialProcess: RegisterCommand = (program: Command, io, setExitCode) => {
  program
    .command('credential-process')
    .description(
      'print credential_process JSON for a role, from a shared disk cache (for credential_process = ...)',
    )
    .requiredOption('--role-arn <arn>', 'the role ARN')
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--duration <duration>', 'seconds, 15m, 1h, 12h or max')
    .option('--session-name <name>', 'RoleSessionName')
    .option('--external-id <id>', 'ExternalId')
    .action(
      action(io, setExitCode, async (ctx, options: CredentialProcessOptions) => {
        const request = parseAssumeRequest(ctx, options.roleArn, options);
        if (!request.role.roleArn) {
          throw usageError(
            `--role-arn needs a full ARN, not "${options.roleArn}".`,
            'Use arn:aws:iam::ACCOUNT:role/NAME.',
          );
        }
        const text = await cachedProcessCredentials(
          {
            roleArn: options.roleArn,
            sourceProfile: options.sourceProfile ?? ctx.globals.profile,
            duration: options.duration,
            sessionName: options.sessionName,
            externalId: options.externalId,
            region: ctx.globals.region,
            endpointUrl: ctx.globals.endpointUrl,
          },
          {
            env: io.env,
            warn: ctx.log.warn,
            assume: async () => (await roleSessionFor(ctx, request, options.sourceProfile)).first,
          },
        );
        io.stdout.write(text);
      }),
    );
};
