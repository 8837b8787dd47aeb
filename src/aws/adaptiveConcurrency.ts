/**
 * How many requests to keep in flight, from what they achieve: one controller for S3 sync's pool
 * and the Firehose delivery engine. Pure logic with an injected clock (tests drive it with a
 * simulated link).
 *
 * It measures throughput (requests and work units per second; units are bytes for S3, records
 * for Firehose) over windows of about one round of requests, and:
 * - starts fast: the limit doubles after the first window, then grows 4x a window while most of
 *   each increase turns into throughput (the link is latency-bound: more in flight, more done);
 * - at the knee (an increase that paid off less than half), settles where Little's law says the
 *   measured throughput needed, with a quarter of headroom, or twice that limit when some of the
 *   increase (15%) paid off;
 * - then probes: one step up now and then (additive increase), kept only when it pays off, and
 *   a step down when throughput fell at the same limit (the link got slower: fewer requests in
 *   flight do as well, for less memory and less queueing);
 * - on throttling (S3 SlowDown/503, Firehose ServiceUnavailableException), takes 30% off at once
 *   (multiplicative decrease), at most once per round of requests (those in flight settled, or
 *   the time a round takes passed: retried requests throttled again are a new round);
 * - judges only windows that had the limit in use: when the work cannot fill it (a few files
 *   left, a memory bound), nothing is learned about a larger limit.
 */
import type { ConcurrencyPolicy } from './concurrency.js';

/** Why the limit moved. */
export type ConcurrencyReason =
  /** Start-up: the last increase turned into throughput. */
  | 'growing'
  /** Start-up ended: throughput stopped following the limit. */
  | 'knee'
  /** A probe one step up. */
  | 'probe'
  /** The probe up did not pay off: back. */
  | 'no gain'
  /** Throughput fell at the same limit: trying fewer. */
  | 'slower'
  /** The service asked to slow down. */
  | 'throttled';

/** A change of the limit, for `--debug` lines and benchmarks. */
export interface ConcurrencyChange {
  /** The limit before. */
  from: number;
  /** The limit after. */
  to: number;
  /** What decided it. */
  reason: ConcurrencyReason;
  /** What the window that decided it measured (0 for throttling, decided at once). */
  requestsPerSecond: number;
  /** Units (bytes, records) a second, measured as `requestsPerSecond` is. */
  unitsPerSecond: number;
}

/** Where an {@link AdaptiveConcurrency} starts, its bounds, its clock, and who hears of its changes. */
export interface AdaptiveConcurrencyOptions {
  /** Where it starts (default 16, within min..max). */
  initial?: number;
  /** Never fewer than this (default 1). */
  min?: number;
  /** Never more than this: what memory and sockets are sized for. */
  max: number;
  /** A window lasts at least this long (default 50 ms), so a burst of fast answers is not a measurement. */
  minWindowMs?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Told of every change of the limit. */
  onChange?: (change: ConcurrencyChange) => void;
}

/** Growth factor at start-up while the link is latency-bound. */
const FAST_GROWTH = 4;
/** Share of an increase that must become throughput for it to count as paying off. */
const PAYS_OFF = 0.5;
/** Share of an increase that, turned into throughput, doubles the headroom at the knee. */
const SOME_GAIN = 0.15;
/** Headroom over the concurrency the measured throughput needed, at the knee. */
const KNEE_HEADROOM = 1.25;
/** Multiplicative decrease on throttling. */
const THROTTLE_FACTOR = 0.7;
/** Windows to hold a limit before probing up again. */
const HOLD_WINDOWS = 4;
/** Throughput at the same limit below this share of what it was: the link got slower. */
const SLOWER = 0.7;
/** A step down is kept when throughput stays above this share of what it was. */
const STEP_DOWN_KEEPS = 0.9;

interface Window {
  startedAt: number;
  limit: number;
  requests: number;
  units: number;
  /** Most requests in flight at once during the window. */
  peak: number;
}

interface Measurement {
  limit: number;
  requestsPerSecond: number;
  unitsPerSecond: number;
}

type Phase = 'start' | 'steady' | 'probingUp' | 'probingDown';

/** The controller; see the file's comment for how it decides. */
export class AdaptiveConcurrency {
  /** The lower bound, as clamped: `1 <= min <= max`. */
  readonly min: number;
  /** The upper bound, at least 1. */
  readonly max: number;
  private value: number;
  private phase: Phase = 'start';
  private inFlight = 0;
  private window: Window;
  /** The measurement the next decision compares with: the window before a change, or the steady reference. */
  private reference: Measurement | undefined;
  private hold = 0;
  private slowWindows = 0;
  /**
   * After a decrease for throttling, throttles are answers to the old limit until this many more
   * requests settled or the time of a round has passed (requests stuck in retries settle late).
   */
  private throttleQuiet = 0;
  private quietUntil = 0;
  /** How long the last measured window took: about one round of requests. */
  private roundMs: number;
  private readonly minWindowMs: number;
  private readonly now: () => number;
  private readonly onChange: ((change: ConcurrencyChange) => void) | undefined;

  constructor(options: AdaptiveConcurrencyOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.min = Math.min(this.max, Math.max(1, Math.floor(options.min ?? 1)));
    this.value = this.clamp(options.initial ?? 16);
    this.minWindowMs = options.minWindowMs ?? 50;
    this.roundMs = this.minWindowMs;
    this.now = options.now ?? (() => performance.now());
    this.onChange = options.onChange;
    this.window = this.freshWindow();
  }

  /** How many may be in flight now. */
  get limit(): number {
    return this.value;
  }

  /** A request started. */
  started(): void {
    // A window nothing ran in yet starts with its first request: the time before (start-up, the
    // first listing page, a pause of the work) is no measure of the link.
    if (this.inFlight === 0 && this.window.requests === 0) this.window.startedAt = this.now();
    this.inFlight++;
    if (this.inFlight > this.window.peak) this.window.peak = this.inFlight;
  }

  /** A request ended, having done `units` of work (bytes, records; 0 when it failed). */
  settled(units = 0): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.window.requests++;
    this.window.units += units;
    if (this.throttleQuiet > 0) this.throttleQuiet--;
    const elapsed = this.now() - this.window.startedAt;
    const rounds = this.phase === 'start' ? 1 : 2;
    if (elapsed >= this.minWindowMs && this.window.requests >= Math.max(4, rounds * this.window.peak))
      this.endWindow(elapsed);
  }

  /** The service asked to slow down (the request will be retried). */
  throttled(): void {
    // Requests already in flight when the limit came down answer for the old limit: one decrease per round.
    const now = this.now();
    if (this.throttleQuiet > 0 && now < this.quietUntil) return;
    const to = this.clamp(Math.floor(this.value * THROTTLE_FACTOR));
    this.throttleQuiet = Math.max(1, this.inFlight);
    this.quietUntil = now + this.roundMs;
    this.phase = 'steady';
    this.hold = HOLD_WINDOWS;
    this.reference = undefined;
    this.change(to, 'throttled', { limit: this.value, requestsPerSecond: 0, unitsPerSecond: 0 });
  }

  private clamp(n: number): number {
    return Math.min(this.max, Math.max(this.min, Math.round(n)));
  }

  private freshWindow(): Window {
    return { startedAt: this.now(), limit: this.value, requests: 0, units: 0, peak: this.inFlight };
  }

  private change(to: number, reason: ConcurrencyReason, measured: Measurement): void {
    const from = this.value;
    this.value = to;
    this.window = this.freshWindow();
    if (to !== from) {
      const { requestsPerSecond, unitsPerSecond } = measured;
      this.onChange?.({ from, to, reason, requestsPerSecond, unitsPerSecond });
    }
  }

  private endWindow(elapsedMs: number): void {
    const w = this.window;
    this.roundMs = Math.max(this.minWindowMs, elapsedMs / (this.phase === 'start' ? 1 : 2));
    const measured: Measurement = {
      limit: w.limit,
      requestsPerSecond: (w.requests * 1000) / elapsedMs,
      unitsPerSecond: (w.units * 1000) / elapsedMs,
    };
    // The work did not fill the limit: nothing learned about it. Measure again.
    if (w.peak < w.limit) {
      this.window = this.freshWindow();
      return;
    }
    if (this.phase === 'start') this.decideStart(measured);
    else if (this.phase === 'probingUp') this.decideProbeUp(measured);
    else if (this.phase === 'probingDown') this.decideProbeDown(measured);
    else this.decideSteady(measured);
  }

  private decideStart(m: Measurement): void {
    const before = this.reference;
    this.reference = m;
    if (!before) return this.grow(this.value * FAST_GROWTH, m);
    if (paidOff(before, m)) return this.grow(this.value * FAST_GROWTH, m);
    // The knee: the concurrency the measured throughput needed at the old latency (Little's law),
    // with headroom. Double when some of the increase paid off: the window after an increase
    // undercounts it (new connections pay their handshakes in it), and above the knee costs
    // little (sockets, some queueing) where below it costs a share of every round trip.
    const someGain = gain(before, m) - 1 >= SOME_GAIN * (m.limit / before.limit - 1);
    const needed = before.limit * gain(before, m) * (someGain ? 2 : KNEE_HEADROOM);
    this.settle(Math.min(this.value, Math.max(before.limit, needed)), 'knee', m);
  }

  private grow(to: number, m: Measurement): void {
    if (this.clamp(to) === this.value) return this.settle(this.value, 'knee', m);
    this.change(this.clamp(to), 'growing', m);
  }

  private settle(to: number, reason: ConcurrencyReason, m: Measurement): void {
    this.phase = 'steady';
    this.hold = HOLD_WINDOWS;
    this.slowWindows = 0;
    this.reference = { ...m, limit: this.clamp(to) };
    this.change(this.clamp(to), reason, m);
  }

  private decideSteady(m: Measurement): void {
    const ref = this.reference;
    if (!ref) {
      this.reference = m;
      this.window = this.freshWindow();
      return;
    }
    if (gain(ref, m) < SLOWER) {
      // Twice in a row (one window may be noise): fewer in flight may do as well.
      if (++this.slowWindows >= 2) {
        if (this.value > this.min) return this.stepDown(m);
        // At the floor this is what the link does now. A reference kept from a faster time (a
        // burst of retried requests settling at once) would hold it at the floor for good.
        this.reference = m;
        this.slowWindows = 0;
      }
      this.window = this.freshWindow();
      return;
    }
    this.slowWindows = 0;
    // Follow the throughput at this limit slowly: one noisy window does not move the reference far.
    this.reference = blend(ref, m);
    if (--this.hold > 0 || this.value >= this.max) {
      this.window = this.freshWindow();
      return;
    }
    this.phase = 'probingUp';
    this.reference = m;
    this.change(this.clamp(this.value + Math.max(1, Math.ceil(this.value / 8))), 'probe', m);
  }

  private decideProbeUp(m: Measurement): void {
    const before = this.reference!;
    if (paidOff(before, m)) {
      // Keep it and take another step next time round.
      this.phase = 'steady';
      this.hold = 1;
      this.reference = m;
      this.window = this.freshWindow();
      return;
    }
    this.settle(before.limit, 'no gain', m);
  }

  private stepDown(m: Measurement): void {
    this.phase = 'probingDown';
    this.reference = m;
    this.change(this.clamp(Math.min(this.value - 1, this.value * 0.75)), 'slower', m);
  }

  private decideProbeDown(m: Measurement): void {
    const before = this.reference!;
    // Fewer did as well: keep going down until a step costs throughput.
    if (gain(before, m) >= STEP_DOWN_KEEPS) {
      if (this.value > this.min) return this.stepDown(m);
      return this.settle(this.value, 'slower', m);
    }
    this.settle(before.limit, 'no gain', m);
  }
}

