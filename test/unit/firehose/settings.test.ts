/** putSettings: every setting checked once, named as the caller names it, defaults filled in. */
import { describe, expect, it } from 'vitest';
import { parseFlushInterval, putSettings, wholeNumberIn } from '../../../src/firehose/settings.js';

describe('putSettings', () => {
  it("fills in tempcreds' defaults and Firehose's limits", () => {
    expect(putSettings()).toEqual({
      concurrency: undefined,
      maxAttempts: 8,
      flushIntervalMs: 1000,
      limits: { maxRecords: 500, maxBytes: 4 * 1024 * 1024, maxRecordBytes: 1_024_000 },
      pauseMs: 0,
    });
  });

  it("takes numbers (a library caller) and a flag's text (the CLI) alike", () => {
    expect(
      putSettings({ concurrency: 2, maxAttempts: '3', limits: { maxRecords: '100' }, pauseMs: '0' }),
    ).toMatchObject({
      concurrency: 2,
      maxAttempts: 3,
      limits: { maxRecords: 100 },
      pauseMs: 0,
    });
  });

  it.each([
    [{ concurrency: 0 }, 'concurrency must be a whole number from 1 to 64, not 0.'],
    [{ concurrency: '2.5' }, 'concurrency must be a whole number from 1 to 64, not "2.5".'],
    [{ maxAttempts: 101 }, 'maxAttempts must be a whole number from 1 to 100, not 101.'],
    [{ limits: { maxRecords: 501 } }, 'records per batch must be a whole number from 1 to 500, not 501.'],
    [{ pauseMs: '-1' }, 'pauseMs must be a whole number from 0 to 60,000, not "-1".'],
    [{ flushIntervalMs: 0 }, 'The flush interval in ms must be a whole number from 1 to 86,400,000, not 0.'],
  ])('refuses %o as bad input, naming the setting', (given, message) => {
    expect(() => putSettings(given)).toThrow(message);
  });

  it("names a setting as the caller does (the CLI's flags), never a flag of its own", () => {
    const names = { concurrency: '--concurrency', maxRecords: '--max-batch-records' };
    expect(() => putSettings({ concurrency: '65' }, names)).toThrow(/^--concurrency must be/);
    expect(() => putSettings({ limits: { maxRecords: '0' } }, names)).toThrow(/^--max-batch-records must be/);
    try {
      putSettings({ maxAttempts: 'x' });
    } catch (err) {
      expect(err).toMatchObject({ exitCode: 2 });
      expect((err as Error).message).not.toContain('--');
    }
  });

  it('wholeNumberIn refuses NaN, fractions, signs and spaces, from numbers and text', () => {
    const range = { min: 1, max: 10, fallback: 5 };
    expect(wholeNumberIn(undefined, range, 'n')).toBe(5);
    for (const bad of [Number.NaN, 1.5, -1, 11, ' 3', '+3', '3e0', '']) {
      expect(() => wholeNumberIn(bad, range, 'n'), String(bad)).toThrow(
        /^n must be a whole number from 1 to 10/,
      );
    }
  });

  it('parseFlushInterval names the setting as given, and defaults to a plain name', () => {
    expect(parseFlushInterval('250ms')).toBe(250);
    expect(() => parseFlushInterval('soon')).toThrow('The flush interval "soon" is not a duration.');
    expect(() => parseFlushInterval('soon', '--flush-interval')).toThrow(
      '--flush-interval "soon" is not a duration.',
    );
  });
});
