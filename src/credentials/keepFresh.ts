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

/** Credentials in hand, and when they were had (renewal is judged on the session's life). */
export interface Held {
  credentials: SessionCredentials;
  obtainedAt: number;
}

/**
 * Everything the renewal knows between two events. Its phase follows from the counters:
 * - waiting: `failures` and `stale` are 0; the next renewal is at {@link dueAt};
 * - retrying: `failures` > 0 (the last renewals failed), with backoff;
 * - re-asking: `stale` > 0 (the last renewals brought nothing newer), with the same backoff.
 */
export interface RenewalState {
  held: Held;
  /** Failed renewals in a row. */
  failures: number;
  /** Renewals in a row that brought nothing newer (a caching provider handed back what it had). */
  stale: number;
  lastFailure?: { at: number; error: unknown };
}

/** What a reader gets: the held credentials, the last failure again (too soon to ask), or a renewal to wait on. */
export type ReadDecision = 'serve' | 'repeat-failure' | 'renew';

/**
 * The steps of the renewal, each a pure function of the state and the clock, so that every
 * transition can be reached by a test; {@link keepFresh} only drives them with a timer.
 */
export const renewal = {
  start(held: Held): RenewalState {
    return { held, failures: 0, stale: 0 };
  },

  isValid(held: Held, now: number): boolean {
    return held.credentials.expiration.getTime() > now;
  },

  /** `minTtl` before expiry, but never before a third of the life, nor within a second of getting them. */
  dueAt(held: Held, minTtlMs: number): number {
    const life = held.credentials.expiration.getTime() - held.obtainedAt;
    return held.obtainedAt + Math.max(life - minTtlMs, life / 3, MIN_INTERVAL_MS);
  },

  /** Waiting: when due. Retrying or re-asking: 1 s doubling to 60 s, at least twice before expiry. */
  nextAttemptAt(state: RenewalState, now: number, minTtlMs: number): number {
    const retries = state.failures || state.stale;
    if (retries === 0) return Math.max(renewal.dueAt(state.held, minTtlMs), now + MIN_INTERVAL_MS);
    let delay = Math.min(MAX_BACKOFF_MS, MIN_INTERVAL_MS * 2 ** (retries - 1));
    const remaining = state.held.credentials.expiration.getTime() - now;
    if (remaining > 0) delay = Math.min(delay, Math.max(MIN_INTERVAL_MS, remaining / 2));
    return now + delay;
  },

  /** The timer fired: renew, unless it woke early (timers are capped at a day) while all is well. */
  onTick(state: RenewalState, now: number, minTtlMs: number): 'renew' | 'wait' {
    const waiting = state.failures === 0 && state.stale === 0;
    return waiting && now < renewal.dueAt(state.held, minTtlMs) ? 'wait' : 'renew';
  },

  /** A renewal brought credentials: held if they expire later than what is held, else one more stale. */
  succeeded(state: RenewalState, fresh: Held): RenewalState {
    const newer = fresh.credentials.expiration > state.held.credentials.expiration;
    return newer
      ? { held: fresh, failures: 0, stale: 0 }
      : { held: state.held, failures: 0, stale: state.stale + 1 };
  },

  failed(state: RenewalState, error: unknown, now: number): RenewalState {
    return { ...state, failures: state.failures + 1, lastFailure: { at: now, error } };
  },

  /** Valid: serve. Nothing valid: wait on a renewal, but do not let eager clients ask more than once a second. */
  onRead(state: RenewalState, now: number, renewing: boolean): ReadDecision {
    if (renewal.isValid(state.held, now)) return 'serve';
    const recent = state.lastFailure !== undefined && now - state.lastFailure.at < MIN_INTERVAL_MS;
    return !renewing && recent ? 'repeat-failure' : 'renew';
  },
};

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
 * of two valid sets the one that expires later is served. The steps are {@link renewal}'s.
 */
export async function keepFresh(options: KeepFreshOptions): Promise<FreshCredentials> {
  const minTtlMs = (options.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS) * 1000;
  const nowMs = (): number => (options.now ? options.now().getTime() : Date.now());
  const fetchOnce = () => fetchHeld(options.credentials, nowMs);

  let state = renewal.start(await fetchOnce());
  let inFlight: Promise<Held> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    const delay = Math.min(
      MAX_TIMER_MS,
      Math.max(0, renewal.nextAttemptAt(state, nowMs(), minTtlMs) - nowMs()),
    );
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  /** One provider call at a time, shared by the timer and by readers that found nothing valid. */
  const renew = (): Promise<Held> => {
    inFlight ??= fetchOnce()
      .then(
        (fresh) => {
          state = renewal.succeeded(state, fresh);
          return state.held;
        },
        (error: unknown) => {
          state = renewal.failed(state, error, nowMs());
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
    if (renewal.onTick(state, nowMs(), minTtlMs) === 'wait') return schedule();
    renew().catch(() => undefined); // reported through onError
  }

  schedule();
  return {
    async current() {
      const decision = renewal.onRead(state, nowMs(), inFlight !== undefined);
      if (decision === 'serve') return state.held.credentials;
      if (decision === 'repeat-failure') throw state.lastFailure?.error;
      return (await renew()).credentials;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** One provider call, checked: temporary credentials that are still valid. */
async function fetchHeld(provider: AwsCredentialIdentityProvider, nowMs: () => number): Promise<Held> {
  const held = { credentials: asSessionCredentials(await provider()), obtainedAt: nowMs() };
  if (!renewal.isValid(held, nowMs())) {
    throw new TempcredsError('The credentials provider returned credentials that have already expired.', {
      kind: 'failed',
    });
  }
  return held;
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
