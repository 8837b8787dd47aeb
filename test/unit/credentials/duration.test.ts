import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/credentials/duration.js';
import { TempcredsError } from '../../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['3600', 3600],
    ['43200', 43200],
    ['15m', 900],
    ['1h', 3600],
    ['12h', 43200],
    ['1h30m', 5400],
    ['2h0m30s', 7230],
    ['  1H ', 3600],
    ['max', 'max'],
    ['MAX', 'max'],
  ])('accepts %j as %j', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each(['899', '43201', '14m', '13h', '0', '-3600', '1.5h', 'h', '1d', '', '3600s5', 'forever', '1h 30m'])(
    'refuses %j as a usage error',
    (text) => {
      const err = (() => {
        try {
          parseDuration(text);
        } catch (e) {
          return e;
        }
      })() as TempcredsError;
      expect(err).toBeInstanceOf(TempcredsError);
      expect(err.exitCode).toBe(2);
      expect(err.message).not.toContain('\n');
    },
  );

  it('says the allowed range', () => {
    expect(() => parseDuration('13h')).toThrow(/900\.\.43200/);
  });
});
