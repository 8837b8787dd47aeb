import type { AwsCredentialIdentity } from '@smithy/types';
import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';

/** Where {@link sessionExpiration} looks for an expiry the credentials do not carry. */
export interface ExpirationSources {
  /** The AWS files: `aws_credential_expiration` of the profile. */
  files: AwsFiles;
  /** The profile the credentials were read from. */
  profile: string;
  /** Read for `AWS_CREDENTIAL_EXPIRATION` (beside `AWS_SESSION_TOKEN` in the environment). */
  env: NodeJS.ProcessEnv;
}

/**
 * When credentials expire: their own `expiration`, else, for session keys, the
 * `aws_credential_expiration` that `assume --write-profile` saves beside them (the AWS CLI does
 * not read it) or `AWS_CREDENTIAL_EXPIRATION`. Undefined for long-lived keys and unknown times.
 */
export async function sessionExpiration(
  credentials: AwsCredentialIdentity,
  where: ExpirationSources,
): Promise<Date | undefined> {
  if (credentials.expiration) return credentials.expiration;
  if (!credentials.sessionToken) return undefined;
  const saved =
    (await readProfile(where.files, where.profile))?.settings.aws_credential_expiration ??
    where.env.AWS_CREDENTIAL_EXPIRATION;
  return saved && !Number.isNaN(Date.parse(saved)) ? new Date(saved) : undefined;
}
