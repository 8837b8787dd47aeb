import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { cachedProcessCredentials } from '../../credentials/cachedProcessCredentials.js';
import { action } from '../action.js';
import {
  addSessionOptions,
  parseAssumeRequest,
  policyDocument,
  roleSessionFor,
  type AssumeFlags,
} from '../context.js';
import { processCacheKey } from '../credentialProcessArgs.cjs';
import type { RegisterCommand } from '../command.js';

interface CredentialProcessOptions extends AssumeFlags {
  roleArn: string;
}

export const registerCredentialProcess: RegisterCommand = (program: Command, io, setExitCode) => {
  addSessionOptions(program.command('credential-process'))
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
        // The key is built as the cache-hit fast path builds it (src/cli/credentialProcessArgs.cts).
        const key = processCacheKey({
          ...options,
          sourceProfile: options.sourceProfile ?? ctx.globals.profile,
          region: ctx.globals.region,
          endpointUrl: ctx.globals.endpointUrl,
          policy: options.policy === undefined ? undefined : policyDocument(options.policy, io.cwd),
        });
        const text = await cachedProcessCredentials(key, {
          env: io.env,
          warn: ctx.log.warn,
          assume: async () => (await roleSessionFor(ctx, request, options.sourceProfile)).first,
        });
        io.stdout.write(text);
      }),
    );
};
