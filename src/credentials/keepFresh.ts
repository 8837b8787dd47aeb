import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { TempcredsError } from '../errors.js';
import type { SessionCredentials } from './exportFormats.js';

/**
 * 15 minutes (botocore refreshes at 15 minutes left, and at 10 it must) plus 5 minutes in which
 * failed refreshes can be retried before a client sees less than 15 minutes.
 */
export const DEFAULT_MIN_TTL_SECONDS = 20 * 60;
/** The provider is never called more often than this, however short the sessions. */
const MIN_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 60_000;
/** setTimeout fires at once for delays above 2^31-1 ms; wake up daily instead and look again. */
const MAX_TIMER_MS = 24 * 3600 * 1000;

export interface KeepFreshOptions {
  credentials: AwsCredentialIdentityProvider;
  /** Renew before fewer than this many seconds remain (default {@link DEFAULT_MIN_TTL_SECONDS}). */
  minTtlSeconds?: number;
  now?: () => Date;
  /** Told about each failed background refresh; the old credentials are served meanwhile. */
  onError?: (err: unknown) => void;
}

export interface FreshCredentials {
  /** Valid credentials from memory; waits on the provider only when none are valid. */
  current(): Promise<SessionCredentials>;
  /** Stops the background refresh. */
  stop(): void;
}

interface Held {
  credentials: SessionCredentials;
  obtainedAt: number;
}

/**
 * Holds session credentials in memory and renews them in the background, so that readers never
 * wait on the provider (STS) while the held credentials are valid. Resolves once the first
 * credentials are in hand, and rejects with the provider's error when they cannot be had.
 *
 * Renewal is due when `minTtlSeconds` remain, but never before a third of the session's life has
 * passed, nor within a second of the last call: a 15-minute session is renewed every 5 minutes,
 * not every second, and a 3-second one every second. A failed renewal is retried with backoff
 * (1 s doubling to 60 s, and at least twice before the held credentials expire), is reported to
 * `onError`, and the held credentials are served until they expire. A renewal that brings nothing
 * newer (a caching provider returned what it had) is retried with the same backoff, unreported;
 * of two valid sets the one that expires later is served.
 */
export async function keepFresh(options: KeepFreshOptions): Promise<FreshCredentials> {
  const minTtlMs = (options.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS) * 1000;
  const nowMs = (): number => (options.now ? options.now().getTime() : Date.now());
  const isValid = (h: Held): boolean => h.credentials.expiration.getTime() > nowMs();
  const dueAt = (h: Held): number => {
    const life = h.credentials.expiration.getTime() - h.obtainedAt;
    return h.obtainedAt + Math.max(life - minTtlMs, life / 3, MIN_INTERVAL_MS);
  };

  const fetchOnce = async (): Promise<Held> => {
    const held = { credentials: asSessionCredentials(await options.credentials()), obtainedAt: nowMs() };
    if (!isValid(held)) {
      throw new TempcredsError('The credentials provider returned credentials that have already expired.', {
        kind: 'failed',
      });
    }
    return held;
  };

  let held = await fetchOnce();
  let inFlight: Promise<Held> | undefined;
  let failures = 0;
  /** Renewals in a row that brought nothing newer (a caching provider handed back what it had). */
  let stale = 0;
  let lastFailure: { at: number; error: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const nextAttemptAt = (): number => {
    const retries = failures || stale;
    if (retries === 0) return Math.max(dueAt(held), nowMs() + MIN_INTERVAL_MS);
    let delay = Math.min(MAX_BACKOFF_MS, MIN_INTERVAL_MS * 2 ** (retries - 1));
    const remaining = held.credentials.expiration.getTime() - nowMs();
    if (remaining > 0) delay = Math.min(delay, Math.max(MIN_INTERVAL_MS, remaining / 2));
    return nowMs() + delay;
  };

  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, nextAttemptAt() - nowMs()));
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  /** One provider call at a time, shared by the timer and by readers that found nothing valid. */
  const refresh = (): Promise<Held> => {
    inFlight ??= fetchOnce()
      .then(
        (fresh) => {
          failures = 0;
          lastFailure = undefined;
          if (fresh.credentials.expiration > held.credentials.expiration) {
            held = fresh;
            stale = 0;
          } else {
            stale += 1;
          }
          return held;
        },
        (error: unknown) => {
          failures += 1;
          lastFailure = { at: nowMs(), error };
          if (!stopped) options.onError?.(error);
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
    return inFlight;
  };

  function tick(): void {
    if (failures === 0 && stale === 0 && nowMs() < dueAt(held)) return schedule(); // woken early by MAX_TIMER_MS
    refresh().catch(() => undefined); // reported through onError
  }

  schedule();
  return {
    async current() {
      if (isValid(held)) return held.credentials;
      // Nothing valid: wait on the provider, but do not let eager clients call it more than once a second.
      if (!inFlight && lastFailure && nowMs() - lastFailure.at < MIN_INTERVAL_MS) throw lastFailure.error;
      return (await refresh()).credentials;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

function asSessionCredentials(c: AwsCredentialIdentity): SessionCredentials {
  if (!c.sessionToken || !(c.expiration instanceof Date)) {
    throw new TempcredsError(
      'The credentials provider returned credentials without a session token or expiration; only temporary credentials can be served.',
      { kind: 'failed' },
    );
  }
  // Whole seconds, as clients will see it: validity and renewal are judged on what is served.
  const expiration = new Date(Math.floor(c.expiration.getTime() / 1000) * 1000);
  return { ...c, sessionToken: c.sessionToken, expiration };
}
