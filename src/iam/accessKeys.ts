/** Access keys of the assume-only user: in the profile, and whether AWS accepts them. */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsContext } from '../aws/clients.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { getSection } from '../config/ini.js';
import { readProfile } from '../config/profiles.js';
import { readIniFile } from '../config/read.js';
import type { AwsFiles } from '../config/paths.js';
import { writeProfile } from '../config/write.js';
import { TempcredsError } from '../errors.js';

/** A long-term access key of an IAM user. */
export interface KeyPair {
  /** `AKIA...` */
  accessKeyId: string;
  /** The secret, as iam:CreateAccessKey returned it: AWS never shows it again. */
  secretAccessKey: string;
}

/** An STS client signing with the given keys (default: the administrator's endpoint and region). */
export type StsFor = (keys: KeyPair) => Pick<STSClient, 'send'>;

export function stsForKeys(aws: AwsContext): StsFor {
  return (keys) => createStsClient({ ...aws, credentials: keys });
}

/** Waits `ms` milliseconds; tests pass one that does not, so retries run at once. */
export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProfileKeys {
  keys?: KeyPair;
  region?: string;
}

/** The long-term keys and region of a profile, as they are in the files (nothing resolved). */
export async function readProfileKeys(files: AwsFiles, profile: string): Promise<ProfileKeys> {
  const settings = (await readProfile(files, profile))?.settings ?? {};
  const { aws_access_key_id: accessKeyId, aws_secret_access_key: secretAccessKey, region } = settings;
  return { keys: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined, region };
}

/**
 * The access key id in `[profile]` of the credentials file alone: what a write of keys changed,
 * whatever the config file holds (or whether it can be read).
 */
export async function profileAccessKeyId(files: AwsFiles, profile: string): Promise<string | undefined> {
  return getSection(await readIniFile(files.credentialsFile), profile)?.aws_access_key_id;
}

/** Writes keys into `[profile]` of the credentials file (dropping a stale session token) and the region into the config file. */
export function writeProfileKeys(
  files: AwsFiles,
  profile: string,
  keys: KeyPair,
  region?: string,
): Promise<void> {
  return writeProfile(files, profile, {
    credentials: {
      aws_access_key_id: keys.accessKeyId,
      aws_secret_access_key: keys.secretAccessKey,
      aws_session_token: null,
    },
    config: region ? { region } : undefined,
  });
}

/** Who the keys belong to, or undefined when AWS does not accept them. */
export async function identityOf(stsFor: StsFor, keys: KeyPair): Promise<CallerIdentity | undefined> {
  try {
    return await getCallerIdentity(stsFor(keys));
  } catch (err) {
    if (err instanceof TempcredsError && err.kind === 'aws') return undefined;
    throw err;
  }
}

export interface VerifyOptions {
  stsFor: StsFor;
  sleep?: Sleep;
  /** Tries before giving up (default 8: about half a minute in all, as real IAM takes seconds). */
  attempts?: number;
  firstDelayMs?: number;
}

/**
 * Waits until AWS accepts a new key as `expectedArn`: GetCallerIdentity, retried with exponential
 * backoff while AWS does not know the key yet (new keys take seconds to propagate in real IAM).
 */
export async function verifyKey(keys: KeyPair, expectedArn: string, options: VerifyOptions): Promise<void> {
  const attempts = options.attempts ?? 8;
  const wait = options.sleep ?? sleep;
  let delay = options.firstDelayMs ?? 500;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const identity = await getCallerIdentity(options.stsFor(keys));
      if (identity.arn === expectedArn) return;
      throw new TempcredsError(`Key ${keys.accessKeyId} belongs to ${identity.arn}, not ${expectedArn}.`, {
        kind: 'failed',
      });
    } catch (err) {
      last = err;
      if (!(err instanceof TempcredsError && err.kind === 'aws')) throw err;
    }
    if (attempt < attempts) await wait(delay);
    delay = Math.min(delay * 2, 8000);
  }
  const reason = last instanceof Error ? last.message : String(last);
  throw new TempcredsError(
    `AWS did not accept the new key ${keys.accessKeyId} after ${attempts} tries: ${reason}`,
    {
      kind: 'aws',
      awsCode: last instanceof TempcredsError ? last.awsCode : undefined,
      cause: last,
    },
  );
}
