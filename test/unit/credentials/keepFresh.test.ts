import type { AwsCredentialIdentity } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepFresh, type FreshCredentials } from '../../../src/credentials/keepFresh.js';

const MIN = 60_000;

/** Sessions of `lifetimeMs`; call N is key `K<N>`. `fail(N)` makes call N throw. */
function source(lifetimeMs: number, fail: (call: number) => boolean = () => false) {
  const state = { calls: 0 };
  const provider = async (): Promise<AwsCredentialIdentity> => {
    state.calls += 1;
    if (fail(state.calls)) throw new Error(`down ${state.calls}`);
    return {
      accessKeyId: `K${state.calls}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(Date.now() + lifetimeMs),
    };
  };
  return { provider, state };
}

let fresh: FreshCredentials | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-02-25T06:00:00Z') });
});
afterEach(() => {
  fresh?.stop();
  fresh = undefined;
  vi.useRealTimers();
});

describe('keepFresh', () => {
  it('renews a 1-hour session when 20 minutes remain (the default)', async () => {
    const { provider, state } = source(60 * MIN);
    fresh = await keepFresh({ credentials: provider });
    await vi.advanceTimersByTimeAsync(40 * MIN - 1000);
    expect(state.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.calls).toBe(2);
    expect((await fresh.current()).accessKeyId).toBe('K2');
  });

  it('honours minTtlSeconds', async () => {
    const { provider, state } = source(60 * MIN);
    fresh = await keepFresh({ credentials: provider, minTtlSeconds: 300 });
    await vi.advanceTimersByTimeAsync(55 * MIN - 1000);
    expect(state.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.calls).toBe(2);
  });

  it('renews a session shorter than the margin after a third of its life, not every second', async () => {
    const { provider, state } = source(15 * MIN);
    fresh = await keepFresh({ credentials: provider });
    await vi.advanceTimersByTimeAsync(5 * MIN - 1000);
    expect(state.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(state.calls).toBe(3);
  });

  it('renews tiny sessions at most once a second', async () => {
    const { provider, state } = source(2000);
    fresh = await keepFresh({ credentials: provider });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.calls).toBe(11);
  });

  it('serves the held credentials without waiting while a renewal hangs', async () => {
    let calls = 0;
    const provider = (): Promise<AwsCredentialIdentity> => {
      calls += 1;
      if (calls > 1) return new Promise(() => undefined);
      return Promise.resolve({
        accessKeyId: 'K1',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(Date.now() + 60 * MIN),
      });
    };
    fresh = await keepFresh({ credentials: provider });
    await vi.advanceTimersByTimeAsync(45 * MIN);
    expect(calls).toBe(2);
    expect((await fresh.current()).accessKeyId).toBe('K1');
  });

  it('retries failed renewals with backoff (1 s doubling, capped at 60 s) and reports each', async () => {
    const errors: string[] = [];
    const { provider, state } = source(60 * MIN, (call) => call > 1);
    fresh = await keepFresh({ credentials: provider, onError: (e) => errors.push((e as Error).message) });
    await vi.advanceTimersByTimeAsync(40 * MIN);
    expect(state.calls).toBe(2);
    const attemptsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return state.calls;
    };
    expect(await attemptsAfter(1000)).toBe(3);
    expect(await attemptsAfter(2000)).toBe(4);
    expect(await attemptsAfter(4000)).toBe(5);
    await vi.advanceTimersByTimeAsync(8000 + 16_000 + 32_000);
    expect(state.calls).toBe(8);
    expect(await attemptsAfter(60_000)).toBe(9);
    expect(await attemptsAfter(60_000)).toBe(10);
    expect(errors).toHaveLength(9);
    expect((await fresh.current()).accessKeyId).toBe('K1');
  });

  it('retries soon, quietly, when a caching provider hands back the credentials it had', async () => {
    const errors: unknown[] = [];
    const first = {
      accessKeyId: 'K1',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(Date.now() + 60 * MIN),
    };
    let calls = 0;
    const provider = async (): Promise<AwsCredentialIdentity> => {
      calls += 1;
      if (calls <= 3) return first;
      return { ...first, accessKeyId: `K${calls}`, expiration: new Date(Date.now() + 60 * MIN) };
    };
    fresh = await keepFresh({ credentials: provider, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(40 * MIN);
    expect(calls).toBe(2);
    expect((await fresh.current()).accessKeyId).toBe('K1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(4);
    expect((await fresh.current()).accessKeyId).toBe('K4');
    expect(errors).toEqual([]);
    // Back on the normal schedule: the next renewal is 40 minutes on.
    await vi.advanceTimersByTimeAsync(40 * MIN - 1000);
    expect(calls).toBe(4);
  });

  it('of two valid sets, serves the one that expires later', async () => {
    let calls = 0;
    const provider = async (): Promise<AwsCredentialIdentity> => {
      calls += 1;
      const life = calls === 1 ? 60 * MIN : 10 * MIN; // the renewal brings a shorter session
      return {
        accessKeyId: `K${calls}`,
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(Date.now() + life),
      };
    };
    fresh = await keepFresh({ credentials: provider });
    await vi.advanceTimersByTimeAsync(40 * MIN);
    expect(calls).toBe(2);
    expect((await fresh.current()).accessKeyId).toBe('K1');
  });

  it('retries at least twice before the held credentials expire', async () => {
    const { provider, state } = source(3 * MIN, (call) => call > 1);
    fresh = await keepFresh({ credentials: provider, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(3 * MIN - 1);
    // First attempt at 1 min; later ones at most half the remaining time apart: many before expiry.
    expect(state.calls).toBeGreaterThan(6);
  });

  it('waits on the provider only when nothing valid is held, and not more than once a second', async () => {
    let down = true;
    const { provider, state } = source(10_000, (call) => call > 1 && down);
    fresh = await keepFresh({ credentials: provider, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(10_000); // expired; background attempts failed
    const calls = state.calls;
    await expect(fresh.current()).rejects.toThrow(/down/);
    expect(state.calls - calls).toBeLessThanOrEqual(1);
    const after = state.calls;
    await expect(fresh.current()).rejects.toThrow(/down/); // within a second of the failure: no call
    expect(state.calls).toBe(after);
    down = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect((await fresh.current()).accessKeyId).not.toBe('K1');
  });

  it('rounds the expiration down to whole seconds, as it is served', async () => {
    const provider = async () => ({
      accessKeyId: 'K',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date('2026-02-25T07:00:00.900Z'),
    });
    fresh = await keepFresh({ credentials: provider });
    expect((await fresh.current()).expiration.toISOString()).toBe('2026-02-25T07:00:00.000Z');
  });

  it('refuses credentials that are expired or not temporary', async () => {
    const expired = async () => ({
      accessKeyId: 'K',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(Date.now() - 1),
    });
    await expect(keepFresh({ credentials: expired })).rejects.toThrow(/already expired/);
    const longTerm = async () => ({ accessKeyId: 'K', secretAccessKey: 's' });
    await expect(keepFresh({ credentials: longTerm })).rejects.toThrow(/temporary/);
  });

  it('stop() ends the renewals', async () => {
    const { provider, state } = source(2000);
    fresh = await keepFresh({ credentials: provider });
    fresh.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.calls).toBe(1);
  });
});
