import { usageError } from '../errors.js';

/** An MFA device serial or ARN AWS accepts. Made by {@link validateMfaSerial}. */
export type MfaSerial = string & { readonly __brand: 'MfaSerial' };
/** A 6-digit MFA code. Made by {@link parseTokenCode}. */
export type TokenCode = string & { readonly __brand: 'TokenCode' };

/** SerialNumber: 9..256 characters, an MFA device serial or ARN. `what` names the input in the message. */
export function validateMfaSerial(serial: string, what = 'SerialNumber'): MfaSerial {
  if (serial.length < 9 || serial.length > 256 || !/^[\w+=/:,.@-]+$/.test(serial)) {
    throw usageError(
      `${what} "${serial}" is not an MFA device serial or ARN (9-256 characters).`,
      'Use the ARN shown in IAM, e.g. arn:aws:iam::123456789012:mfa/alice.',
    );
  }
  return serial as MfaSerial;
}

/** TokenCode: the 6 digits the MFA device shows (surrounding spaces, as typed at a prompt, are dropped). */
export function parseTokenCode(code: string, what = 'TokenCode'): TokenCode {
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) {
    throw usageError(
      `${what} must be the 6 digits your MFA device shows.`,
      'Read the current code and try again.',
    );
  }
  return trimmed as TokenCode;
}
