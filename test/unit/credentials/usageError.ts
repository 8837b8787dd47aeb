import { expect } from 'vitest';
import { TempcredsError } from '../../../src/errors.js';

/** Runs `fn`, expecting a usage error (exit 2), and returns it. */
export function usage(fn: () => unknown): TempcredsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TempcredsError);
    expect((err as TempcredsError).exitCode).toBe(2);
    return err as TempcredsError;
  }
  throw new Error('expected a usage error');
}
