import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RefreshingOptions {
  /** Refresh when fewer than this many seconds remain (default 300, as the SDKs do). */
  minTtlSeconds?: number;
  now?: () => number;
  /** Credentials already fetched (e.g. by the first AssumeRole), served until they need a refresh. */
  initial?: AwsCredentialIdentity;
}

/** A provider that also tells how often it went to its source. */
export interface RefreshingProvider extends AwsCredentialIdentityProvider {
  /** How many times the source provider was called (refreshes + the first fetch). */
  readonly fetches: number;
}

/**
 * Wraps a provider so that one instance serves a process for days: the credentials are kept in
 * memory, refreshed when fewer than `minTtlSeconds` remain, and concurrent callers share one
 * in-flight refresh. If a refresh fails while the old credentials are still valid, those are
 * served (the next call tries again); expired credentials are never returned.
 */
export function refreshing(
  source: AwsCredentialIdentityProvider,
  options: RefreshingOptions = {},
): RefreshingProvider {
  const minTtlMs = (options.minTtlSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  let current: AwsCredentialIdentity | undefined = options.initial;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  let fetches = 0;

  const fresh = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity =>
    !!c && (!c.expiration || c.expiration.getTime() - now() > minTtlMs);
  const valid = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity =>
    !!c && (!c.expiration || c.expiration.getTime() > now());

  const refresh = (): Promise<AwsCredentialIdentity> => {
    inFlight ??= (async () => {
      fetches += 1;
      try {
        current = await source();
        return current;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const provider = async (): Promise<AwsCredentialIdentity> => {
    if (fresh(current)) return current;
    try {
      return await refresh();
    } catch (err) {
      if (valid(current)) return current;
      throw err;
    }
  };
  Object.defineProperty(provider, 'fetches', { get: () => fetches });
  return provider as RefreshingProvider;
}
