/**
 * How many units of work run at once against AWS (S3 transfers in `s3 sync`, PutRecordBatch
 * batches in the Firehose delivery engine): asked each time one is about to start, and told how
 * each went. A fixed number ({@link fixedConcurrency}), or one that adapts to the link (grow while
 * throughput grows, back off when AWS throttles: S3's SlowDown, Firehose's
 * ServiceUnavailableException; `s3 sync` uses `linkConcurrency`), the same seam for both.
 */
export interface ConcurrencyPolicy {
  /** The most tasks ever in flight: the pool's workers, and what sockets and listeners are sized for. */
  readonly max: number;
  /**
   * The most bytes of tasks in flight at once (a task that alone exceeds it still runs, alone
   * with the others finishing): what keeps memory flat when many large parts could be in flight.
   */
  readonly maxBytes?: number;
  /** How many may be in flight now (1..max). */
  current(): number;
  /** A task started. */
  started?(): void;
  /** A task settled after `ms`, having moved `bytes` where the caller counts them (only called when the policy has this hook). */
  settled?(sample: { ms: number; bytes?: number }): void;
  /** A request was refused with SlowDown/503 and will be retried. */
  throttled?(): void;
}

/** `n` tasks at once, always. */
export function fixedConcurrency(n: number): ConcurrencyPolicy {
  return { max: n, current: () => n };
}
