import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AssumedRole } from './assumeRole.js';
import { rfc3339 } from './timestamps.js';
import {
  cacheFile,
  minTtlSeconds,
  readCache,
  type ProcessCacheKey,
  type ProcessCredentials,
} from './processCache.cjs';

export interface CachedProcessDeps {
  env: NodeJS.ProcessEnv;
  /** Gets a session (assumes the role): called at most once, and only when no fresh session is cached. */
  assume: () => Promise<Pick<AssumedRole, 'credentials'>>;
  warn: (message: string) => void;
}

/**
 * credential_process with a disk cache shared by every process of the user: a fresh session is
 * served from the cache; otherwise one process (under a lock) calls STS while concurrent callers
 * wait for it and then read what it wrote. Directory 0700, files 0600.
 */
export async function cachedProcessCredentials(
  key: ProcessCacheKey,
  deps: CachedProcessDeps,
): Promise<string> {
  const path = cacheFile(key, deps.env);
  const minTtl = minTtlSeconds(deps.env);
  const first = await readCache(path, minTtl);
  if (first.state === 'hit') return first.text;
  if (first.state === 'corrupt')
    deps.warn(`the cache file ${path} is corrupt (${first.reason}); replacing it.`);

  // Only a miss gets here: the lock and atomic-write libraries are loaded for it alone.
  const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([
    import('proper-lockfile'),
    import('write-file-atomic'),
  ]);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  const release = await lockfile.lock(path, {
    realpath: false,
    stale: 30_000,
    // 20+ cold callers queue here while one of them talks to STS.
    retries: { retries: 200, minTimeout: 25, maxTimeout: 250, factor: 1.3, randomize: true },
  });
  try {
    const again = await readCache(path, minTtl);
    if (again.state === 'hit') return again.text;
    const session = await deps.assume();
    const credentials: ProcessCredentials = {
      Version: 1,
      AccessKeyId: session.credentials.accessKeyId,
      SecretAccessKey: session.credentials.secretAccessKey,
      SessionToken: session.credentials.sessionToken,
      Expiration: rfc3339(session.credentials.expiration),
    };
    const text = JSON.stringify(credentials) + '\n';
    await writeFileAtomic(path, text, { mode: 0o600, fsync: true });
    return text;
  } finally {
    await release();
  }
}
