/**
 * The credential-process disk cache. This module is the cache-hit path, run before every AWS
 * command a user types: it imports Node built-ins only (no SDK, no lock library).
 *
 * Trust, as ssh has it: an entry is served only from a folder that is the caller's own and that
 * no one else can write, only when the file itself is a regular file (never through a symbolic
 * link) that the caller owns with mode 0600, and only when the identity stored in it is the one
 * asked for (a file copied to another role's name is not that role's session).
 */
import { constants, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What identifies a cached session: every input that changes which credentials STS would give.
 * A role session has `roleArn`; the session of an IoT profile has `iotProfile` instead.
 */
export interface ProcessCacheKey {
  /** `--role-arn`: the role whose session is cached. */
  roleArn?: string;
  /** `credential-process --profile P` of an IoT profile (no role assumed). */
  iotProfile?: string;
  /** `--source-profile` as given; absent: `AWS_PROFILE`, then `default`. */
  sourceProfile?: string;
  /** `--duration` as given (`3600`, `1h`, `max`). */
  duration?: string;
  /** `--role-session-name` as given. */
  sessionName?: string;
  /** `--external-id` as given. */
  externalId?: string;
  /** `--region`; absent: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** `--endpoint-url`; absent: `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`. */
  endpointUrl?: string;
  /** Session tags as given (`Key=Value`). */
  tags?: string[];
  /** `--transitive-tag-key`s as given. */
  transitiveTagKeys?: string[];
  /** `--source-identity` as given. */
  sourceIdentity?: string;
  /** The session policy document as given. */
  policy?: string;
  /** `--policy-arn`s as given. */
  policyArns?: string[];
}

/** credential_process output, Version 1. */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/** Where a session is cached, and the identity its file must carry to be served. */
export interface CacheEntry {
  path: string;
  /** The key with the environment folded in, as JSON: stored in the file, compared on read. */
  identity: string;
}

export type CacheRead =
  | { state: 'hit'; credentials: ProcessCredentials; text: string }
  | { state: 'stale' | 'missing' }
  /** Not a session file at all; `reason` says why. Replaced, with a warning. */
  | { state: 'corrupt'; reason: string }
  /** A file someone else could have written, or a link; never served, replaced with a warning. */
  | { state: 'untrusted'; reason: string }
  /** A session for another role, source, region or options (`legacy`: one without an identity). */
  | { state: 'mismatch'; legacy: boolean };

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
 * The cache entry for a key. The environment parts that change the answer (profile default,
 * files, endpoint, region) are folded into the identity, so two setups never share a session.
 */
export function cacheEntry(key: ProcessCacheKey, env: NodeJS.ProcessEnv): CacheEntry {
  const identity = JSON.stringify({
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
  });
  return { path: join(cacheDir(env), `${fnv1a64(identity)}.json`), identity };
}

/** The cache file for a key (see {@link cacheEntry}). */
export function cacheFile(key: ProcessCacheKey, env: NodeJS.ProcessEnv): string {
  return cacheEntry(key, env).path;
}

/**
 * FNV-1a, 64 bits, as hex: a file name per session identity. Not a secret and not a defence (the
 * identity inside the file is); it only spares the cache hit the cost of loading node:crypto.
 */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** The checks that need an owner: none on Windows, where files have no POSIX owner or mode. */
const POSIX = typeof process.geteuid === 'function';

/**
 * Whether a cache folder can be trusted: `private` (the caller's own, no one else can write it),
 * `missing`, `writable` (the caller's, but others can write it: fixable by the caller), or
 * `foreign` (another user's, a link, or not a folder).
 */
export type DirTrust = { trust: 'private' | 'missing' } | { trust: 'writable' | 'foreign'; reason: string };

/** How far a cache folder can be trusted (see {@link DirTrust}); `lstat`, so a link is never followed. */
export async function cacheDirTrust(dir: string): Promise<DirTrust> {
  let stats;
  try {
    stats = await fs.lstat(dir);
  } catch {
    return { trust: 'missing' };
  }
  if (stats.isSymbolicLink()) return { trust: 'foreign', reason: 'it is a symbolic link' };
  if (!stats.isDirectory()) return { trust: 'foreign', reason: 'it is not a folder' };
  if (!POSIX) return { trust: 'private' };
  if (stats.uid !== process.geteuid!())
    return { trust: 'foreign', reason: `it belongs to uid ${stats.uid}, not to you` };
  if (stats.mode & 0o022)
    return { trust: 'writable', reason: `others can write it (mode ${(stats.mode & 0o777).toString(8)})` };
  return { trust: 'private' };
}

/** Why an open cache file cannot be trusted, or undefined when it is the caller's own, mode 0600. */
function untrustedFile(stats: { isFile(): boolean; uid: number; mode: number }): string | undefined {
  if (!stats.isFile()) return 'it is not a regular file';
  if (!POSIX) return undefined;
  if (stats.uid !== process.geteuid!()) return `it belongs to uid ${stats.uid}, not to you`;
  if ((stats.mode & 0o777) !== 0o600) return `its mode is ${(stats.mode & 0o777).toString(8)}, not 600`;
  return undefined;
}

/** Reads a file without following a link, with the checks made on what was opened. */
async function readPrivate(path: string): Promise<{ text: string } | CacheRead> {
  let handle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    if (code === 'ELOOP' || code === 'EMLINK') return { state: 'untrusted', reason: 'it is a symbolic link' };
    return { state: 'untrusted', reason: `it cannot be read (${code ?? String(err)})` };
  }
  try {
    const reason = untrustedFile(await handle.stat());
    if (reason) return { state: 'untrusted', reason };
    return { text: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}

/**
 * Reads and checks a cache entry (the caller has checked the folder: {@link cacheDirTrust}).
 * Never throws: a missing, broken, foreign or planted file is a state, not an error.
 */
export async function readCache(entry: CacheEntry, minTtl: number, now = Date.now()): Promise<CacheRead> {
  const read = await readPrivate(entry.path);
  if (!('text' in read)) return read;
  let data: (Partial<ProcessCredentials> & { Identity?: unknown }) | null;
  try {
    data = JSON.parse(read.text) as Partial<ProcessCredentials> | null;
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
  if (data.Identity === undefined) return { state: 'mismatch', legacy: true };
  if (JSON.stringify(data.Identity) !== entry.identity) return { state: 'mismatch', legacy: false };
  if (expires - now <= minTtl * 1000) return { state: 'stale' };
  const credentials = processCredentials(data as ProcessCredentials);
  return { state: 'hit', credentials, text: JSON.stringify(credentials) + '\n' };
}

/** The five credential_process fields, in their order: what is printed, never the stored identity. */
export function processCredentials(c: ProcessCredentials): ProcessCredentials {
  return {
    Version: 1,
    AccessKeyId: c.AccessKeyId,
    SecretAccessKey: c.SecretAccessKey,
    SessionToken: c.SessionToken,
    Expiration: c.Expiration,
  };
}

/** A cache file's content: the credentials and the identity they were issued for. */
export function cacheFileText(credentials: ProcessCredentials, entry: CacheEntry): string {
  return JSON.stringify({ ...processCredentials(credentials), Identity: JSON.parse(entry.identity) }) + '\n';
}
