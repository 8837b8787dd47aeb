import type { AwsCredentialIdentity } from '@smithy/types';
import { usageError } from '../errors.js';
import { cmdSetAssignment, dotenvQuote, fishQuote, posixQuote, powershellQuote } from './shellQuote.js';
import { awsCliTimestamp, rfc3339 } from './timestamps.js';

/** The `--format` values of `tempcreds assume`. */
export type ExportFormat =
  'json' | 'env' | 'bash' | 'zsh' | 'fish' | 'powershell' | 'cmd' | 'dotenv' | 'process';

/** Every {@link ExportFormat}, in the order `--help` lists them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = Object.freeze([
  'json',
  'env',
  'bash',
  'zsh',
  'fish',
  'powershell',
  'cmd',
  'dotenv',
  'process',
]);

/** Session credentials: a token and an expiration are always there. */
export type SessionCredentials = AwsCredentialIdentity & { sessionToken: string; expiration: Date };

/** What sts:AssumeRole returned, plus the region the credentials are meant for. */
export interface AssumedRoleOutput {
  /** The session's keys, token and expiry. */
  credentials: SessionCredentials;
  /** `AssumedRoleUser`: `AROA...:session` and `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  assumedRoleUser: { assumedRoleId: string; arn: string };
  /** Sets `AWS_REGION` and `AWS_DEFAULT_REGION` in the shell formats when known. */
  region?: string;
}

/** Checks a `--format` value. */
export function parseExportFormat(value: string): ExportFormat {
  const found = EXPORT_FORMATS.find((f) => f === value);
  if (!found) {
    throw usageError(`Unknown format "${value}".`, `Use one of: ${EXPORT_FORMATS.join(', ')}.`);
  }
  return found;
}

/**
 * The environment variables that carry the credentials, in the order they are printed: the one
 * list of names behind every shell format and `exec`. `AWS_CREDENTIAL_EXPIRATION` is RFC 3339 UTC
 * (read by the AWS SDKs' environment provider); the region variables appear only when a region is known.
 */
export function credentialsEnv(
  output: Pick<AssumedRoleOutput, 'credentials' | 'region'>,
): Record<string, string> {
  const { credentials, region } = output;
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: rfc3339(credentials.expiration),
  };
  if (region) {
    env.AWS_REGION = region;
    env.AWS_DEFAULT_REGION = region;
  }
  return env;
}

type ShellFormat = Exclude<ExportFormat, 'json' | 'process'>;

/** One line per variable, for each shell. The quoting rules are in `shellQuote.ts`. */
const ASSIGNMENT: Record<ShellFormat, (name: string, value: string) => string> = {
  env: (name, value) => `export ${name}=${posixQuote(value, name)}`,
  bash: (name, value) => `export ${name}=${posixQuote(value, name)}`,
  zsh: (name, value) => `export ${name}=${posixQuote(value, name)}`,
  fish: (name, value) => `set -gx ${name} ${fishQuote(value, name)}`,
  powershell: (name, value) => `$Env:${name} = ${powershellQuote(value, name)}`,
  cmd: (name, value) => cmdSetAssignment(name, value),
  dotenv: (name, value) => `${name}=${dotenvQuote(value, name)}`,
};

/**
 * Variables the shell formats remove before they set the credentials, because they would make AWS
 * tools ignore them or fail:
 * - `AWS_SECURITY_TOKEN`: botocore (the AWS CLI, boto3) reads it before `AWS_SESSION_TOKEN`, so a
 *   stale one is sent with the new keys (InvalidClientTokenId);
 * - `AWS_PROFILE`: the SDK v3 skips the environment's keys altogether when it is set, and botocore
 *   fails when it names a profile that does not exist;
 * - `AWS_DEFAULT_PROFILE`: botocore's older name for it, with the same failure.
 * dotenv has no way to remove a variable: a `.env` file is for an environment that starts from it.
 */
export const SHADOWING_VARIABLES: readonly string[] = Object.freeze([
  'AWS_SECURITY_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
]);

/** The lines that remove `SHADOWING_VARIABLES`, for each shell; none that can fail the script. */
const REMOVAL: Record<ShellFormat, (names: readonly string[]) => string[]> = {
  env: (names) => [`unset ${names.join(' ')}`],
  bash: (names) => [`unset ${names.join(' ')}`],
  zsh: (names) => [`unset ${names.join(' ')}`],
  // `set -e` fails (status 4) for a name that is not set, and fish's `set` keeps the status it finds.
  fish: (names) => [`set -e ${names.join(' ')}; or true`],
  powershell: (names) => names.map((name) => `$Env:${name} = $null`),
  cmd: (names) => names.map((name) => `set "${name}="`),
  dotenv: () => [],
};

/**
 * The credentials as text for a shell or a tool, ending with a newline.
 * - `json`: exactly what `aws sts assume-role` (AWS CLI v2) prints: 4-space indent, `Expiration`
 *   as `2026-02-25T06:03:31+00:00`, so `jq .Credentials.AccessKeyId` pipelines keep working.
 * - `process`: credential_process output (`Version: 1`, `Expiration` RFC 3339 UTC).
 * - the shell formats: first the removal of `AWS_SECURITY_TOKEN`, `AWS_PROFILE` and
 *   `AWS_DEFAULT_PROFILE`, which would shadow the new keys (but dotenv), then one
 *   assignment per variable of {@link credentialsEnv}.
 *
 * @throws TempcredsError (`failed`) when a value cannot be written safely for that shell (a newline,
 *   NUL or other control character; for `cmd` also `%`, `!`, `"`). The message names the variable, never the value.
 */
export function formatCredentials(format: ExportFormat, output: AssumedRoleOutput): string {
  if (format === 'json') return awsCliJson(output);
  if (format === 'process') return credentialProcessJson(output.credentials);
  const assign = ASSIGNMENT[format];
  const lines = Object.entries(credentialsEnv(output)).map(([name, value]) => assign(name, value));
  return `${[...REMOVAL[format](SHADOWING_VARIABLES), ...lines].join('\n')}\n`;
}

function awsCliJson({ credentials, assumedRoleUser }: AssumedRoleOutput): string {
  const body = {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: awsCliTimestamp(credentials.expiration),
    },
    AssumedRoleUser: {
      AssumedRoleId: assumedRoleUser.assumedRoleId,
      Arn: assumedRoleUser.arn,
    },
  };
  return `${JSON.stringify(body, null, 4)}\n`;
}

function credentialProcessJson(credentials: SessionCredentials): string {
  const body = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: rfc3339(credentials.expiration),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
