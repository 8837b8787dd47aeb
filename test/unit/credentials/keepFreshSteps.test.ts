/** Every transition of keepFresh's renewal, reached through its pure steps. */
import { describe, expect, it } from 'vitest';
import { renewal, type Held, type RenewalState } from '../../../src/credentials/keepFresh.js';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const HOUR = 3600_000;
const TTL = 20 * MIN;

function held(obtainedAt: number, lifeMs: number, key = 'ASIA1'): Held {
  return {
    obtainedAt,
    credentials: {
      accessKeyId: key,
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiration: new Date(obtainedAt + lifeMs),
    },
  };
}

describe('waiting', () => {
  const state = renewal.start(held(T0, HOUR));

  it('starts with nothing failed and nothing stale', () => {
    expect(state).toEqual({ held: held(T0, HOUR), failures: 0, stale: 0 });
  });

  it('is due when minTtl remains, a third of the life has passed, and a second at least', () => {
    expect(renewal.dueAt(held(T0, HOUR), TTL)).toBe(T0 + 40 * MIN);
    expect(renewal.dueAt(held(T0, 15 * MIN), TTL)).toBe(T0 + 5 * MIN);
    expect(renewal.dueAt(held(T0, 2000), TTL)).toBe(T0 + 1000);
    expect(renewal.nextAttemptAt(state, T0, TTL)).toBe(T0 + 40 * MIN);
    // Never sooner than a second from now, even when overdue.
    expect(renewal.nextAttemptAt(state, T0 + 50 * MIN, TTL)).toBe(T0 + 50 * MIN + 1000);
  });

  it('a tick before the due time waits (timers wake daily at most); at or after it, renews', () => {
    expect(renewal.onTick(state, T0 + 39 * MIN, TTL)).toBe('wait');
    expect(renewal.onTick(state, T0 + 40 * MIN, TTL)).toBe('renew');
  });

  it('a reader is served while the held credentials are valid, whatever else is going on', () => {
    expect(renewal.onRead(state, T0 + HOUR - 1, false)).toBe('serve');
    expect(renewal.onRead(renewal.failed(state, new Error('x'), T0), T0 + 1, false)).toBe('serve');
  });
});

describe('renewed', () => {
  const state = renewal.start(held(T0, HOUR));

  it('newer credentials are held, and every counter is reset', () => {
    const failing = renewal.failed(renewal.failed(state, new Error('a'), T0), new Error('b'), T0);
    const next = renewal.succeeded(failing, held(T0 + 40 * MIN, HOUR, 'ASIA2'));
    expect(next).toEqual({ held: held(T0 + 40 * MIN, HOUR, 'ASIA2'), failures: 0, stale: 0 });
  });

  it('credentials that expire no later are not held: one more stale, failures reset', () => {
    const same = renewal.succeeded(state, held(T0 + 40 * MIN, 20 * MIN, 'ASIA2'));
    expect(same).toEqual({ held: state.held, failures: 0, stale: 1 });
    expect(renewal.succeeded(same, held(T0, HOUR)).stale).toBe(2);
    const afterFailure = renewal.succeeded(renewal.failed(state, new Error('x'), T0), held(T0, HOUR));
    expect(afterFailure).toEqual({ held: state.held, failures: 0, stale: 1 });
  });
});

describe('retrying and re-asking', () => {
  const start = renewal.start(held(T0, HOUR));
  const failedTimes = (n: number, at = T0 + 40 * MIN): RenewalState => {
    let state = start;
    for (let i = 0; i < n; i += 1) state = renewal.failed(state, new Error(`failure ${i + 1}`), at);
    return state;
  };

  it('a failure is counted and remembered', () => {
    const error = new Error('AccessDenied');
    expect(renewal.failed(start, error, T0 + 5)).toEqual({
      ...start,
      failures: 1,
      lastFailure: { at: T0 + 5, error },
    });
  });

  it('backs off 1 s doubling to 60 s', () => {
    const now = T0 + 40 * MIN;
    expect([1, 2, 3, 4, 6, 7, 10].map((n) => renewal.nextAttemptAt(failedTimes(n), now, TTL) - now)).toEqual([
      1000, 2000, 4000, 8000, 32_000, 60_000, 60_000,
    ]);
  });

  it('and tries at least twice more before the held credentials expire', () => {
    const now = T0 + HOUR - 30_000; // 30 s left
    expect(renewal.nextAttemptAt(failedTimes(8, now), now, TTL) - now).toBe(15_000);
    const late = T0 + HOUR - 1500;
    expect(renewal.nextAttemptAt(failedTimes(8, late), late, TTL) - late).toBe(1000);
    // Expired: plain backoff.
    expect(renewal.nextAttemptAt(failedTimes(3), T0 + 2 * HOUR, TTL) - (T0 + 2 * HOUR)).toBe(4000);
  });

  it('stale renewals back off the same way, and a tick always renews then', () => {
    const stale = renewal.succeeded(start, held(T0, HOUR));
    expect(renewal.nextAttemptAt(stale, T0 + MIN, TTL)).toBe(T0 + MIN + 1000);
    expect(renewal.onTick(stale, T0 + MIN, TTL)).toBe('renew');
    expect(renewal.onTick(failedTimes(1), T0 + MIN, TTL)).toBe('renew');
  });
});

describe('nothing valid held', () => {
  const expired = renewal.start(held(T0, HOUR));
  const after = T0 + HOUR + 10;

  it('a reader waits on a renewal', () => {
    expect(renewal.onRead(expired, after, false)).toBe('renew');
    expect(renewal.onRead(expired, after, true)).toBe('renew');
  });

  it('but within a second of a failure gets that failure again, unless a renewal is already running', () => {
    const failed = renewal.failed(expired, new Error('x'), after);
    expect(renewal.onRead(failed, after + 999, false)).toBe('repeat-failure');
    expect(renewal.onRead(failed, after + 999, true)).toBe('renew');
    expect(renewal.onRead(failed, after + 1000, false)).toBe('renew');
  });

  it('validity ends at the expiration itself', () => {
    expect(renewal.isValid(held(T0, HOUR), T0 + HOUR - 1)).toBe(true);
    expect(renewal.isValid(held(T0, HOUR), T0 + HOUR)).toBe(false);
  });
});
