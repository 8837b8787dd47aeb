import { TempcredsError } from '../errors.js';

/** Whole seconds, rounded down: a credential is never claimed to live longer than it does. */
function wholeSecondsIso(expiration: Date): string {
  const ms = expiration.getTime();
  if (!Number.isFinite(ms)) {
    throw new TempcredsError('The credentials carry an invalid expiration time.', { kind: 'failed' });
  }
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 in UTC, as the container endpoint, credential_process and the SDKs expect: `2026-02-25T06:03:31Z`. */
export function rfc3339(expiration: Date): string {
  return wholeSecondsIso(expiration);
}

/** A timestamp as AWS CLI v2 prints it (Python's `isoformat()`): `2026-02-25T06:03:31+00:00`. */
export function awsCliTimestamp(expiration: Date): string {
  return wholeSecondsIso(expiration).replace(/Z$/, '+00:00');
}
