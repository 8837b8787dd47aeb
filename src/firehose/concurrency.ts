import { adaptivePolicy, type ConcurrencyChange } from '../aws/adaptiveConcurrency.js';
import { fixedConcurrency, type ConcurrencyPolicy } from '../aws/concurrency.js';
import { FIREHOSE_BYTES_IN_FLIGHT, FIREHOSE_CONCURRENCY } from './limits.js';

/**
 * The delivery engine's concurrency when nothing pins it: an adaptive policy that measures each
 * batch (from its turn to its last record's outcome, with the bytes delivered), grows while more
 * calls in flight deliver more, and comes down when Firehose answers ServiceUnavailableException,
 * within {@link FIREHOSE_CONCURRENCY} and {@link FIREHOSE_BYTES_IN_FLIGHT}. `onChange` hears of
 * every change (`firehose put --debug` prints them, the agent logs them).
 */
export function streamConcurrency(onChange?: (change: ConcurrencyChange) => void): ConcurrencyPolicy {
  return adaptivePolicy({ ...FIREHOSE_CONCURRENCY, maxBytes: FIREHOSE_BYTES_IN_FLIGHT, onChange });
}

/** `pinned` batches at once when given (`--concurrency`, a flow's `concurrency`), else {@link streamConcurrency}. */
export function firehoseConcurrency(
  pinned: number | undefined,
  onChange?: (change: ConcurrencyChange) => void,
): ConcurrencyPolicy {
  return pinned === undefined ? streamConcurrency(onChange) : fixedConcurrency(pinned);
}
