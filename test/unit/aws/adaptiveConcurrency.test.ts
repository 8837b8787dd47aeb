import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, type ConcurrencyChange } from '../../../src/aws/adaptiveConcurrency.js';
import { simulateAdaptive, simulateFixed, type Simulation } from './simulatedLink.js';

const FIXED = [4, 8, 16, 32, 64, 128, 256];
const bestFixed = (sim: Simulation) => Math.min(...FIXED.map((n) => simulateFixed(n, sim).durationMs));
const limits = { initial: 32, max: 256 };

describe('AdaptiveConcurrency on a simulated link', () => {
  it.each([
    ['0.3 ms round trips, a fast service', 0.3, 1500],
    ['20 ms', 20, 1500],
    ['100 ms', 100, 1500],
    ['a service that does 400 a second, 100 ms away', 100, 400],
    ['a slow service next door', 1, 200],
  ])('%s: 5,000 requests within 1.15x of the best fixed limit', (_, rttMs, capacity) => {
    const sim: Simulation = { requests: 5000, link: { rttMs, capacity } };
    const run = simulateAdaptive(sim, limits);
    expect(run.completed).toBe(5000);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.15);
  });

  it('grows 4x a round while the link is latency-bound, and stops at max', () => {
    const run = simulateAdaptive({ requests: 3000, link: { rttMs: 300, capacity: 5000 } }, limits);
    expect(run.changes.slice(0, 2).map((c) => [c.from, c.to, c.reason])).toEqual([
      [32, 128, 'growing'],
      [128, 256, 'growing'],
    ]);
    // Two rounds of 300 ms (and a little) to reach the top.
    expect(run.limits.find((l) => l.limit === 256)!.atMs).toBeLessThan(700);
    expect(run.maxLimit).toBe(256);
  });

  it('a knee below the top: full throughput, and it does not climb to the max', () => {
    // 400 a second at 100 ms: 40 in flight fill it. The first window (32 sent at once, queueing
    // at the service) measures 178/s, the next 400/s at 128: some gain, so twice the need, 128.
    const sim: Simulation = { requests: 8000, link: { rttMs: 100, capacity: 400 } };
    const run = simulateAdaptive(sim, limits);
    expect(run.finalLimit).toBeLessThanOrEqual(150);
    expect(run.maxLimit).toBeLessThanOrEqual(150);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.05);
  });

  it('a service that is the bottleneck next door: stays low, wastes nothing', () => {
    const sim: Simulation = { requests: 3000, link: { rttMs: 0.5, capacity: 300 } };
    const run = simulateAdaptive(sim, limits);
    expect(run.finalLimit).toBeLessThanOrEqual(64);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.05);
  });

  it('noisy round trips (±50%): no collapse, within 1.2x of the best fixed limit', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim: Simulation = { requests: 5000, link: { rttMs: 50, capacity: 600 }, noise: 0.5, seed };
      const run = simulateAdaptive(sim, limits);
      expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.2);
      expect(run.finalLimit).toBeGreaterThanOrEqual(20);
    }
  });

  it('throttling: comes down by 30% at a time, ends near the quota, and every request completes', () => {
    // A quota of 400 a second at 50 ms: 20 in flight use it up.
    const run = simulateAdaptive({ requests: 4000, link: { rttMs: 50, capacity: 5000, quota: 400 } }, limits);
    expect(run.completed).toBe(4000);
    const throttled = run.changes.filter((c) => c.reason === 'throttled');
    expect(throttled.length).toBeGreaterThan(0);
    for (const c of throttled) expect(c.to).toBe(Math.floor(c.from * 0.7));
    expect(run.finalLimit).toBeLessThanOrEqual(40);
    expect(run.finalLimit).toBeGreaterThanOrEqual(10);
  });

  it('a burst of throttling in one round is one decrease, not one per answer', () => {
    // Everything beyond a tiny quota is refused at once: dozens of throttles arrive together.
    const run = simulateAdaptive(
      { requests: 200, link: { rttMs: 100, capacity: 5000, quota: 10 }, retryDelayMs: 500 },
      limits,
    );
    expect(run.completed).toBe(200);
    const first = run.changes.findIndex((c) => c.reason === 'throttled');
    expect(run.changes[first]!.from).toBeGreaterThanOrEqual(32);
    // The first round's 32 throttles cut once; later rounds cut again only while still too many.
    expect(run.throttles).toBeGreaterThan(run.changes.filter((c) => c.reason === 'throttled').length * 3);
  });

  it('a throttling burst that passes: grows again, additively', () => {
    const run = simulateAdaptive(
      {
        requests: 20000,
        link: { rttMs: 20, capacity: 5000, quota: 300 },
        changes: [{ atMs: 4000, link: { quota: undefined } }],
      },
      limits,
    );
    const low = Math.min(...run.limits.filter((l) => l.atMs > 1000 && l.atMs < 4000).map((l) => l.limit));
    const late = run.limits.filter((l) => l.atMs > 4000);
    expect(low).toBeLessThanOrEqual(12);
    expect(late.at(-1)!.limit).toBeGreaterThan(low * 3);
    // After throttling, growth is by probes of an eighth, never 4x.
    expect(run.changes.filter((c) => c.reason === 'growing' && c.from >= low).length).toBe(0);
  });

  it('a link that gets slower: comes down to what the slower link needs', () => {
    // 1,000 a second at 20 ms (20 in flight), then 200 a second (4 in flight do as well).
    const run = simulateAdaptive(
      {
        requests: 20000,
        link: { rttMs: 20, capacity: 1000 },
        changes: [{ atMs: 5000, link: { capacity: 200 } }],
      },
      limits,
    );
    const before = run.limits.filter((l) => l.atMs < 5000).at(-1)!.limit;
    expect(run.changes.some((c) => c.reason === 'slower')).toBe(true);
    expect(run.finalLimit).toBeLessThan(before / 2);
    expect(run.finalLimit).toBeGreaterThanOrEqual(4);
  });

  it('a link whose round trip grows: fewer would do worse, so it goes back up', () => {
    const run = simulateAdaptive(
      {
        requests: 30000,
        link: { rttMs: 20, capacity: 1000 },
        changes: [{ atMs: 3000, link: { rttMs: 200 } }],
      },
      limits,
    );
    // 1,000 a second at 200 ms needs 200 in flight.
    const before = run.limits.filter((l) => l.atMs < 3000).at(-1)!.limit;
    expect(run.finalLimit).toBeGreaterThan(before * 1.5);
    expect(run.finalLimit).toBeGreaterThanOrEqual(170);
  });

  it('work that cannot fill the limit (3 at a time): learns nothing, changes nothing', () => {
    const run = simulateAdaptive({ requests: 2000, link: { rttMs: 50, capacity: 5000 }, offered: 3 }, limits);
    expect(run.changes).toEqual([]);
    expect(run.peakInFlight).toBe(3);
  });

  it('keeps within min and max', () => {
    const run = simulateAdaptive(
      { requests: 3000, link: { rttMs: 100, capacity: 5000, quota: 5 }, retryDelayMs: 50 },
      { initial: 8, min: 3, max: 12 },
    );
    expect(Math.min(...run.limits.map((l) => l.limit))).toBeGreaterThanOrEqual(3);
    expect(run.maxLimit).toBeLessThanOrEqual(12);
  });
});

