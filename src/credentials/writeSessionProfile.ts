import type { AwsFiles } from '../config/paths.js';
import { updateProfile, type ProfileWriteReport } from '../config/write.js';
import type { AssumedRole } from './assumeRole.js';
import { rfc3339 } from './timestamps.js';

/**
 * Writes a role session into profile `name`: keys and token into `[name]` of the credentials file,
 * the region into `[profile name]` of the config file (not `[default]`, the runbook's mistake).
 * Settings that would make AWS tools ignore these keys (role_arn, web identity, SSO, a stale
 * aws_security_token) are removed and listed in the report; long-lived keys already in the
 * profile are never overwritten (a usage error).
 */
export async function writeSessionProfile(
  files: AwsFiles,
  name: string,
  session: AssumedRole,
  region: string,
): Promise<ProfileWriteReport> {
  const { credentials } = session;
  return updateProfile(files, name, {
    credentials: {
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
      aws_session_token: credentials.sessionToken,
      // Not read by the AWS CLI; lets `tempcreds whoami --profile name` tell the time left.
      aws_credential_expiration: rfc3339(credentials.expiration),
    },
    config: { region },
  });
}
