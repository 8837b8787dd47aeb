import type { Credentials } from '@aws-sdk/client-sts';
import { TempcredsError } from '../errors.js';
import type { SessionCredentials } from '../credentials/exportFormats.js';

export type { SessionCredentials };

/** The `Credentials` of an STS answer, or a failure naming the call (`what`) when a part is missing. */
export function sessionCredentialsOf(c: Credentials | undefined, what: string): SessionCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new TempcredsError(`${what} returned no credentials.`, { kind: 'failed' });
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}
