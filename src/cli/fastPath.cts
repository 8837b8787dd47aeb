/**
 * Runs before the full CLI is loaded. For `credential-process` with a fresh cached session it
 * prints the cache and returns true: no commander, no SDK, no config parsing.
 */
import { cacheFile, minTtlSeconds, readCache } from '../credentials/processCache.cjs';
import { parseCredentialProcessArgs } from './credentialProcessArgs.cjs';

export async function credentialProcessCacheHit(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  if (argv[0] !== 'credential-process') return false;
  const key = parseCredentialProcessArgs(argv.slice(1));
  if (!key) return false;
  const cached = await readCache(cacheFile(key, env), minTtlSeconds(env));
  if (cached.state !== 'hit') return false;
  process.stdout.write(cached.text);
  return true;
}