const KiB = 1024;
const MiB = 1024 * KiB;
/** A link of `mbit` Mbit/s, in bytes a second. */
const mbit = (n: number) => (n * 1e6) / 8;
/** The time the bytes of a run take at the link's bandwidth alone: the physical limit. */
const wireMs = (bytes: number, bandwidth: number) => (bytes / bandwidth) * 1000;

describe('AdaptiveConcurrency with files tiny and huge', () => {
  it('empty files (0 bytes each) 100 ms away: requests a second count, so it grows', () => {
    const sim: Simulation = { requests: 4000, link: { rttMs: 100, capacity: 3000 }, units: 0 };
    const run = simulateAdaptive(sim, limits);
    expect(run.completed).toBe(4000);
    expect(run.changes[0]).toMatchObject({ from: 32, to: 128, reason: 'growing' });
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.15);
  });

  it('4 KiB files, 200 ms and 5 Mbit/s: the bandwidth is the bottleneck; it uses it without climbing to max', () => {
    // 625 KB/s carries 150 files a second; 200 ms needs 30 in flight.
    const sim: Simulation = {
      requests: 3000,
      link: { rttMs: 200, capacity: 5000, bandwidth: mbit(5) },
      units: 4 * KiB,
    };
    const run = simulateAdaptive(sim, limits);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.15);
    expect(run.durationMs).toBeLessThanOrEqual(wireMs(3000 * 4 * KiB, mbit(5)) * 1.15);
    expect(run.finalLimit).toBeLessThanOrEqual(128);
  });

  it('8 MiB parts under a 96 MiB budget: the budget holds the pool below its limit, so nothing is judged', () => {
    const sim: Simulation = {
      requests: 32,
      link: { rttMs: 50, capacity: 3000, bandwidth: mbit(100) },
      units: 8 * MiB,
      budget: 96 * MiB,
    };
    const run = simulateAdaptive(sim, limits);
    expect(run.peakInFlight).toBe(12);
    expect(run.changes).toEqual([]);
    // 12 parts of 8 MiB in flight are far more than 50 ms at 100 Mbit/s: the link is full.
    expect(run.durationMs).toBeLessThanOrEqual(wireMs(32 * 8 * MiB, mbit(100)) * 1.03);
  });

  it('8 MiB parts without a budget, 300 ms and 100 Mbit/s: fills the link, and settles well below max', () => {
    const sim: Simulation = {
      requests: 200,
      link: { rttMs: 300, capacity: 3000, bandwidth: mbit(100) },
      units: 8 * MiB,
    };
    const run = simulateAdaptive(sim, { initial: 4, max: 256 });
    expect(run.durationMs).toBeLessThanOrEqual(wireMs(200 * 8 * MiB, mbit(100)) * 1.05);
    // 300 ms at 100 Mbit/s is 3.75 MB: one part in flight and the next queued fill it.
    expect(run.finalLimit).toBeLessThanOrEqual(16);
  });

  it('a mix (one 8 MiB file in every 100 of 4 KiB), 100 ms and 20 Mbit/s: within 1.25x of the best fixed limit', () => {
    const units = [8 * MiB, ...Array<number>(99).fill(4 * KiB)];
    const sim: Simulation = {
      requests: 1000,
      link: { rttMs: 100, capacity: 3000, bandwidth: mbit(20) },
      units,
      budget: 96 * MiB,
    };
    const run = simulateAdaptive(sim, limits);
    expect(run.completed).toBe(1000);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.25);
  });
});

