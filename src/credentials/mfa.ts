import { usageError } from '../errors.js';

/** SerialNumber: 9..256 characters, an MFA device serial or ARN. */
export function validateMfaSerial(serial: string): void {
  if (serial.length < 9 || serial.length > 256 || !/^[\w+=/:,.@-]+$/.test(serial)) {
    throw usageError(
      `--mfa-serial "${serial}" is not an MFA device serial or ARN (9-256 characters).`,
      'Use the ARN shown in IAM, e.g. arn:aws:iam::123456789012:mfa/alice.',
    );
  }
}
