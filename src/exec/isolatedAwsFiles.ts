import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIniText } from '../config/read.js';

/**
 * Keys that carry credentials or choose where a profile gets them. Every credential chain (the
 * SDK v3's, botocore's, so the AWS CLI's and boto3's) reads the profile's keys before it asks the
 * container endpoint: any of these left in the child's files would win over the role.
 */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'aws_credential_expiration',
  'role_arn',
  'source_profile',
  'credential_source',
  'credential_process',
  'web_identity_token_file',
  'role_session_name',
  'external_id',
  'mfa_serial',
  'duration_seconds',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'sso_registration_scopes',
  'login_session',
]);

/**
 * A copy of a config file with every line that sets a key of {@link CREDENTIAL_KEYS} removed, in
 * every section, with the indented lines that continue it; everything else (regions, `s3`
 * settings, endpoints, comments) is kept byte for byte. Keys are compared as botocore does, without
 * case (`AWS_ACCESS_KEY_ID = ...` counts), with `=` or `:` as separator. Works line by line, so a
 * file no parser agrees on still loses its credentials.
 */
export function withoutCredentials(configText: string): string {
  const lines = configText.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    const continuation = /^[ \t]+\S/.test(line);
    if (dropping && continuation) continue;
    dropping = false;
    const key = /^\s*([^=:[#;\s][^=:]*?)\s*[=:]/.exec(line)?.[1]?.toLowerCase();
    if (key !== undefined && CREDENTIAL_KEYS.has(key)) {
      dropping = !continuation;
      continue;
    }
    kept.push(line);
  }
  return kept.join('');
}

/** The files a child reads instead of the user's, and how to point it at them. */
export interface IsolatedAwsFiles {
  /** `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `BOTO_CONFIG`, pointing into the private folder. */
  env: Record<string, string>;
  /** The private folder (0700) that holds them. */
  dir: string;
  /** Writes a 0600 file into the private folder; returns its path. */
  addFile(name: string, content: string): Promise<string>;
  /** Removes the folder and everything in it. */
  remove(): Promise<void>;
}

/**
 * Files for a child that must get its credentials from the container endpoint whatever the user's
 * files hold: an empty credentials file, an empty boto config (`~/.boto` and `/etc/boto.cfg` are
 * read by botocore before the endpoint too), and the user's config file without credentials
 * ({@link withoutCredentials}), so the region and every other setting still apply. All in a fresh
 * 0700 folder under the system's temporary directory, files 0600, removed by `remove()`.
 */
export async function isolatedAwsFiles(configFile: string, tempDir = tmpdir()): Promise<IsolatedAwsFiles> {
  const configText = await readIniText(configFile);
  const dir = await mkdtemp(join(tempDir, 'tempcreds-exec-'));
  const addFile = async (name: string, content: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    return path;
  };
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const env = {
      AWS_CONFIG_FILE: await addFile('config', withoutCredentials(configText)),
      AWS_SHARED_CREDENTIALS_FILE: await addFile('credentials', ''),
      BOTO_CONFIG: await addFile('boto.cfg', ''),
    };
    return { env, dir, addFile, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
