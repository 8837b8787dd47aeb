import type { AwsCredentialIdentity } from '@smithy/types';
import type { ProfileKind } from './types.js';

/** A profile with `aws_access_key_id` and `aws_secret_access_key` (and `aws_session_token`). */
export const staticKeysProfile: ProfileKind = {
  claims: (s) => Boolean(s.aws_access_key_id && s.aws_secret_access_key),
  async resolve({ name, settings: s, region }) {
    const credentials: AwsCredentialIdentity = {
      accessKeyId: s.aws_access_key_id as string,
      secretAccessKey: s.aws_secret_access_key as string,
      sessionToken: s.aws_session_token || undefined,
    };
    return { profile: name, region, credentials: async () => credentials, roleSession: false };
  },
};
