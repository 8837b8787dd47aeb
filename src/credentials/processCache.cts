/**
 * The credential-process disk cache. This module is the cache-hit path, run before every AWS
 * command a user types: it imports Node built-ins only (no SDK, no lock library).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What identifies a cached session: every input that changes which credentials STS would give.
 * A role session has `roleArn`; the session of an IoT profile has `iotProfile` instead.
 */
export interface ProcessCacheKey {
  roleArn?: string;
  /** `credential-process --profile P` of an IoT profile (no role assumed). */
  iotProfile?: string;
  sourceProfile?: string;
  duration?: string;
  sessionName?: string;
  externalId?: string;
  region?: string;
  endpointUrl?: string;
}

/** credential_process output, Version 1. */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export type CacheRead =
  | { state: 'hit'; credentials: ProcessCredentials; text: string }
  | { state: 'stale' | 'missing' }
  | { state: 'corrupt'; reason: string };

export function cacheDir(env: NodeJS.ProcessEnv): string {
  if (env.TEMPCREDS_CACHE_DIR) return env.TEMPCREDS_CACHE_DIR;
  const base =
    env.XDG_CACHE_HOME || (process.platform === 'win32' && env.LOCALAPPDATA) || join(homedir(), '.cache');
  return join(base, 'tempcreds');
}

/** Seconds that must remain for a cached session to be served (default 300: `TEMPCREDS_MIN_TTL`). */
export function minTtlSeconds(env: NodeJS.ProcessEnv): number {
  const value = Number(env.TEMPCREDS_MIN_TTL);
  return env.TEMPCREDS_MIN_TTL !== undefined && Number.isFinite(value) && value >= 0 ? value : 300;
}

/**
 * The cache file for a key. The environment parts that change the answer (profile default,
 * files, endpoint, region) are folded in, so two setups never share a session.
 */
export function cacheFile(key: ProcessCacheKey, env: NodeJS.ProcessEnv): string {
  const identity = {
    ...key,
    sourceProfile: key.sourceProfile ?? env.AWS_PROFILE ?? 'default',
    region: key.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpointUrl: key.endpointUrl ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL,
    configFile: env.AWS_CONFIG_FILE,
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE,
    // Where an IoT session comes from, when a local provider stands in for AWS's.
    ...(key.iotProfile
      ? { iotEndpointUrl: env.TEMPCREDS_IOT_ENDPOINT_URL, iotCaFile: env.TEMPCREDS_IOT_CA_FILE }
      : {}),
  };
  return join(cacheDir(env), `${fnv1a64(JSON.stringify(identity))}.json`);
}

/**
 * FNV-1a, 64 bits, as hex: a file name per session identity. Not a secret and not a defence (the
 * directory is private); it only spares the cache hit the cost of loading node:crypto.
 */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** Reads and checks a cache file. Never throws: a missing or broken file is a state, not an error. */
export async function readCache(path: string, minTtl: number, now = Date.now()): Promise<CacheRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { state: 'missing' };
  }
  let data: Partial<ProcessCredentials> | null;
  try {
    data = JSON.parse(text) as Partial<ProcessCredentials> | null;
  } catch {
    return { state: 'corrupt', reason: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null) return { state: 'corrupt', reason: 'not an object' };
  const expires = typeof data.Expiration === 'string' ? Date.parse(data.Expiration) : NaN;
  if (
    data.Version !== 1 ||
    typeof data.AccessKeyId !== 'string' ||
    typeof data.SecretAccessKey !== 'string' ||
    typeof data.SessionToken !== 'string' ||
    Number.isNaN(expires)
  ) {
    return { state: 'corrupt', reason: 'missing fields' };
  }
  if (expires - now <= minTtl * 1000) return { state: 'stale' };
  return { state: 'hit', credentials: data as ProcessCredentials, text: JSON.stringify(data) + '\n' };
}
