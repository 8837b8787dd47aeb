/** Every transition of a batch's state machine (batchSteps.ts), without a clock or a network. */
import { describe, expect, it } from 'vitest';
import {
  afterAnswer,
  afterError,
  afterFatal,
  afterWait,
  beforeCall,
  firstState,
  INTERRUPTED,
  type BatchState,
  type RunView,
} from '../../../src/firehose/batchSteps.js';

const running: RunView = { maxAttempts: 3, stopping: false, aborted: false, halted: false };
const sdkError = (name: string, status?: number, code?: string) =>
  Object.assign(new Error(`${name}!`), {
    name,
    ...(code ? { code } : {}),
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
  });
const reset = () => sdkError('TimeoutError', undefined, 'ECONNRESET');
const answer = (...codes: Array<string | undefined>) => ({
  FailedPutCount: codes.filter(Boolean).length,
  RequestResponses: codes.map((c) => (c ? { ErrorCode: c, ErrorMessage: 'Slow down.' } : { RecordId: 'x' })),
});
/** A state as it is during its `attempts`-th call. */
const calling = (size: number, attempts = 1, more: Partial<BatchState> = {}): BatchState => ({
  ...firstState(size),
  attempts,
  ...more,
});

describe('a batch: first state and the call', () => {
  it('starts with every record pending, to be sent', () => {
    expect(firstState(3)).toEqual({
      pending: [0, 1, 2],
      errors: [],
      attempts: 0,
      mayHaveArrived: false,
      lastAnswerLost: false,
      step: { name: 'send' },
    });
  });

  it('beforeCall: counts the attempt, unless the run halted or was aborted (then: not sent, interrupted)', () => {
    expect(beforeCall(firstState(1), running)).toMatchObject({ attempts: 1, step: { name: 'send' } });
    for (const run of [
      { ...running, halted: true },
      { ...running, aborted: true },
    ]) {
      expect(beforeCall(firstState(2), run)).toMatchObject({
        errors: [INTERRUPTED, INTERRUPTED],
        step: { name: 'giveUp', status: 'notSent' },
      });
    }
    // A batch whose answer was lost earlier may have arrived: given up, it is unknown.
    expect(beforeCall(calling(1, 1, { mayHaveArrived: true }), { ...running, halted: true }).step).toEqual({
      name: 'giveUp',
      status: 'unknown',
    });
  });
});

describe('a batch after an answer', () => {
  it('every entry accepted: done, every record delivered', () => {
    const { state, delivered } = afterAnswer(calling(3), answer(undefined, undefined, undefined), running);
    expect(delivered).toEqual([0, 1, 2]);
    expect(state).toMatchObject({ pending: [], step: { name: 'done' } });
  });

  it('some entries failed: only those stay pending, with their ErrorCode, and the batch backs off', () => {
    const { state, delivered } = afterAnswer(
      calling(3),
      answer(undefined, 'InternalFailure', undefined),
      running,
    );
    expect(delivered).toEqual([0, 2]);
    expect(state).toMatchObject({
      pending: [1],
      errors: [{ errorCode: 'InternalFailure', errorMessage: 'Slow down.' }],
      step: { name: 'backoff', retry: 1 },
    });
    // Positions are the batch's, not the call's: the second call carried only records 1 and 2.
    const second = afterAnswer(
      calling(3, 2, { pending: [1, 2] }),
      answer('ServiceUnavailableException', undefined),
      running,
    );
    expect(second.delivered).toEqual([2]);
    expect(second.state.pending).toEqual([1]);
  });

  it('out of attempts: refused; or unknown when an earlier answer was lost', () => {
    expect(afterAnswer(calling(1, 3), answer('X'), running).state.step).toEqual({
      name: 'giveUp',
      status: 'refused',
    });
    const lostBefore = calling(1, 3, { mayHaveArrived: true, lastAnswerLost: true });
    const { state } = afterAnswer(lostBefore, answer('X'), running);
    expect(state).toMatchObject({ lastAnswerLost: false, step: { name: 'giveUp', status: 'unknown' } });
  });

  it('stopping: the failed entries are not retried, they are not sent', () => {
    expect(
      afterAnswer(calling(2), answer(undefined, 'X'), { ...running, stopping: true }).state.step,
    ).toEqual({
      name: 'giveUp',
      status: 'notSent',
    });
  });
});

