/**
 * How many units of work run at once against AWS (S3 transfers in `s3 sync`, PutRecordBatch
 * batches in the Firehose delivery engine): asked each time one is about to start, and told how
 * each went. Today's policy is a fixed number ({@link fixedConcurrency}); one that adapts to the
 * link (grow while throughput grows, back off when AWS throttles: S3's SlowDown, Firehose's
 * ServiceUnavailableException) plugs in here, the same for both.
 */
export interface ConcurrencyPolicy {
  /** The most tasks ever in flight: the pool's workers, and what sockets and listeners are sized for. */
  readonly max: number;
  /** How many may be in flight now (1..max). */
  current(): number;
  /** A task settled after `ms` (only called when the policy has this hook). */
  settled?(sample: { ms: number }): void;
  /** A request was refused with SlowDown/503 and will be retried. */
  throttled?(): void;
}

/** `n` tasks at once, always. */
export function fixedConcurrency(n: number): ConcurrencyPolicy {
  return { max: n, current: () => n };
}
