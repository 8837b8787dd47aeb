import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';
import { usageError } from '../errors.js';
import { isIotProfile } from '../iot/profile.js';
import { fromProcess } from './fromProcess.js';
import { refreshing } from './refreshing.js';
import { parseDuration } from './duration.js';

/** Where credentials come from before any role is assumed: a profile, or the environment. */
export interface Source {
  /** The profile name, or undefined for `AWS_ACCESS_KEY_ID` in the environment. */
  profile: string | undefined;
  /** The region to call STS in, when one is configured anywhere. */
  region: string | undefined;
  credentials: AwsCredentialIdentityProvider;
  /** True when these credentials are known to be a role session (a role profile). */
  roleSession: boolean;
}

export interface SourceInit {
  /** `--profile` / `--source-profile`; default `AWS_PROFILE`, then `default` (or the environment's keys). */
  profile?: string;
  /** `--region`; wins over the environment and the profile. */
  region?: string;
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
  files: AwsFiles;
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  warn?: (message: string) => void;
  /** Refresh role sessions when fewer than this many seconds remain (default 300). */
  minTtlSeconds?: number;
}

/** `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`, as the AWS CLI does. */
export function regionFrom(
  init: Pick<SourceInit, 'region' | 'env'>,
  profileRegion?: string,
): string | undefined {
  return init.region || init.env.AWS_REGION || init.env.AWS_DEFAULT_REGION || profileRegion || undefined;
}

/** Resolves the credentials a command signs with, as the AWS CLI would for the same flags and files. */
export async function resolveSource(init: SourceInit): Promise<Source> {
  const env = init.env;
  if (!init.profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const credentials: AwsCredentialIdentity = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      expiration: env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined,
    };
    const fromEnv = (await readProfile(init.files, env.AWS_PROFILE ?? 'default'))?.settings.region;
    return {
      profile: undefined,
      region: regionFrom(init, fromEnv),
      credentials: async () => credentials,
      roleSession: false,
    };
  }
  return fromProfile(init.profile || env.AWS_PROFILE || 'default', init, []);
}

async function fromProfile(name: string, init: SourceInit, visited: string[]): Promise<Source> {
  if (visited.includes(name)) {
    throw usageError(
      `Profile ${name} is its own source (${[...visited, name].join(' -> ')}).`,
      'Point source_profile at a profile with keys.',
    );
  }
  const profile = await readProfile(init.files, name);
  if (!profile) {
    throw usageError(
      `Profile "${name}" is in neither ${init.files.credentialsFile} nor ${init.files.configFile}.`,
      `Create it with: aws configure --profile ${name} (or tempcreds setup), or pass another --profile.`,
    );
  }
  const s = profile.settings;
  // An IoT profile also has credential_process (pointing back here, for other AWS tools): its certificate wins.
  if (isIotProfile(s)) {
    const { iotSource } = await import('../iot/iotSource.js');
    return iotSource(name, s, init);
  }
  const region = regionFrom(init, s.region);
  if (s.role_arn) return fromRoleProfile(name, s, init, [...visited, name], region);
  if (s.aws_access_key_id && s.aws_secret_access_key) {
    const credentials: AwsCredentialIdentity = {
      accessKeyId: s.aws_access_key_id,
      secretAccessKey: s.aws_secret_access_key,
      sessionToken: s.aws_session_token || undefined,
    };
    return { profile: name, region, credentials: async () => credentials, roleSession: false };
  }
  if (s.credential_process) {
    return {
      profile: name,
      region,
      credentials: refreshing(fromProcess(s.credential_process, name, init.env), {
        minTtlSeconds: init.minTtlSeconds,
      }),
      roleSession: false,
    };
  }
  const sso = Object.keys(s).some((key) => key.startsWith('sso_'));
  throw usageError(
    `Profile "${name}" has no credentials tempcreds can use (aws_access_key_id, role_arn, credential_process or tempcreds_iot_*)${sso ? '; it is an SSO profile' : ''}.`,
    sso
      ? `Run: aws configure export-credentials --profile ${name} --format process, and use that as credential_process.`
      : `Add keys with: aws configure --profile ${name}`,
  );
}

async function fromRoleProfile(
  name: string,
  s: Record<string, string>,
  init: SourceInit,
  visited: string[],
  region: string | undefined,
): Promise<Source> {
  let source: Source;
  if (s.source_profile) {
    source = await fromProfile(s.source_profile, { ...init, region: init.region }, visited);
  } else if (s.credential_source === 'Environment') {
    source = await resolveSource({
      ...init,
      profile: undefined,
      env: { ...init.env, AWS_PROFILE: undefined },
    });
  } else {
    throw usageError(
      `Profile "${name}" has role_arn but neither source_profile nor credential_source = Environment.`,
      `Add source_profile = <profile with keys> to [profile ${name}].`,
    );
  }
  // Imported here so that reading a static-key profile stays free of the STS client.
  const { startRoleSession } = await import('./roleSession.js');
  const session = await startRoleSession({
    source: { ...source, region: region ?? source.region },
    role: s.role_arn as string,
    roleSessionName: s.role_session_name,
    durationSeconds: s.duration_seconds
      ? parseDuration(s.duration_seconds, `duration_seconds of profile ${name}`)
      : undefined,
    externalId: s.external_id,
    serialNumber: s.mfa_serial,
    promptTokenCode: init.promptTokenCode,
    warn: init.warn,
    endpointUrl: init.endpointUrl,
    env: init.env,
    minTtlSeconds: init.minTtlSeconds,
  });
  return { profile: name, region: session.region, credentials: session.provider, roleSession: true };
}
