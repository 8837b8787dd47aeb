/**
 * How many batches the delivery engine has under way at once. The engine asks for a slot before it
 * takes a batch from its source and gives it back once the batch is done (delivered or given up,
 * its callbacks awaited), telling the slot about every call made meanwhile. A fixed policy ignores
 * those reports; an adaptive one (AIMD: grow while throughput grows, halve on throttling) reads them.
 */

/** What one PutRecordBatch call did, for a policy that adapts. */
export interface CallReport {
  /** Records sent, and how many of them Firehose accepted. */
  records: number;
  delivered: number;
  /** Firehose asked to slow down: the whole call, or some of its entries, came back throttled. */
  throttled: boolean;
  /** No answer arrived (network error, lost answer, abort). */
  unanswered: boolean;
  /** From sending the request to its answer (or failure). */
  durationMs: number;
}

/** One batch's turn. */
export interface ConcurrencySlot {
  /** Told after each call the batch makes, retries included. */
  report(call: CallReport): void;
  /** The batch is done; called exactly once. */
  release(): void;
}

export interface ConcurrencyPolicy {
  /** Resolves with a slot once another batch may start. */
  acquire(): Promise<ConcurrencySlot>;
}

/** At most `limit` batches under way; the others wait their turn, first come first served. */
export function fixedConcurrency(limit: number): ConcurrencyPolicy {
  let busy = 0;
  const waiting: Array<() => void> = [];
  const slot = (): ConcurrencySlot => {
    let released = false;
    return {
      report: () => undefined,
      release() {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else busy -= 1;
      },
    };
  };
  return {
    acquire() {
      if (busy < limit) {
        busy += 1;
        return Promise.resolve(slot());
      }
      // The releasing batch hands its turn over directly, so `busy` stays as it is.
      return new Promise((resolve) => waiting.push(() => resolve(slot())));
    },
  };
}
