import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';
import { writeProfile } from '../config/write.js';
import type { AssumedRole } from './assumeRole.js';
import { rfc3339 } from './timestamps.js';

/**
 * Writes a role session into profile `name`: keys and token into `[name]` of the credentials file,
 * the region into `[profile name]` of the config file (not `[default]`, the runbook's mistake).
 * Returns the keys in the config profile that would make AWS tools ignore these credentials.
 */
export async function writeSessionProfile(
  files: AwsFiles,
  name: string,
  session: AssumedRole,
  region: string,
): Promise<string[]> {
  const { credentials } = session;
  await writeProfile(files, name, {
    credentials: {
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
      aws_session_token: credentials.sessionToken,
      // Not read by the AWS CLI; lets `tempcreds whoami --profile name` tell the time left.
      aws_credential_expiration: rfc3339(credentials.expiration),
    },
    config: { region },
  });
  const settings = (await readProfile(files, name))?.settings ?? {};
  return ['role_arn', 'credential_process', 'sso_start_url', 'sso_session'].filter((key) => key in settings);
}
