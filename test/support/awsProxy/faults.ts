/** Faults queued by tests: which requests they hit, and how many times. */
import { awsError } from './answers.js';

export type FaultService = 'sts' | 'iam' | 'firehose' | 's3';

interface FaultTarget {
  service: FaultService;
  /** `AssumeRole`, `PutRecordBatch`, `PutObject`, ...; omitted: every action of the service. */
  action?: string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

/**
 * The whole call fails with AWS's error in the service's own shape. `status` and `message`
 * default to AWS's for well-known codes (`Throttling`, `ServiceUnavailableException`, `SlowDown`,
 * `InternalError`, ...); other codes need a `status`.
 */
export interface ErrorFault extends FaultTarget {
  kind: 'error';
  code: string;
  status?: number;
  message?: string;
}

/** The connection is destroyed without an answer: the client sees a reset socket. */
export interface NetworkFault extends FaultTarget {
  kind: 'network';
  /**
   * The request is first passed on to moto and carried out (records delivered, objects written);
   * only its answer is lost. Default: dropped before it reaches moto.
   */
  answerLost?: boolean;
}

/**
 * PutRecordBatch succeeds as a call, but the chosen records come back failed
 * (`FailedPutCount`, per-entry `ErrorCode`/`ErrorMessage`) and are not delivered; the others are.
 */
export interface PartialFailureFault extends FaultTarget {
  kind: 'partialFailure';
  service: 'firehose';
  action?: 'PutRecordBatch';
  /** Indexes of the records that fail, or a test on the index. */
  failing: readonly number[] | ((index: number) => boolean);
  /** Default `ServiceUnavailableException`. */
  errorCode?: string;
  /** Default `Slow down.` */
  errorMessage?: string;
}

export type Fault = ErrorFault | NetworkFault | PartialFailureFault;

export interface FaultQueue {
  add(fault: Fault): void;
  clear(): void;
  /** Spends one use of the first queued fault that matches the request. */
  take(service: string, action: string): Fault | undefined;
}

export function createFaultQueue(): FaultQueue {
  let queued: { fault: Fault; left: number }[] = [];
  return {
    add(fault) {
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new Error(`fault times must be >= 1, not ${times}`);
      if (fault.kind === 'error') awsError(fault.service, fault.code, fault); // fails fast on an unknown code
      queued.push({ fault, left: times });
    },
    clear() {
      queued = [];
    },
    take(service, action) {
      const matching = (f: Fault) =>
        f.service === service &&
        (f.action ?? (f.kind === 'partialFailure' ? 'PutRecordBatch' : action)) === action;
      const slot = queued.find((q) => matching(q.fault));
      if (!slot) return undefined;
      slot.left -= 1;
      if (slot.left === 0) queued = queued.filter((q) => q !== slot);
      return slot.fault;
    },
  };
}
