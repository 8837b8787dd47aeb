/**
 * What `exec` hands its child: a role session (`exec ROLE`), or, with no ROLE, the credentials of
 * `--profile` itself (an IoT profile's session, a role profile's, ...).
 */
import type { Command } from 'commander';
import type { AwsCredentialIdentity } from '@smithy/types';
import { usageError } from '../errors.js';
import { credentialsEnv } from '../credentials/exportFormats.js';
import type { RefreshingProvider } from '../credentials/refreshing.js';
import type { AssumeRoleRequest } from '../credentials/assumeRoleRequest.js';
import { awsContextFor, roleSessionFor, type AssumeFlags, type CommandContext } from './context.js';

export interface ExecCredentials {
  region: string;
  provider: RefreshingProvider | (() => Promise<AwsCredentialIdentity>);
  /** The variables for a child that gets fixed keys. */
  fixedEnv(): Promise<Record<string, string>>;
}

/**
 * `exec [ROLE] -- COMMAND`: commander cannot tell `exec -- aws sts x` (no ROLE) from `exec aws --
 * sts x`, so the operands are compared with what came after `--` in the command line.
 */
export function splitExecOperands(
  command: Command,
  role: string | undefined,
  rest: string[],
): { role: string | undefined; command: string[] } {
  const raw = (command.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? [];
  const dash = raw.indexOf('--');
  if (role === undefined || dash < 0) return { role, command: rest };
  const afterDash = raw.slice(dash + 1);
  const operands = [role, ...rest];
  const noRole = operands.length === afterDash.length && operands.every((word, i) => word === afterDash[i]);
  return noRole ? { role: undefined, command: operands } : { role, command: rest };
}

/** The credentials for the child, from ROLE or from the profile. */
export async function execCredentials(
  ctx: CommandContext,
  request: AssumeRoleRequest | undefined,
  flags: AssumeFlags,
  minTtlSeconds: number | undefined,
): Promise<ExecCredentials> {
  if (request !== undefined) {
    const session = await roleSessionFor(ctx, request, flags.sourceProfile, minTtlSeconds);
    return {
      region: session.region,
      provider: session.provider,
      fixedEnv: async () => credentialsEnv({ ...session.first, region: session.region }),
    };
  }
  const given = (
    ['sourceProfile', 'sessionName', 'duration', 'externalId', 'mfaSerial', 'tokenCode'] as const
  ).find((flag) => flags[flag] !== undefined);
  if (given) {
    throw usageError(
      `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with ROLE.`,
      'Use: tempcreds exec ROLE [options] -- COMMAND, or tempcreds exec --profile P -- COMMAND for the profile itself.',
    );
  }
  const aws = await awsContextFor(ctx);
  const provider = aws.credentials;
  return {
    region: aws.region,
    provider: provider as ExecCredentials['provider'],
    fixedEnv: async () => {
      const c = await provider();
      ctx.log.redactor.add(c.secretAccessKey, c.sessionToken);
      if (c.sessionToken && c.expiration)
        return credentialsEnv({
          credentials: { ...c, sessionToken: c.sessionToken, expiration: c.expiration },
          region: aws.region,
        });
      return {
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
        AWS_REGION: aws.region,
        AWS_DEFAULT_REGION: aws.region,
      };
    },
  };
}