describe('AdaptiveConcurrency on a link that changes mid-run', () => {
  it('the bandwidth falls from 100 to 5 Mbit/s (64 KiB files): follows it down, within 1.25x of the best fixed', () => {
    const sim: Simulation = {
      requests: 6000,
      link: { rttMs: 50, capacity: 3000, bandwidth: mbit(100) },
      units: 64 * KiB,
      changes: [{ atMs: 3000, link: { bandwidth: mbit(5) } }],
    };
    const run = simulateAdaptive(sim, limits);
    expect(run.completed).toBe(6000);
    const before = run.limits.filter((l) => l.atMs < 3000).at(-1)!.limit;
    expect(run.changes.some((c) => c.reason === 'slower')).toBe(true);
    expect(run.finalLimit).toBeLessThan(before);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.25);
  });

  it('a handover: 20 ms becomes 300 ms: it grows again to fill the longer pipe', () => {
    const sim: Simulation = {
      requests: 40000,
      link: { rttMs: 20, capacity: 800 },
      changes: [{ atMs: 2000, link: { rttMs: 300 } }],
    };
    const run = simulateAdaptive(sim, limits);
    // 800 a second at 300 ms needs 240 in flight.
    expect(run.finalLimit).toBeGreaterThanOrEqual(200);
    expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.25);
  });

  it('the link gets worse and the service starts throttling at once: comes down for both, nothing lost', () => {
    const sim: Simulation = {
      requests: 8000,
      link: { rttMs: 30, capacity: 2000 },
      changes: [{ atMs: 2000, link: { rttMs: 120, capacity: 600, quota: 250 } }],
    };
    const run = simulateAdaptive(sim, limits);
    expect(run.completed).toBe(8000);
    const late = run.changes.filter(
      (c) => run.limits.find((l) => l.limit === c.to) && c.reason === 'throttled',
    );
    expect(late.length).toBeGreaterThan(0);
    // 250 a second at 120 ms: 30 in flight use the quota up.
    expect(run.finalLimit).toBeLessThanOrEqual(60);
  });

  it('a storm of SlowDown (a quota of 2 a second for 3 s): floors at min, every request completes, then recovers', () => {
    const sim: Simulation = {
      requests: 12000,
      link: { rttMs: 50, capacity: 3000, quota: 2 },
      changes: [{ atMs: 3000, link: { quota: undefined } }],
      retryDelayMs: 200,
    };
    const run = simulateAdaptive(sim, { initial: 32, min: 2, max: 256 });
    expect(run.completed).toBe(12000);
    const during = run.limits.filter((l) => l.atMs < 3000).map((l) => l.limit);
    expect(Math.min(...during)).toBe(2);
    expect(run.finalLimit).toBeGreaterThan(10);
  });

  it('noisy throttling (a quota with ±40% round trips): nothing lost, never above what the quota needs by much', () => {
    for (const seed of [7, 8, 9]) {
      const sim: Simulation = {
        requests: 3000,
        link: { rttMs: 80, capacity: 5000, quota: 300 },
        noise: 0.4,
        seed,
      };
      const run = simulateAdaptive(sim, limits);
      expect(run.completed).toBe(3000);
      // 300 a second at 80 ms: 24 in flight. Twice that, with the probes: 64 at most at the end.
      expect(run.finalLimit).toBeLessThanOrEqual(64);
      expect(run.durationMs).toBeLessThanOrEqual(bestFixed(sim) * 1.25);
    }
  });

  it('max 1: never changes, whatever the link does', () => {
    const run = simulateAdaptive(
      { requests: 300, link: { rttMs: 100, capacity: 5000, quota: 3 } },
      { initial: 1, max: 1 },
    );
    expect(run.completed).toBe(300);
    expect(run.changes).toEqual([]);
    expect(run.peakInFlight).toBe(1);
  });
});

