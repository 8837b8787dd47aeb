import { adaptivePolicy, type ConcurrencyChange } from '../aws/adaptiveConcurrency.js';
import { MiB } from './partSize.js';
import type { ConcurrencyPolicy } from './pool.js';

/**
 * Where sync's concurrency starts and how far it may go when `--concurrency` does not pin it.
 * It starts above the AWS CLI's 10 because measuring takes a round trip, and at 100-300 ms
 * each round spent low is time lost; it may go to 128 small requests in flight, at most
 * {@link SYNC_BYTES_IN_FLIGHT} of files and parts.
 */
export const SYNC_CONCURRENCY = { initial: 32, max: 128 } as const;

/**
 * The most bytes of files and parts in flight at once (memory: a part is read whole before it
 * is sent). Twelve parts of 8 MiB: more than the bandwidth-delay product of 300 Mbit/s at
 * 300 ms (11 MB), so one large file fills such a link.
 */
export const SYNC_BYTES_IN_FLIGHT = 96 * MiB;

/** {@link linkConcurrency}'s settings; the defaults are sync's. */
export interface LinkConcurrencyOptions {
  /** Told of every change of the limit (the CLI prints them with `--debug`). */
  onChange?: (change: ConcurrencyChange) => void;
  /** Where it starts (default {@link SYNC_CONCURRENCY}'s). */
  initial?: number;
  /** The most in flight (default {@link SYNC_CONCURRENCY}'s). */
  max?: number;
  /** The most bytes in flight (default {@link SYNC_BYTES_IN_FLIGHT}). */
  maxBytes?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
}

/**
 * A pool policy that fits the link: an {@link AdaptiveConcurrency} that measures the pool's tasks
 * (bytes and requests per second) and backs off when S3 throttles, within {@link SYNC_CONCURRENCY}
 * and a byte budget that keeps memory flat however large the files.
 */
export function linkConcurrency(options: LinkConcurrencyOptions = {}): ConcurrencyPolicy {
  return adaptivePolicy({
    initial: options.initial ?? SYNC_CONCURRENCY.initial,
    max: options.max ?? SYNC_CONCURRENCY.max,
    maxBytes: options.maxBytes ?? SYNC_BYTES_IN_FLIGHT,
    now: options.now,
    onChange: options.onChange,
  });
}
