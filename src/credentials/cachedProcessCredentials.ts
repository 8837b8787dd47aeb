import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TempcredsError } from '../errors.js';
import type { AssumedRole } from './assumeRole.js';
import { rfc3339 } from './timestamps.js';
import {
  cacheEntry,
  cacheFileText,
  minTtlSeconds,
  processCredentials,
  readCache,
  cacheDirTrust,
  type CacheRead,
  type ProcessCacheKey,
} from './processCache.cjs';

/** The side effects of {@link cachedProcessCredentials}. */
export interface CachedProcessDeps {
  /** Read as the AWS CLI would for what keys the cache (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL*`, the AWS files), and for `TEMPCREDS_MIN_TTL`. */
  env: NodeJS.ProcessEnv;
  /** Gets a session (assumes the role): called at most once, and only when no fresh session is cached. */
  assume: () => Promise<Pick<AssumedRole, 'credentials'>>;
  /** Told about a cache folder or file that was made private or replaced (credential_process prints it on stderr). */
  warn: (message: string) => void;
}

/**
 * credential_process with a disk cache shared by every process of the user: a fresh session is
 * served from the cache; otherwise one process (under a lock) calls STS while concurrent callers
 * wait for it and then read what it wrote. Directory 0700, files 0600. A folder someone else owns
 * is refused; one others can write is made private, with a warning; a file that is not the
 * caller's own with mode 0600, a link, or a session for another identity is never served: it is
 * replaced, with a warning.
 */
export async function cachedProcessCredentials(
  key: ProcessCacheKey,
  deps: CachedProcessDeps,
): Promise<string> {
  const entry = cacheEntry(key, deps.env);
  const minTtl = minTtlSeconds(deps.env);
  await privateDir(dirname(entry.path), deps.warn);
  const first = await readCache(entry, minTtl);
  if (first.state === 'hit') return first.text;
  warnAbout(first, entry.path, deps.warn);

  // Only a miss gets here: the lock and atomic-write libraries are loaded for it alone.
  const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([
    import('proper-lockfile'),
    import('write-file-atomic'),
  ]);
  const release = await lockfile.lock(entry.path, {
    realpath: false,
    stale: 30_000,
    // 20+ cold callers queue here while one of them talks to STS.
    retries: { retries: 200, minTimeout: 25, maxTimeout: 250, factor: 1.3, randomize: true },
  });
  try {
    const again = await readCache(entry, minTtl);
    if (again.state === 'hit') return again.text;
    const session = await deps.assume();
    const credentials = processCredentials({
      Version: 1,
      AccessKeyId: session.credentials.accessKeyId,
      SecretAccessKey: session.credentials.secretAccessKey,
      SessionToken: session.credentials.sessionToken,
      Expiration: rfc3339(session.credentials.expiration),
    });
    // write-file-atomic writes through a link to its target: remove whatever is there first
    // (nobody else can put anything back: the folder is private).
    await rm(entry.path, { force: true });
    await writeFileAtomic(entry.path, cacheFileText(credentials, entry), { mode: 0o600, fsync: true });
    return JSON.stringify(credentials) + '\n';
  } finally {
    await release();
  }
}

/** Makes the cache folder exist and be private, or refuses one that is not the caller's. */
async function privateDir(dir: string, warn: (message: string) => void): Promise<void> {
  const dirTrust = await cacheDirTrust(dir);
  if (dirTrust.trust === 'missing') {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } else if (dirTrust.trust === 'writable') {
    warn(
      `the cache folder ${dir} was not private (${dirTrust.reason}); made it 0700, and its files are checked one by one.`,
    );
  } else if (dirTrust.trust === 'foreign') {
    throw new TempcredsError(
      `The credential cache folder ${dir} cannot be trusted: ${dirTrust.reason}, so another user could plant credentials there.`,
      { kind: 'usage', fix: 'Remove it, or set TEMPCREDS_CACHE_DIR to a folder of your own.' },
    );
  }
  await chmod(dir, 0o700);
}

function warnAbout(read: CacheRead, path: string, warn: (message: string) => void): void {
  if (read.state === 'corrupt') warn(`the cache file ${path} is corrupt (${read.reason}); replacing it.`);
  if (read.state === 'untrusted') warn(`the cache file ${path} is not served: ${read.reason}; replacing it.`);
  if (read.state === 'mismatch' && !read.legacy)
    warn(`the cache file ${path} holds a session for another role or setup; replacing it.`);
}
