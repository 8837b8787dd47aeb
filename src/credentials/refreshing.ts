import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** How {@link refreshing} decides that credentials need a refresh. */
export interface RefreshingOptions {
  /** Refresh when fewer than this many seconds remain (default 300, as the SDKs do). */
  minTtlSeconds?: number;
  /** The clock, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Credentials already fetched (e.g. by the first AssumeRole), served until they need a refresh. */
  initial?: AwsCredentialIdentity;
}

/** A provider that also tells how often it went to its source, and can be told to go again. */
export interface RefreshingProvider extends AwsCredentialIdentityProvider {
  /** How many times the source provider was called (refreshes + the first fetch). */
  readonly fetches: number;
  /** Fetch new credentials now (e.g. after AWS answered ExpiredToken), shared with concurrent callers. */
  refresh(): Promise<AwsCredentialIdentity>;
}

/**
 * Wraps a provider so that one instance serves a process for days: the credentials are kept in
 * memory, refreshed when fewer than `minTtlSeconds` remain (or a third of their life, for
 * sessions too short for that margin), and concurrent callers share one in-flight refresh.
 * If a refresh fails while the old credentials are still valid, those are served (the next call
 * tries again); expired credentials are never returned. Called with `{ forceRefresh: true }`
 * (as SDK clients do after an expired-token answer) it refreshes at once.
 */
export function refreshing(
  source: AwsCredentialIdentityProvider,
  options: RefreshingOptions = {},
): RefreshingProvider {
  const minTtlMs = (options.minTtlSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  let current: AwsCredentialIdentity | undefined = options.initial;
  let obtainedAt = now();
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  let fetches = 0;

  const fresh = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity => {
    if (!c) return false;
    if (!c.expiration) return true;
    const left = c.expiration.getTime() - now();
    return left > Math.min(minTtlMs, (c.expiration.getTime() - obtainedAt) / 3);
  };
  const valid = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity =>
    !!c && (!c.expiration || c.expiration.getTime() > now());

  const refresh = (): Promise<AwsCredentialIdentity> => {
    inFlight ??= (async () => {
      fetches += 1;
      try {
        current = await source();
        obtainedAt = now();
        return current;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const provider = async (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    if (!properties?.forceRefresh && fresh(current)) return current;
    try {
      return await refresh();
    } catch (err) {
      if (!properties?.forceRefresh && valid(current)) return current;
      throw err;
    }
  };
  Object.defineProperty(provider, 'fetches', { get: () => fetches });
  return Object.assign(provider, { refresh }) as RefreshingProvider;
}
