import { usageError } from '../errors.js';

/** STS AssumeRole accepts 900..43200 seconds (and never more than the role's MaxSessionDuration). */
export const MIN_DURATION_SECONDS = 900;
/** The longest session STS AssumeRole grants: 12 hours, when the role's MaxSessionDuration allows it. */
export const MAX_DURATION_SECONDS = 43_200;
/** AWS caps sessions assumed with role-session credentials (role chaining) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** A duration in seconds, or `max`: the longest session the role allows. */
export type DurationRequest = number | 'max';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds from `3600` or from units (`15m`, `1h`, `1h30m`, `90s`); undefined when it is neither. */
export function parseSeconds(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value);
  if (!/^(\d+[hms])+$/.test(value)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([hms])/g)) {
    seconds += Number(amount) * (UNIT_SECONDS[unit as string] as number);
  }
  return seconds;
}

/**
 * Parses a session duration: plain seconds (`3600`), units (`15m`, `1h`, `1h30m`, `90s`) or `max`.
 * Anything outside 900..43200 is a usage error that says the allowed range; `flag` names the input
 * in it (a CLI flag, a profile setting; default AWS's parameter name).
 */
export function parseDuration(text: string, flag = 'DurationSeconds'): DurationRequest {
  if (text.trim().toLowerCase() === 'max') return 'max';
  const seconds = parseSeconds(text);
  if (seconds === undefined) {
    throw usageError(
      `${flag} "${text}" is not a duration.`,
      'Use seconds (3600), units (15m, 1h, 12h) or max.',
    );
  }
  if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    throw usageError(
      `${flag} ${text} is ${seconds} seconds; AWS allows 900..43200 (15m..12h).`,
      'Pick a duration between 15m and 12h, or max for the longest the role allows.',
    );
  }
  return seconds;
}
