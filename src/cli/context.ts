import type { Command } from 'commander';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsFiles, type AwsFiles } from '../config/paths.js';
import { usageError } from '../errors.js';
import { isRegionName } from '../aws/partition.js';
import { parseRoleRef } from '../aws/arn.js';
import { validateSessionName } from '../credentials/sessionName.js';
import type { AwsContext } from '../aws/clients.js';
import { parseDuration, type DurationRequest } from '../credentials/duration.js';
import { validateMfaSerial } from '../credentials/mfa.js';
import type { Source } from '../credentials/sources.js';
import type { RoleSession } from '../credentials/roleSession.js';
import { createLogger, type CliIo, type Logger } from './io.js';
import { tokenCodePrompt } from './prompt.js';

/** The options every command takes (cli.md "Global options"). */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  output?: 'json' | 'text';
  debug?: boolean;
}

/** What a command's action gets: parsed globals, the process's streams, a logger, the AWS files. */
export interface CommandContext {
  io: CliIo;
  globals: GlobalOptions;
  log: Logger;
  files: AwsFiles;
  /** `--output`, or json when stdout is not a terminal, text when it is. */
  output: 'json' | 'text';
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      '--profile <name>',
      'profile whose credentials the command uses (default: AWS_PROFILE, then default)',
    )
    .option('--region <region>', 'region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile region)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (e.g. a local AWS)')
    .option('--output <format>', 'json or text (default: text on a terminal, json otherwise)')
    .option('--debug', 'verbose log on stderr, secrets redacted');
}

export function commandContext(io: CliIo, command: Command): CommandContext {
  const globals = command.optsWithGlobals() as GlobalOptions;
  if (globals.output !== undefined && globals.output !== 'json' && globals.output !== 'text') {
    throw usageError(
      `--output "${globals.output}" is not json or text.`,
      'Use --output json or --output text.',
    );
  }
  if (globals.region !== undefined && !isRegionName(globals.region)) {
    throw usageError(
      `--region "${globals.region}" is not a region name.`,
      'Use a region such as cn-northwest-1 or eu-west-1.',
    );
  }
  if (globals.endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(globals.endpointUrl)) {
    throw usageError(
      `--endpoint-url "${globals.endpointUrl}" is not an http(s) URL.`,
      'Use e.g. http://127.0.0.1:5000.',
    );
  }
  return {
    io,
    globals,
    log: createLogger(io, globals.debug ?? false),
    files: awsFiles(io.env),
    output: globals.output ?? (io.stdout.isTTY ? 'text' : 'json'),
  };
}

/** Flags of `assume` that every command taking `--role` shares. */
export interface AssumeFlags {
  sourceProfile?: string;
  sessionName?: string;
  duration?: string;
  externalId?: string;
  mfaSerial?: string;
  tokenCode?: string;
}

export function addAssumeOptions(command: Command): Command {
  return command
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--session-name <name>', 'RoleSessionName (default: tempcreds-<user>-<unix seconds>)')
    .option('--duration <duration>', 'seconds, 15m, 1h, 12h or max (900..43200)')
    .option('--external-id <id>', 'ExternalId the role trust policy requires')
    .option('--mfa-serial <arn>', 'MFA device serial or ARN')
    .option('--token-code <code>', 'MFA code (asked for on a terminal when missing)');
}

function validateExternalId(id: string | undefined): string | undefined {
  if (id !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(id)) {
    throw usageError(
      `--external-id is invalid: AWS allows 2-1224 characters of letters, digits and +=,.@:/-.`,
      'Use the ExternalId exactly as the role owner gave it.',
    );
  }
  return id;
}

/**
 * Checks the assume flags before anything touches the network or the disk. `interactive`: an
 * MFA code can be asked for on a terminal, so `--mfa-serial` alone is fine there.
 */
