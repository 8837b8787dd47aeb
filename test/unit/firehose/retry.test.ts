import { describe, expect, it } from 'vitest';
import { FirehoseServiceException } from '@aws-sdk/client-firehose';
import { backoffDelay, classifyCallError, DEFAULT_BACKOFF } from '../../../src/firehose/retry.js';

const awsError = (name: string, status: number) =>
  new FirehoseServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

describe('classifyCallError', () => {
  it('retries throttling, 5xx and network errors', () => {
    expect(classifyCallError(awsError('ServiceUnavailableException', 503))).toBe('retry');
    expect(classifyCallError(awsError('ThrottlingException', 400))).toBe('retry');
    expect(classifyCallError(awsError('SomethingNew', 502))).toBe('retry');
    expect(classifyCallError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'retry',
    );
    expect(classifyCallError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe('retry');
  });

  it('refreshes on an expired token, in both of AWS spellings', () => {
    expect(classifyCallError(awsError('ExpiredTokenException', 400))).toBe('expired');
    expect(classifyCallError(awsError('ExpiredToken', 400))).toBe('expired');
  });

  it('stops on refusals and bad input', () => {
    expect(classifyCallError(awsError('AccessDeniedException', 400))).toBe('fatal');
    expect(classifyCallError(awsError('ResourceNotFoundException', 400))).toBe('fatal');
    expect(classifyCallError(awsError('InvalidArgumentException', 400))).toBe('fatal');
    expect(classifyCallError(Object.assign(new Error('no host'), { code: 'ENOTFOUND' }))).toBe('fatal');
    expect(classifyCallError('a string')).toBe('fatal');
  });
});

describe('backoffDelay (exponential, full jitter)', () => {
  it('grows as base * 2^(n-1), scaled by the random draw', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, top))).toEqual([99, 199, 399, 799, 1599]);
    expect(backoffDelay(3, () => 0.5)).toBe(200);
    expect(backoffDelay(7, () => 0)).toBe(0);
  });

  it('never exceeds the cap, however many retries', () => {
    expect(backoffDelay(40, () => 0.999999)).toBe(DEFAULT_BACKOFF.capMs - 1);
    expect(backoffDelay(4, () => 0.999999, { baseMs: 10, capMs: 50 })).toBe(49);
  });

  it('spreads concurrent retries apart: different draws give different waits', () => {
    const draws = [0.1, 0.5, 0.9];
    expect(new Set(draws.map((d) => backoffDelay(4, () => d))).size).toBe(3);
  });
});
