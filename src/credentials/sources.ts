import { readProfile } from '../config/profiles.js';
import { usageError } from '../errors.js';
import { fromEnvironment } from './sources/environment.js';
import { iotProfile } from './sources/iotProfile.js';
import { loginProfile } from './sources/loginProfile.js';
import { processProfile } from './sources/processProfile.js';
import { roleProfile } from './sources/roleProfile.js';
import { regionFrom } from './sources/region.js';
import { ssoProfile } from './sources/ssoProfile.js';
import { staticKeysProfile } from './sources/staticKeys.js';
import type { ProfileKind, Source, SourceInit } from './sources/types.js';

export type { ProfileContext, ProfileKind, Source, SourceInit } from './sources/types.js';
export { regionFrom };

/**
 * In the order botocore tries them: a role first, then SSO and `aws login`, then keys, then a process.
 * An IoT profile comes before all: botocore sees only its credential_process, which is tempcreds
 * reading the certificate.
 */
const PROFILE_KINDS: readonly ProfileKind[] = [
  iotProfile,
  roleProfile,
  ssoProfile,
  loginProfile,
  staticKeysProfile,
  processProfile,
];

/** The kind of profile that resolves these settings: the first that claims them, or undefined. */
export function kindOf(settings: Record<string, string>): ProfileKind | undefined {
  return PROFILE_KINDS.find((k) => k.claims(settings));
}

/** Resolves the credentials a command signs with, as the AWS CLI would for the same flags and files. */
export async function resolveSource(init: SourceInit): Promise<Source> {
  const env = init.env;
  if (!init.profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return fromEnvironment(init);
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
  const settings = profile.settings;
  const kind = kindOf(settings);
  if (!kind) throw noCredentials(name, settings);
  return kind.resolve({
    name,
    settings,
    region: regionFrom(init, settings.region),
    init,
    fromProfile: (source) => fromProfile(source, { ...init, region: init.region }, [...visited, name]),
    fromEnvironment: () =>
      resolveSource({ ...init, profile: undefined, env: { ...init.env, AWS_PROFILE: undefined } }),
  });
}

function noCredentials(name: string, settings: Record<string, string>) {
  const keys = Object.keys(settings);
  const what = keys.length ? `it has only ${keys.join(', ')}` : 'it is empty';
  return usageError(
    `Profile "${name}" has no credentials tempcreds can use (aws_access_key_id, role_arn, sso_session or sso_start_url, login_session, credential_process or tempcreds_iot_*): ${what}.`,
    `Add keys with: aws configure --profile ${name}, or SSO with: aws configure sso --profile ${name}`,
  );
}
