/**
 * One batch on its way through the delivery engine, as a state machine: every state a batch can
 * be in (`BatchStep`) and the pure transitions between them. The engine (`delivery.ts`) performs
 * each step's side effect (a call, a wait, a refresh) and asks these functions what comes next,
 * so every transition can be tested without a clock or a network.
 */
import type { PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import { pairEntries } from './response.js';
import { answerLost, classifyCallError, errorCodeOf } from './retry.js';

/** Why a record is not delivered. */
export type UndeliveredStatus =
  /** Firehose said no on every attempt (an entry's ErrorCode, throttling, a refusal), or could not be reached: it did not arrive. */
  | 'refused'
  /** The answer to a call it was in was lost (connection reset, timeout, a call aborted in flight): it may have arrived. */
  | 'unknown'
  /** It was never sent, or not sent again, because the run stopped: it did not arrive. */
  | 'notSent';

/** The reason a record is not delivered yet, in AWS's words (`ServiceUnavailableException`) or Node's (`ECONNRESET`). */
export interface CallError {
  errorCode: string;
  errorMessage?: string;
}

/** What happens next to a batch. */
export type BatchStep =
  /** Make a call with the pending records. */
  | { name: 'send' }
  /** Wait `backoffDelay(retry)` (exponential, full jitter), then send. */
  | { name: 'backoff'; retry: number }
  /** The session token expired: get new credentials, then send at once. */
  | { name: 'refresh' }
  /** AWS refused the call itself (stream deleted, AccessDenied): the caller says stop, or retry later. */
  | { name: 'fatal'; error: unknown }
  /** The caller chose to retry a refused call: wait `ms`, then send, with attempts counted afresh. */
  | { name: 'retryLater'; ms: number }
  /** The pending records are given up, as `status`. */
  | { name: 'giveUp'; status: UndeliveredStatus }
  /** Nothing is pending. */
  | { name: 'done' };

export interface BatchState {
  /** Positions (in the batch) of the records not delivered yet: only these are sent again. */
  readonly pending: readonly number[];
  /** Why each pending record is not delivered yet, in the same order; empty before the first failure. */
  readonly errors: readonly CallError[];
  /** Calls made so far (since the last `retryLater`): the next call is attempt `attempts + 1`. */
  readonly attempts: number;
  /**
   * The answer to a call was lost while these records were pending. Pending records shrink but
   * never grow, so every one of them was in that call: each may have arrived.
   */
  readonly mayHaveArrived: boolean;
  /** The last call's answer was lost: the next call repeats one that may have been carried out. */
  readonly lastAnswerLost: boolean;
  readonly step: BatchStep;
}

/** What the run as a whole says about sending, when a batch decides its next step. */
export interface RunView {
  maxAttempts: number;
  /** Winding down (the first Ctrl-C): nothing is retried, calls in flight finish. */
  stopping: boolean;
  /** Stopped at once (the second Ctrl-C): calls in flight were aborted. */
  aborted: boolean;
  /** A fatal refusal or bad input stopped the run: nothing more is sent. */
  halted: boolean;
}

/** Given up without a call having failed: the run stopped first. */
export const INTERRUPTED: CallError = {
  errorCode: 'Interrupted',
  errorMessage: 'not sent: the run was stopped',
};
const ABORTED_IN_FLIGHT: CallError = {
  errorCode: 'Interrupted',
  errorMessage: 'the call was aborted in flight: it may have arrived',
};

/** A new batch of `size` records: all pending, to be sent. */
export function firstState(size: number): BatchState {
  return {
    pending: Array.from({ length: size }, (_, i) => i),
    errors: [],
    attempts: 0,
    mayHaveArrived: false,
    lastAnswerLost: false,
    step: { name: 'send' },
  };
}

const giveUp = (state: BatchState, status: UndeliveredStatus, errors = state.errors): BatchState => ({
  ...state,
  errors: errors.length > 0 ? errors : state.pending.map(() => INTERRUPTED),
  step: { name: 'giveUp', status },
});

/** Records that were not sent again: unknown if a lost answer may have delivered them, else not sent. */
const notSent = (state: BatchState) => (state.mayHaveArrived ? 'unknown' : 'notSent');
/** Records out of attempts: unknown if a lost answer may have delivered them, else refused. */
const refused = (state: BatchState) => (state.mayHaveArrived ? 'unknown' : 'refused');

/** Still failing: give up when stopping or out of attempts, else back off. */
function retryOrGiveUp(state: BatchState, run: RunView): BatchState {
  if (run.stopping) return giveUp(state, notSent(state));
  if (state.attempts >= run.maxAttempts) return giveUp(state, refused(state));
  return { ...state, step: { name: 'backoff', retry: state.attempts } };
}

/** Before a call (after any pause): the run may have stopped sending meanwhile. */
export function beforeCall(state: BatchState, run: RunView): BatchState {
  if (run.halted || run.aborted) return giveUp(state, notSent(state));
  return { ...state, attempts: state.attempts + 1 };
}

/** After an answer: the accepted entries leave `pending`, the failed ones stay with their ErrorCode. */
export function afterAnswer(
  state: BatchState,
  output: PutRecordBatchOutput,
  run: RunView,
): { state: BatchState; delivered: number[] } {
  const { delivered, failed } = pairEntries(state.pending.length, output);
  const next: BatchState = {
    ...state,
    pending: failed.map((f) => state.pending[f.position]!),
    errors: failed.map(({ errorCode, errorMessage }) => ({ errorCode, errorMessage })),
    lastAnswerLost: false,
    step: { name: 'done' },
  };
  return {
    state: failed.length === 0 ? next : retryOrGiveUp(next, run),
    delivered: delivered.map((position) => state.pending[position]!),
  };
}

/** After a call threw: retry (after a wait, or a refresh), give up, or hand a refusal to the caller. */
export function afterError(state: BatchState, err: unknown, run: RunView): BatchState {
  if (run.aborted) {
    return giveUp(
      { ...state, mayHaveArrived: true },
      'unknown',
      state.pending.map(() => ABORTED_IN_FLIGHT),
    );
  }
  const kind = classifyCallError(err);
  if (kind === 'fatal' || (kind === 'expired' && state.attempts >= run.maxAttempts)) {
    return { ...state, step: { name: 'fatal', error: err } };
  }
  const error: CallError = {
    errorCode: errorCodeOf(err),
    errorMessage: err instanceof Error ? err.message : String(err),
  };
  const lost = kind === 'retry' && answerLost(err);
  const failed: BatchState = {
    ...state,
    errors: state.pending.map(() => error),
    mayHaveArrived: state.mayHaveArrived || lost,
    lastAnswerLost: lost,
  };
  if (kind === 'expired') return { ...failed, step: { name: 'refresh' } };
  return retryOrGiveUp(failed, run);
}

/** After a wait (backoff, refresh, retryLater): send again, unless the run winds down or has stopped. */
export function afterWait(state: BatchState, run: RunView): BatchState {
  if (run.stopping || run.halted || run.aborted) return giveUp(state, notSent(state));
  return { ...state, step: { name: 'send' } };
}

/** The caller's answer to a fatal refusal: stop (the records are refused, the run halts), or retry after `ms`. */
export function afterFatal(
  state: BatchState,
  error: CallError,
  retryAfterMs: number | undefined,
): BatchState {
  if (retryAfterMs === undefined)
    return giveUp(
      state,
      refused(state),
      state.pending.map(() => error),
    );
  return {
    ...state,
    attempts: 0,
    errors: state.pending.map(() => error),
    step: { name: 'retryLater', ms: retryAfterMs },
  };
}
