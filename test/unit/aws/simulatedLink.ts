/**
 * A simulated link for the concurrency controller's tests: discrete events, simulated time, no
 * timers. Each request crosses the link (half the round trip), queues for a server that does
 * `capacity` requests a second one at a time (the bottleneck: bandwidth, or the service's own
 * rate), and comes back (the other half). A service with a quota answers SlowDown to requests
 * arriving faster than it allows; a throttled request keeps its slot and is sent again after
 * `retryDelayMs`, as the SDK's retries do.
 */
import { AdaptiveConcurrency, type ConcurrencyChange } from '../../../src/aws/adaptiveConcurrency.js';

export interface LinkState {
  rttMs: number;
  /** Requests per second the bottleneck serves (the service's per-request cost). */
  capacity: number;
  /**
   * Units (bytes) per second the bottleneck carries, on top of its per-request cost: a request
   * of `u` units holds it `u / bandwidth` seconds longer (default: unlimited).
   */
  bandwidth?: number;
  /**
   * The service's quota, in requests a second (a token bucket holding a tenth of a second's
   * worth): requests arriving beyond it are throttled.
   */
  quota?: number;
}

export interface Simulation {
  /** Requests to complete. */
  requests: number;
  link: LinkState;
  /** The link changes at these simulated times (ms). */
  changes?: Array<{ atMs: number; link: Partial<LinkState> }>;
  /** Round trips vary by up to this share either way (0.3: 70%..130%), from a seeded generator. */
  noise?: number;
  /** Units of work per request (bytes, records): one number, or the sizes of the requests in turn (cycling). */
  units?: number | number[];
  /**
   * The most units in flight at once, as the pool's byte budget (a request larger than it goes
   * alone): large files hold the pool below its limit.
   */
  budget?: number;
  /** The work offers at most this many requests at once (default unlimited): an app-limited run. */
  offered?: number;
  retryDelayMs?: number;
  seed?: number;
}

export interface Outcome {
  durationMs: number;
  completed: number;
  throttles: number;
  /** The limit after each change, and the time. */
  limits: Array<{ atMs: number; limit: number }>;
  changes: ConcurrencyChange[];
  finalLimit: number;
  maxLimit: number;
  /** Most requests that were ever in flight at once. */
  peakInFlight: number;
}

/** Mulberry32: a small seeded generator, so every run of a test sees the same noise. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

/** A binary heap of events by time (then by order of scheduling). */
class Events {
  private heap: Event[] = [];
  private seq = 0;
  push(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, run });
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Event, b: Event) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A fixed policy's run on the same link: the reference the controller is compared with. */
export function simulateFixed(limit: number, sim: Simulation): Outcome {
  return run(sim, { limit: () => limit, started() {}, settled() {}, throttled() {} }, () => [], limit);
}

/** The controller's run on a simulated link. */
export function simulateAdaptive(
  sim: Simulation,
  options: { initial?: number; min?: number; max: number },
): Outcome {
  let now = 0;
  const changes: ConcurrencyChange[] = [];
  const limits: Array<{ atMs: number; limit: number }> = [];
  const controller = new AdaptiveConcurrency({
    ...options,
    now: () => now,
    onChange: (c) => {
      changes.push(c);
      limits.push({ atMs: now, limit: c.to });
    },
  });
  limits.push({ atMs: 0, limit: controller.limit });
  const driver: Driver = {
    limit: () => controller.limit,
    started: () => controller.started(),
    settled: (units) => controller.settled(units),
    throttled: () => controller.throttled(),
  };
  return run(
    sim,
    driver,
    () => changes,
    controller.limit,
    (t) => (now = t),
    limits,
  );
}

interface Driver {
  limit(): number;
  started(): void;
  settled(units: number): void;
  throttled(): void;
}

function run(
  sim: Simulation,
  driver: Driver,
  changes: () => ConcurrencyChange[],
  initialLimit: number,
  setNow: (t: number) => void = () => {},
  limits: Array<{ atMs: number; limit: number }> = [{ atMs: 0, limit: initialLimit }],
): Outcome {
  const random = seeded(sim.seed ?? 1);
  const link: LinkState = { ...sim.link };
  const events = new Events();
  const retryDelayMs = sim.retryDelayMs ?? 100;
  const sizes = typeof sim.units === 'object' ? sim.units : [sim.units ?? 1];
  let now = 0;
  let serverFree = 0;
  let inFlight = 0;
  let started = 0;
  let completed = 0;
  let throttles = 0;
  let peakInFlight = 0;
  let unitsInFlight = 0;
  const budget = sim.budget ?? Infinity;
  const halfTrip = () => (link.rttMs / 2) * (1 + (sim.noise ?? 0) * (random() * 2 - 1));

  let tokens = Infinity;
  let refilled = 0;
  const admitted = () => {
    if (link.quota === undefined) return true;
    const burst = Math.max(1, link.quota / 10);
    tokens = Math.min(burst, tokens + ((now - refilled) * link.quota) / 1000);
    refilled = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const arrive = (units: number) => {
    if (!admitted()) {
      throttles++;
      events.push(now + halfTrip(), () => {
        driver.throttled();
        events.push(now + retryDelayMs, () => events.push(now + halfTrip(), () => arrive(units)));
      });
      return;
    }
    const carry = link.bandwidth ? (units * 1000) / link.bandwidth : 0;
    const done = Math.max(now, serverFree) + 1000 / link.capacity + carry;
    serverFree = done;
    events.push(done, () => {
      events.push(now + halfTrip(), () => complete(units));
    });
  };
  const complete = (units: number) => {
    inFlight--;
    unitsInFlight -= units;
    completed++;
    driver.settled(units);
    fill();
  };
  const fill = () => {
    while (started < sim.requests && inFlight < driver.limit() && inFlight < (sim.offered ?? Infinity)) {
      const units = sizes[started % sizes.length]!;
      if (inFlight > 0 && unitsInFlight + units > budget) return;
      started++;
      inFlight++;
      unitsInFlight += units;
      peakInFlight = Math.max(peakInFlight, inFlight);
      driver.started();
      events.push(now + halfTrip(), () => arrive(units));
    }
  };
  for (const change of sim.changes ?? []) events.push(change.atMs, () => Object.assign(link, change.link));
  fill();
  for (let event = events.pop(); event && completed < sim.requests; event = events.pop()) {
    now = event.at;
    setNow(now);
    event.run();
  }
  const all = limits.map((l) => l.limit);
  return {
    durationMs: now,
    completed,
    throttles,
    limits,
    changes: changes(),
    finalLimit: all.at(-1)!,
    maxLimit: Math.max(...all),
    peakInFlight,
  };
}
