import type { Command } from 'commander';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsFiles, type AwsFiles } from '../config/paths.js';
import { usageError } from '../errors.js';
import { isRegionName } from '../aws/partition.js';
import type { AwsContext } from '../aws/clients.js';
import {
  parseAssumeRoleRequest,
  parseSessionOptions,
  type AssumeRoleRequest,
  type AssumeRoleRequestInput,
  type InputNames,
  type SessionOptions,
} from '../credentials/assumeRoleRequest.js';
import type { Source, SourceInit } from '../credentials/sources/types.js';
import type { RoleSession } from '../credentials/roleSession.js';
import { createLogger, type CliIo, type Logger } from './io.js';
import { readPolicyArgument } from './policyArgument.cjs';
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
  tag?: string[];
  transitiveTagKey?: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArn?: string[];
}

const repeatable = (value: string, earlier: string[] = []) => [...earlier, value];

/** `--tag`, `--transitive-tag-key`, `--source-identity`, `--policy`, `--policy-arn`: what shapes the session. */
export function addSessionOptions(command: Command): Command {
  return command
    .option(
      '--tag <Key=Value>',
      'session tag (repeatable; the trust policy must allow sts:TagSession)',
      repeatable,
    )
    .option(
      '--transitive-tag-key <key>',
      'a --tag key that passes on to chained sessions (repeatable)',
      repeatable,
    )
    .option('--source-identity <name>', 'SourceIdentity (the trust policy must allow sts:SetSourceIdentity)')
    .option('--policy <json|file://path>', 'inline session policy: the session gets at most what it allows')
    .option('--policy-arn <arn>', 'managed session policy (repeatable, at most 10)', repeatable);
}

export function addAssumeOptions(command: Command): Command {
  return addSessionOptions(
    command
      .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
      .option('--session-name <name>', 'RoleSessionName (default: tempcreds-<user>-<unix seconds>)')
      .option('--duration <duration>', 'seconds, 15m, 1h, 12h or max (900..43200)')
      .option('--external-id <id>', 'ExternalId the role trust policy requires')
      .option('--mfa-serial <arn>', 'MFA device serial or ARN')
      .option('--token-code <code>', 'MFA code (asked for on a terminal when missing)'),
  );
}

/** The assume flags by the inputs they give, for messages. */
const FLAG_NAMES: InputNames = {
  roleSessionName: '--session-name',
  durationSeconds: '--duration',
  externalId: '--external-id',
  serialNumber: '--mfa-serial',
  tokenCode: '--token-code',
  tags: '--tag',
  transitiveTagKeys: '--transitive-tag-key',
  sourceIdentity: '--source-identity',
  policy: '--policy',
  policyArns: '--policy-arn',
};

function requestInput(flags: AssumeFlags, cwd: string): Omit<AssumeRoleRequestInput, 'role'> {
  return {
    roleSessionName: flags.sessionName,
    durationSeconds: flags.duration,
    externalId: flags.externalId,
    serialNumber: flags.mfaSerial,
    tokenCode: flags.tokenCode,
    tags: flags.tag,
    transitiveTagKeys: flags.transitiveTagKey,
    sourceIdentity: flags.sourceIdentity,
    policy: flags.policy === undefined ? undefined : policyDocument(flags.policy, cwd),
    policyArns: flags.policyArn,
  };
}

/** `--policy JSON` or `--policy file://PATH`: the document, or a usage error saying why the file cannot be read. */
export function policyDocument(value: string, cwd: string): string {
  const read = readPolicyArgument(value, cwd);
  if ('error' in read) {
    throw usageError(
      `--policy ${value}: ${read.error}.`,
      'Give the policy JSON itself, or file://PATH of a readable file.',
    );
  }
  return read.text;
}

/**
 * Checks the assume flags before anything touches the network or the disk, for commands that
 * take `--role` (the role itself is checked when it is assumed). `interactive`: an MFA code can be
 * asked for on a terminal, so `--mfa-serial` alone is fine there.
 */
export function parseAssumeFlags(
  flags: AssumeFlags,
  interactive = false,
  cwd = process.cwd(),
): SessionOptions {
  return parseSessionOptions(requestInput(flags, cwd), { names: FLAG_NAMES, canPrompt: interactive });
}

/** ROLE and the assume flags, checked once, before anything touches the network or the disk. */
export function parseAssumeRequest(ctx: CommandContext, role: string, flags: AssumeFlags): AssumeRoleRequest {
  return parseAssumeRoleRequest(
    { role, ...requestInput(flags, ctx.io.cwd) },
    { names: FLAG_NAMES, canPrompt: tokenCodePrompt(ctx.io) !== undefined },
  );
}

/** The signing source for a command: `--source-profile`, else `--profile`, with the CLI's prompts and warnings. */
export async function sourceFor(ctx: CommandContext, sourceProfile?: string): Promise<Source> {
  const { resolveSource } = await import('../credentials/sources.js');
  return resolveSource(sourceInitFor(ctx, sourceProfile));
}

/** What resolves a command's source: `--source-profile`, else `--profile`, the globals, prompts and warnings. */
export function sourceInitFor(ctx: CommandContext, sourceProfile?: string): SourceInit {
  return {
    profile: sourceProfile ?? ctx.globals.profile,
    region: ctx.globals.region,
    endpointUrl: ctx.globals.endpointUrl,
    env: ctx.io.env,
    files: ctx.files,
    promptTokenCode: tokenCodePrompt(ctx.io),
    warn: ctx.log.warn,
  };
}

/** Assumes a checked request with the source's keys: the heart of assume, exec and `--role` on other commands. */
export async function roleSessionFor(
  ctx: CommandContext,
  request: AssumeRoleRequest,
  sourceProfile: string | undefined,
  minTtlSeconds?: number,
): Promise<RoleSession> {
  const source = await sourceFor(ctx, sourceProfile);
  const { startRoleSession } = await import('../credentials/roleSession.js');
  const role = request.role.roleArn ?? request.role.roleName;
  ctx.log.debug(`assuming ${role} with ${source.profile ? `profile ${source.profile}` : 'environment keys'}`);
  const session = await startRoleSession({
    source,
    request,
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
    const session = await roleSessionFor(
      ctx,
      parseAssumeRequest(ctx, flags.role, flags),
      flags.sourceProfile,
    );
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
