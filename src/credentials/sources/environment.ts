import type { AwsCredentialIdentity } from '@smithy/types';
import { readProfile } from '../../config/profiles.js';
import { regionFrom } from './region.js';
import type { Source, SourceInit } from './types.js';

/**
 * `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` and
 * `AWS_CREDENTIAL_EXPIRATION` when set) from the environment; the region as for the default profile.
 */
export async function fromEnvironment(init: SourceInit): Promise<Source> {
  const env = init.env;
  const credentials: AwsCredentialIdentity = {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
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