describe('AdaptiveConcurrency decisions, step by step', () => {
  /** A controller on a hand-driven clock. */
  function controller(options: { initial?: number; min?: number; max?: number } = {}) {
    let now = 0;
    const changes: ConcurrencyChange[] = [];
    const c = new AdaptiveConcurrency({
      max: 256,
      ...options,
      now: () => now,
      onChange: (change) => changes.push(change),
    });
    /** A round: `limit` requests start, and all settle `ms` later with `units` each. */
    const round = (ms: number, units = 1, count = c.limit) => {
      for (let i = 0; i < count; i++) c.started();
      now += ms;
      for (let i = 0; i < count; i++) c.settled(units);
    };
    /** A window after the start: two rounds at `perSecond` requests a second. */
    const steady = (perSecond: number) => {
      for (let i = 0; i < 2; i++) round((c.limit / perSecond) * 1000);
    };
    return { c, changes, round, steady, advance: (ms: number) => (now += ms) };
  }

  it('clamps the initial limit into min..max, and max to at least 1', () => {
    expect(new AdaptiveConcurrency({ initial: 500, max: 100 }).limit).toBe(100);
    expect(new AdaptiveConcurrency({ initial: 0, min: 2, max: 100 }).limit).toBe(2);
    expect(new AdaptiveConcurrency({ max: 0 }).limit).toBe(1);
    expect(new AdaptiveConcurrency({ max: 100 }).limit).toBe(16);
  });

  it('time before the first request (start-up, the first listing page) is not part of the first window', () => {
    const { changes, round, advance } = controller({ initial: 8 });
    advance(900);
    round(100); // 8 in 100 ms: 80/s, not 8 in a second
    expect(changes[0]).toMatchObject({ from: 8, to: 32, reason: 'growing' });
    expect(changes[0]!.requestsPerSecond).toBeCloseTo(80);
    // A pause after a window: the next one starts with its first request too.
    advance(5000);
    round(100); // 32 in 100 ms: 320/s, 4x for 4x
    expect(changes[1]).toMatchObject({ from: 32, to: 128, reason: 'growing' });
    expect(changes[1]!.requestsPerSecond).toBeCloseTo(320);
  });

  it('a window shorter than minWindowMs is no measurement', () => {
    const { c, round } = controller({ initial: 8 });
    round(10); // 8 answers in 10 ms: too short
    expect(c.limit).toBe(8);
    round(60);
    expect(c.limit).toBe(32);
  });

  it('the first window quadruples; then 4x while an increase pays off at least half', () => {
    const { c, changes, round } = controller({ initial: 4 });
    round(100); // 40/s
    expect(c.limit).toBe(16);
    round(100); // 160/s: 4x the limit, 4x the throughput
    expect(c.limit).toBe(64);
    round(160); // 400/s: 2.5x for 4x the limit (1.5 of 3 = half): still paying off
    expect(c.limit).toBe(256);
    expect(changes.map((ch) => ch.reason)).toEqual(['growing', 'growing', 'growing']);
  });

  it('the knee: when some of the increase (15%) paid off, twice what the throughput needed', () => {
    const { c, changes, round } = controller({ initial: 10 });
    round(100); // 100/s at 10
    expect(c.limit).toBe(40);
    round(40 / 0.15); // 150/s at 40: 1.5x for 4x, past the knee. Needed: 10 x 1.5 = 15; twice: 30
    expect(c.limit).toBe(30);
    expect(changes.at(-1)).toMatchObject({ from: 40, to: 30, reason: 'knee' });
  });

  /** 100/s at 10, then 120/s at 40: past the knee with no gain worth it. Needed: 10 x 1.2, +25%: 15. */
  const pastTheKnee = (round: (ms: number) => void) => {
    round(100);
    round(40 / 0.12);
  };

  it('the knee: an increase that paid off less settles at the needed limit plus a quarter', () => {
    const { c, changes, round } = controller({ initial: 10 });
    pastTheKnee(round);
    expect(c.limit).toBe(15);
    expect(changes.at(-1)).toMatchObject({ from: 40, to: 15, reason: 'knee' });
    expect(changes.at(-1)!.requestsPerSecond).toBeCloseTo(120);
  });

  it('after the knee, holds a few windows, then probes one eighth up; no gain: back', () => {
    const { c, changes, round, steady } = controller({ initial: 10 });
    pastTheKnee(round);
    for (let i = 0; i < 3; i++) steady(120);
    expect(c.limit).toBe(15);
    steady(120);
    expect(changes.at(-1)).toMatchObject({ from: 15, to: 17, reason: 'probe' });
    steady(120); // the same 120/s at 17
    expect(changes.at(-1)).toMatchObject({ from: 17, to: 15, reason: 'no gain' });
  });

  it('a probe that pays off is kept, and the next one follows at once', () => {
    const { c, changes, round, steady } = controller({ initial: 10 });
    pastTheKnee(round);
    for (let i = 0; i < 4; i++) steady(120); // at 15, then the probe to 17
    expect(c.limit).toBe(17);
    steady(136); // 136/s at 17: it paid off
    expect(c.limit).toBe(17);
    steady(136);
    expect(changes.at(-1)).toMatchObject({ from: 17, to: 20, reason: 'probe' });
  });

  it('throughput falling at the same limit twice in a row: steps down while that costs nothing', () => {
    const { c, changes, round, steady } = controller({ initial: 10 });
    pastTheKnee(round);
    steady(120);
    steady(60); // once may be noise
    expect(c.limit).toBe(15);
    steady(60); // twice: fewer may do as well
    expect(changes.at(-1)).toMatchObject({ from: 15, to: 11, reason: 'slower' });
    steady(60); // as well at 11, so further down
    expect(changes.at(-1)).toMatchObject({ from: 11, to: 8, reason: 'slower' });
    steady(30); // that cost throughput: back to 11
    expect(changes.at(-1)).toMatchObject({ from: 8, to: 11, reason: 'no gain' });
  });

  it('at the floor, a throughput lower than a reference from a faster time becomes the reference (it probes again)', () => {
    const { c, changes, steady } = controller({ initial: 4, min: 4 });
    c.started();
    c.throttled(); // at the floor already: the fast start ends, the limit stays
    c.settled(0);
    steady(40); // the reference: a burst of retries settling together
    steady(10);
    steady(10); // twice slower, and no step down below min: this is the link now
    for (let i = 0; i < 3; i++) steady(10);
    expect(changes).toEqual([]);
    steady(10);
    expect(changes.at(-1)).toMatchObject({ from: 4, to: 5, reason: 'probe' });
  });

  it('throttling: 30% off at once, once per round of requests in flight', () => {
    const { c, changes } = controller({ initial: 100 });
    for (let i = 0; i < 100; i++) c.started();
    c.throttled();
    expect(c.limit).toBe(70);
    for (let i = 0; i < 50; i++) c.throttled(); // the same round answering
    expect(c.limit).toBe(70);
    for (let i = 0; i < 100; i++) c.settled(0); // that round is over
    c.throttled();
    expect(c.limit).toBe(49);
    expect(changes.map((ch) => [ch.to, ch.reason, ch.requestsPerSecond])).toEqual([
      [70, 'throttled', 0],
      [49, 'throttled', 0],
    ]);
  });

  it('throttling again a round later, with the requests still retrying: another decrease', () => {
    const { c, advance } = controller({ initial: 100 });
    for (let i = 0; i < 100; i++) c.started();
    c.throttled();
    advance(20); // within the round (50 ms until a window was measured)
    c.throttled();
    expect(c.limit).toBe(70);
    advance(40); // the retries, a round later, refused again
    c.throttled();
    expect(c.limit).toBe(49);
  });

  it('throttling never goes below min, and ends the fast start', () => {
    const { c, changes, round } = controller({ initial: 4, min: 3 });
    c.started();
    c.throttled();
    expect(c.limit).toBe(3);
    c.settled(0);
    c.started();
    c.throttled();
    expect(c.limit).toBe(3);
    c.settled(0);
    round(100);
    expect(changes.filter((ch) => ch.reason === 'growing')).toEqual([]);
  });

  it('throughput counts the better of requests and units a second', () => {
    const { c, round } = controller({ initial: 8 });
    round(100, 1000); // 80 requests/s, 80,000 units/s
    expect(c.limit).toBe(32);
    // Fewer requests a second (big parts now), but 3x the bytes: it paid off.
    round(200, 6000, 32);
    expect(c.limit).toBe(128);
  });

  it('a window with the limit never full is not judged', () => {
    const { c, round } = controller({ initial: 8 });
    round(100, 1, 7); // 7 of 8
    round(100, 1, 7);
    expect(c.limit).toBe(8);
  });
});
