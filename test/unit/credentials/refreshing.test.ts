import { describe, expect, it } from 'vitest';
import { refreshing } from '../../../src/credentials/refreshing.js';

function fakeSource(lifetimeMs: number, clock: { now: number }) {
  let n = 0;
  const source = async () => {
    n += 1;
    await new Promise((r) => setTimeout(r, 5));
    return { accessKeyId: `K${n}`, secretAccessKey: 's', expiration: new Date(clock.now + lifetimeMs) };
  };
  return source;
}

describe('refreshing provider', () => {
  it('serves from memory until minTtl, then refreshes once for many concurrent callers', async () => {
    const clock = { now: 0 };
    const provider = refreshing(fakeSource(3600_000, clock), { minTtlSeconds: 300, now: () => clock.now });
    const first = await Promise.all(Array.from({ length: 20 }, () => provider()));
    expect(new Set(first.map((c) => c.accessKeyId))).toEqual(new Set(['K1']));
    expect(provider.fetches).toBe(1);
    clock.now = 3600_000 - 301_000;
    expect((await provider()).accessKeyId).toBe('K1');
    clock.now = 3600_000 - 299_000;
    const second = await Promise.all(Array.from({ length: 20 }, () => provider()));
    expect(new Set(second.map((c) => c.accessKeyId))).toEqual(new Set(['K2']));
    expect(provider.fetches).toBe(2);
  });

  it('keeps serving still-valid credentials when a refresh fails, never expired ones', async () => {
    const clock = { now: 0 };
    let fail = false;
    const provider = refreshing(
      async () => {
        if (fail) throw new Error('sts down');
        return { accessKeyId: 'K', secretAccessKey: 's', expiration: new Date(clock.now + 600_000) };
      },
      { minTtlSeconds: 300, now: () => clock.now },
    );
    await provider();
    fail = true;
    clock.now = 400_000; // 200 s left: inside minTtl, still valid
    expect((await provider()).accessKeyId).toBe('K');
    clock.now = 600_001; // expired
    await expect(provider()).rejects.toThrow('sts down');
  });

  it('caches credentials without expiry forever and starts from initial credentials', async () => {
    let calls = 0;
    const provider = refreshing(async () => ({ accessKeyId: `K${++calls}`, secretAccessKey: 's' }), {
      initial: { accessKeyId: 'K0', secretAccessKey: 's', expiration: new Date(Date.now() + 3600_000) },
    });
    expect((await provider()).accessKeyId).toBe('K0');
    expect(provider.fetches).toBe(0);
  });

  it('survives three refreshes over a long life', async () => {
    const clock = { now: 0 };
    const provider = refreshing(fakeSource(900_000, clock), { now: () => clock.now });
    const seen = new Set<string>();
    for (let t = 0; t <= 4 * 900_000; t += 60_000) {
      clock.now = t;
      const c = await provider();
      expect(c.expiration!.getTime()).toBeGreaterThan(t + 300_000);
      seen.add(c.accessKeyId);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });
});

describe('refreshing provider: forced and short-lived', () => {
  it('refreshes at once when forced, as SDK clients ask after ExpiredToken', async () => {
    let n = 0;
    const provider = refreshing(async () => ({
      accessKeyId: `K${++n}`,
      secretAccessKey: 's',
      expiration: new Date(Date.now() + 3600_000),
    }));
    expect((await provider()).accessKeyId).toBe('K1');
    expect((await provider({ forceRefresh: true })).accessKeyId).toBe('K2');
    expect((await provider.refresh()).accessKeyId).toBe('K3');
    expect((await provider()).accessKeyId).toBe('K3');
  });

  it('a session shorter than the margin is served for two thirds of its life, not refetched on every call', async () => {
    const clock = { now: 0 };
    const provider = refreshing(fakeSource(3000, clock), { minTtlSeconds: 300, now: () => clock.now });
    await provider();
    clock.now = 1900;
    expect((await provider()).accessKeyId).toBe('K1');
    clock.now = 2100;
    expect((await provider()).accessKeyId).toBe('K2');
    expect(provider.fetches).toBe(2);
  });
});
