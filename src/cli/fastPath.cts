/**
 * Runs before the full CLI is loaded. For `credential-process` with a fresh cached session it
 * prints the cache and returns true: no commander, no SDK, no config parsing. Anything doubtful
 * (a folder or file that is not private, another identity) is left to the full CLI, which warns.
 */
import { dirname } from 'node:path';
import { cacheDirTrust, cacheEntry, minTtlSeconds, readCache } from '../credentials/processCache.cjs';
import { parseCredentialProcessArgs } from './credentialProcessArgs.cjs';

export async function credentialProcessCacheHit(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  if (argv[0] !== 'credential-process') return false;
  const key = parseCredentialProcessArgs(argv.slice(1));
  if (!key) return false;
  const entry = cacheEntry(key, env);
  if ((await cacheDirTrust(dirname(entry.path))).trust !== 'private') return false;
  const cached = await readCache(entry, minTtlSeconds(env));
  if (cached.state !== 'hit') return false;
  process.stdout.write(cached.text);
  return true;
}
