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
  type CommandContext,
} from '../context.js';
import { processCacheKey } from '../credentialProcessArgs.cjs';
import type { RegisterCommand } from '../command.js';

interface CredentialProcessOptions extends AssumeFlags {
  roleArn?: string;
}

/** `credential-process --profile P` alone: the session of IoT profile P, through the same disk cache. */
async function iotProcessCredentials(
  ctx: CommandContext,
  options: CredentialProcessOptions,
): Promise<string> {
  // Session options shape an AssumeRole; an IoT session is the certificate's role alias, as it is.
  const roleOnly = (
    [
      'sourceProfile',
      'duration',
      'sessionName',
      'externalId',
      'tag',
      'transitiveTagKey',
      'sourceIdentity',
      'policy',
      'policyArn',
    ] as const
  ).filter((o) => options[o] !== undefined);
  if (roleOnly.length > 0) {
    throw usageError(
      `--${roleOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --role-arn.`,
      'Add --role-arn ARN, or leave it out to print the session of an IoT profile (--profile P).',
    );
  }
  const profile = ctx.globals.profile ?? ctx.io.env.AWS_PROFILE;
  if (!profile) {
    throw usageError(
      'credential-process needs --role-arn, or --profile of an IoT profile.',
      'Use: tempcreds credential-process --profile DEVICE_PROFILE',
    );
  }
  return cachedProcessCredentials(
    { iotProfile: profile, region: ctx.globals.region, endpointUrl: ctx.globals.endpointUrl },
    {
      env: ctx.io.env,
      warn: ctx.log.warn,
      assume: async () => {
        const { iotProfileSession } = await import('../../iot/iotProfileSession.js');
        const credentials = await iotProfileSession(profile, {
          profile,
          region: ctx.globals.region,
          endpointUrl: ctx.globals.endpointUrl,
          env: ctx.io.env,
          files: ctx.files,
          warn: ctx.log.warn,
        });
        ctx.log.redactor.add(credentials.secretAccessKey, credentials.sessionToken);
        return { credentials };
      },
    },
  );
}

export const registerCredentialProcess: RegisterCommand = (program: Command, io, setExitCode) => {
  addSessionOptions(program.command('credential-process'))
    .description(
      'print credential_process JSON for a role, from a shared disk cache (for credential_process = ...)',
    )
    .option('--role-arn <arn>', 'the role ARN (without it: the session of --profile, an IoT profile)')
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--duration <duration>', 'seconds, 15m, 1h, 12h or max')
    .option('--session-name <name>', 'RoleSessionName')
    .option('--external-id <id>', 'ExternalId')
    .action(
      action(io, setExitCode, async (ctx, options: CredentialProcessOptions) => {
        if (options.roleArn === undefined)
          return void io.stdout.write(await iotProcessCredentials(ctx, options));
        const roleArn = options.roleArn;
        const request = parseAssumeRequest(ctx, roleArn, options);
        if (!request.role.roleArn) {
          throw usageError(
            `--role-arn needs a full ARN, not "${options.roleArn}".`,
            'Use arn:aws:iam::ACCOUNT:role/NAME.',
          );
        }
        // The key is built as the cache-hit fast path builds it (src/cli/credentialProcessArgs.cts).
        const key = processCacheKey({
          ...options,
          roleArn,
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