/** How much more was done in `after` than in `before`: the better of requests and units per second. */
function gain(before: Measurement, after: Measurement): number {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : 1);
  return Math.max(
    ratio(after.requestsPerSecond, before.requestsPerSecond),
    ratio(after.unitsPerSecond, before.unitsPerSecond),
  );
}

/** Whether an increase of the limit from `before` to `after` turned at least half into throughput. */
function paidOff(before: Measurement, after: Measurement): boolean {
  const increase = after.limit / before.limit - 1;
  if (increase <= 0) return gain(before, after) > 1;
  return gain(before, after) - 1 >= PAYS_OFF * increase;
}

function blend(ref: Measurement, m: Measurement): Measurement {
  return {
    limit: m.limit,
    requestsPerSecond: (ref.requestsPerSecond + m.requestsPerSecond) / 2,
    unitsPerSecond: (ref.unitsPerSecond + m.unitsPerSecond) / 2,
  };
}

/** {@link adaptivePolicy}'s settings: the controller's, and a byte budget. */
export interface AdaptivePolicyOptions extends AdaptiveConcurrencyOptions {
  /** The most bytes of tasks in flight at once (see {@link ConcurrencyPolicy.maxBytes}). */
  maxBytes?: number;
}

/**
 * An {@link AdaptiveConcurrency} as the policy a pool or the delivery engine asks: the limit is
 * the controller's, each task started and settled (with its bytes) is measured, throttling
 * brings it down. `s3 sync` (`linkConcurrency`) and the Firehose engine (`streamConcurrency`)
 * differ only in their bounds.
 */
export function adaptivePolicy(options: AdaptivePolicyOptions): ConcurrencyPolicy {
  const controller = new AdaptiveConcurrency(options);
  return {
    max: controller.max,
    maxBytes: options.maxBytes,
    current: () => controller.limit,
    started: () => controller.started(),
    settled: ({ bytes }) => controller.settled(bytes),
    throttled: () => controller.throttled(),
  };
}