export function parseAssumeFlags(
  flags: AssumeFlags,
  interactive = false,
): { durationSeconds?: DurationRequest; externalId?: string } {
  if (flags.mfaSerial !== undefined) validateMfaSerial(flags.mfaSerial);
  if (flags.tokenCode !== undefined && flags.mfaSerial === undefined) {
    throw usageError('--token-code needs --mfa-serial.', 'Add --mfa-serial ARN of your MFA device.');
  }
  if (flags.mfaSerial !== undefined && flags.tokenCode === undefined && !interactive) {
    throw usageError(
      '--mfa-serial needs --token-code when there is no terminal to ask on.',
      'Pass --token-code 123456.',
    );
  }
  if (flags.tokenCode !== undefined && !/^\d{6}$/.test(flags.tokenCode)) {
    throw usageError(
      '--token-code must be the 6 digits your MFA device shows.',
      'Read the current code and try again.',
    );
  }
  return {
    durationSeconds: flags.duration === undefined ? undefined : parseDuration(flags.duration),
    externalId: validateExternalId(flags.externalId),
  };
}

/** Every check of ROLE and the assume flags that needs neither the network nor the disk. */
export function validateAssumeInput(ctx: CommandContext, role: string, flags: AssumeFlags): void {
  parseRoleRef(role);
  parseAssumeFlags(flags, tokenCodePrompt(ctx.io) !== undefined);
  if (flags.sessionName !== undefined) validateSessionName(flags.sessionName);
}

/** The signing source for a command: `--source-profile`, else `--profile`, with the CLI's prompts and warnings. */
export async function sourceFor(ctx: CommandContext, sourceProfile?: string): Promise<Source> {
  const { resolveSource } = await import('../credentials/sources.js');
  return resolveSource({
    profile: sourceProfile ?? ctx.globals.profile,
    region: ctx.globals.region,
    endpointUrl: ctx.globals.endpointUrl,
    env: ctx.io.env,
    files: ctx.files,
    promptTokenCode: tokenCodePrompt(ctx.io),
    warn: ctx.log.warn,
  });
}

/** Assumes ROLE with the assume flags: the heart of assume, exec and `--role` on other commands. */
export async function roleSessionFor(
  ctx: CommandContext,
  role: string,
  flags: AssumeFlags,
  minTtlSeconds?: number,
): Promise<RoleSession> {
  const { durationSeconds, externalId } = parseAssumeFlags(flags, tokenCodePrompt(ctx.io) !== undefined);
  const source = await sourceFor(ctx, flags.sourceProfile);
  const { startRoleSession } = await import('../credentials/roleSession.js');
  ctx.log.debug(`assuming ${role} with ${source.profile ? `profile ${source.profile}` : 'environment keys'}`);
  const session = await startRoleSession({
    source,
    role,
    roleSessionName: flags.sessionName,
    durationSeconds,
    externalId,
    serialNumber: flags.mfaSerial,
    tokenCode: flags.tokenCode,
    promptTokenCode: tokenCodePrompt(ctx.io),
    warn: ctx.log.warn,
    endpointUrl: ctx.globals.endpointUrl,
    env: ctx.io.env,
    minTtlSeconds,
  });
  ctx.log.redactor.add(session.first.credentials.secretAccessKey, session.first.credentials.sessionToken);
  ctx.log.debug(
    `assumed ${session.first.assumedRoleUser.arn} until ${session.first.credentials.expiration.toISOString()}`,
  );
  return session;
}

/**
 * Credentials for commands that use them (firehose, s3, whoami): `--role ROLE [--source-profile P]`
 * assumes on the fly and keeps the session fresh; otherwise `--profile`.
 */
export async function awsContextFor(
  ctx: CommandContext,
  flags: AssumeFlags & { role?: string },
): Promise<AwsContext & { credentials: AwsCredentialIdentityProvider }> {
  if (flags.role) {
    const session = await roleSessionFor(ctx, flags.role, flags);
    return {
      region: session.region,
      endpointUrl: ctx.globals.endpointUrl,
      credentials: session.provider,
      env: ctx.io.env,
    };
  }
  if (flags.sourceProfile) {
    throw usageError('--source-profile goes with --role.', 'Add --role ROLE, or use --profile alone.');
  }
  const source = await sourceFor(ctx);
  if (!source.region) {
    throw usageError(
      'No region: none given and none in the profile.',
      'Pass --region, or set region in the profile.',
    );
  }
  return {
    region: source.region,
    endpointUrl: ctx.globals.endpointUrl,
    credentials: source.credentials,
    env: ctx.io.env,
  };
}

/** `--role` + the assume flags, for commands that use credentials. */
export function addRoleOptions(command: Command): Command {
  return addAssumeOptions(
    command.option('--role <role>', 'assume this role (name or ARN) on the fly and keep it fresh'),
  );
}
