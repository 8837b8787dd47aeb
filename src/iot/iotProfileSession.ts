import { readProfile } from '../config/profiles.js';
import type { SourceInit } from '../credentials/sources/types.js';
import { usageError } from '../errors.js';
import type { IotSessionCredentials } from './fromIotCertificate.js';
import { iotSource } from './iotSource.js';
import { isIotProfile } from './profile.js';

/**
 * One session of an IoT profile, for `credential-process --profile P` (the line iot setup writes
 * so that every AWS tool can use the profile). Refuses any other kind of profile: serving its
 * credential_process here would only run that process again.
 */
export async function iotProfileSession(name: string, init: SourceInit): Promise<IotSessionCredentials> {
  const profile = await readProfile(init.files, name);
  if (!profile || !isIotProfile(profile.settings)) {
    throw usageError(
      `credential-process without --role-arn serves IoT profiles; profile "${name}" ${profile ? 'is not one (no tempcreds_iot_* settings)' : 'does not exist'}.`,
      `Pass --role-arn ARN to assume a role, or write an IoT profile: tempcreds iot setup --thing THING --role ROLE --out DIR --profile-name ${name}`,
    );
  }
  const source = await iotSource(name, profile.settings, init);
  // The first fetch, as AWS IoT gave it: every IoT session has a token and an expiry.
  return (await source.credentials()) as IotSessionCredentials;
}
