/**
 * The real readers of the AWS files, for tests: botocore (boto3's, and the AWS CLI v2's own copy),
 * the AWS CLI v2 itself (`/usr/bin/aws`), and the AWS SDK for JavaScript v3's loader and `fromIni`.
 * Our own parser agreeing with our own writer proves nothing; these are what users run.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromIni } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { AwsFiles } from '../../../src/config/paths.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, 'botocoreRead.py');
export const AWS_CLI = '/usr/bin/aws';

/** Which botocore: boto3's (`python3`), or the one inside the AWS CLI v2 (`/usr/bin/python3`). */
export type Botocore = 'boto3' | 'awscli';
export const BOTOCORES: Botocore[] = ['boto3', 'awscli'];

function python(which: Botocore, args: string[], env?: NodeJS.ProcessEnv) {
  const [command, flags] = which === 'boto3' ? ['python3', []] : ['/usr/bin/python3', ['--vendored']];
  return run(command, [SCRIPT, ...flags, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
}

/** botocore's `raw_config_parse` + `build_profile_map` of each file, nested settings flattened. */
export type RawRead =
  | { sections: Record<string, Record<string, string>>; profiles: Record<string, Record<string, string>> }
  | { error: string };

export async function botocoreRaw(paths: string[], which: Botocore = 'boto3'): Promise<RawRead[]> {
  const { stdout } = await python(which, ['raw', ...paths]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RawRead);
}

/** The environment that points every reader at these files and nowhere else. */
export function filesEnv(files: AwsFiles): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return { ...env, AWS_CONFIG_FILE: files.configFile, AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile };
}

/** A botocore session's view of a profile: its settings and, if asked, its credentials. */
export interface BotocoreProfile {
  config?: Record<string, string>;
  credentials?: { access_key: string; token: string | null; method: string } | null;
  error?: string;
}

export async function botocoreProfiles(
  files: AwsFiles,
  profiles: string[],
  options: { which?: Botocore; credentials?: boolean } = {},
): Promise<BotocoreProfile[]> {
  const args = ['profile', ...(options.credentials ? ['--credentials'] : []), ...profiles];
  const { stdout } = await python(options.which ?? 'boto3', args, filesEnv(files));
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as BotocoreProfile);
}

export async function botocoreProfile(
  files: AwsFiles,
  profile: string,
  which: Botocore = 'boto3',
): Promise<BotocoreProfile> {
  const [result] = await botocoreProfiles(files, [profile], { which, credentials: true });
  return result ?? {};
}

/** `aws configure get KEY --profile P`: the value, or `undefined` when the AWS CLI has none. */
export async function awsConfigureGet(
  files: AwsFiles,
  profile: string,
  key: string,
): Promise<string | undefined> {
  try {
    const { stdout } = await run(AWS_CLI, ['configure', 'get', key, '--profile', profile], {
      env: filesEnv(files),
    });
    return stdout.replace(/\n$/, '');
  } catch (err) {
    if ((err as { code?: number }).code === 1) return undefined;
    throw err;
  }
}

/** `aws configure export-credentials --profile P`: the access key id the AWS CLI would sign with. */
export async function awsAccessKey(
  files: AwsFiles,
  profile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const { stdout } = await run(AWS_CLI, ['configure', 'export-credentials', '--profile', profile], {
    env: { ...filesEnv(files), ...env },
  });
  return (JSON.parse(stdout) as { AccessKeyId: string }).AccessKeyId;
}

/** The SDK v3 loader's view: `configFile` (profiles by name) and `credentialsFile`. */
export async function sdkFiles(files: AwsFiles) {
  return loadSharedConfigFiles({
    filepath: files.credentialsFile,
    configFilepath: files.configFile,
    ignoreCache: true,
  });
}

/** The access key id the SDK v3's `fromIni` resolves for a profile (no network for keys and processes). */
export async function sdkAccessKey(files: AwsFiles, profile: string): Promise<string> {
  const credentials = await fromIni({
    profile,
    filepath: files.credentialsFile,
    configFilepath: files.configFile,
    ignoreCache: true,
  })();
  return credentials.accessKeyId;
}