describe('a batch after a call that threw', () => {
  it('throttling, 5xx: back off, the code kept for each record', () => {
    const state = afterError(calling(2), sdkError('ServiceUnavailableException', 503), running);
    expect(state).toMatchObject({
      mayHaveArrived: false,
      lastAnswerLost: false,
      errors: [{ errorCode: 'ServiceUnavailableException' }, { errorCode: 'ServiceUnavailableException' }],
      step: { name: 'backoff', retry: 1 },
    });
  });

  it('a lost answer: back off, and the records may have arrived', () => {
    expect(afterError(calling(1), reset(), running)).toMatchObject({
      mayHaveArrived: true,
      lastAnswerLost: true,
      errors: [{ errorCode: 'ECONNRESET', errorMessage: 'TimeoutError!' }],
      step: { name: 'backoff', retry: 1 },
    });
    expect(afterError(calling(1, 3), reset(), running).step).toEqual({ name: 'giveUp', status: 'unknown' });
  });

  it('no connection made: back off, and nothing arrived', () => {
    const state = afterError(calling(1), sdkError('Error', undefined, 'ECONNREFUSED'), running);
    expect(state).toMatchObject({ mayHaveArrived: false, step: { name: 'backoff' } });
    expect(afterError(calling(1, 3), sdkError('Error', undefined, 'ECONNREFUSED'), running).step).toEqual({
      name: 'giveUp',
      status: 'refused',
    });
  });

  it('an expired token: refresh, with no wait; at the last attempt, a refusal', () => {
    expect(afterError(calling(1), sdkError('ExpiredTokenException', 400), running).step).toEqual({
      name: 'refresh',
    });
    expect(afterError(calling(1, 3), sdkError('ExpiredTokenException', 400), running).step).toMatchObject({
      name: 'fatal',
    });
  });

  it('a refusal of the call (stream deleted, AccessDenied): the caller decides', () => {
    const err = sdkError('ResourceNotFoundException', 400);
    expect(afterError(calling(1), err, running).step).toEqual({ name: 'fatal', error: err });
  });

  it('aborted in flight: unknown, whatever the error', () => {
    const state = afterError(calling(2), sdkError('AbortError'), {
      ...running,
      aborted: true,
      stopping: true,
    });
    expect(state).toMatchObject({ mayHaveArrived: true, step: { name: 'giveUp', status: 'unknown' } });
    expect(state.errors.map((e) => e.errorCode)).toEqual(['Interrupted', 'Interrupted']);
  });
});

describe('a batch after a wait, and after a refusal', () => {
  it('afterWait: send again, unless stopping, halted or aborted', () => {
    const waiting = calling(1, 1, { step: { name: 'backoff', retry: 1 } });
    expect(afterWait(waiting, running).step).toEqual({ name: 'send' });
    for (const run of [
      { ...running, stopping: true },
      { ...running, halted: true },
      { ...running, aborted: true },
    ]) {
      expect(afterWait(waiting, run).step).toEqual({ name: 'giveUp', status: 'notSent' });
    }
  });

  it('afterFatal: stop gives the records up as refused with AWS code; retry later waits and counts attempts afresh', () => {
    const error = { errorCode: 'AccessDeniedException', errorMessage: 'no' };
    expect(afterFatal(calling(2, 2), error, undefined)).toMatchObject({
      errors: [error, error],
      step: { name: 'giveUp', status: 'refused' },
    });
    expect(afterFatal(calling(2, 2), error, 60_000)).toMatchObject({
      attempts: 0,
      step: { name: 'retryLater', ms: 60_000 },
    });
  });
});
