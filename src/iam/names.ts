/** Checks of names and numbers given on the command line, made before any AWS call (exit 2). */
import { parseSeconds } from '../credentials/duration.js';
import { usageError } from '../errors.js';

function validateIamName(name: string, flag: string, what: string, max: number, example: string): string {
  if (!new RegExp(`^[\\w+=,.@-]{1,${max}}$`).test(name)) {
    throw usageError(
      `${flag} "${name}" is not a valid IAM ${what} name (1-${max} characters: letters, digits and +=,.@_-).`,
      `Use a name like ${example}.`,
    );
  }
  return name;
}

/** IAM user names: 1..64 of letters, digits and `+=,.@_-`. */
export function validateUserName(name: string, flag: string): string {
  return validateIamName(name, flag, 'user', 64, 'sts_user');
}

/** Managed policy names: 1..128 of letters, digits and `+=,.@_-`. */
export function validatePolicyName(name: string, flag: string): string {
  return validateIamName(name, flag, 'policy', 128, 'STSAssumeRolePolicy');
}

export const MIN_MAX_SESSION_DURATION = 3600;
export const MAX_MAX_SESSION_DURATION = 43_200;

/** A role's MaxSessionDuration: whole seconds, 3600..43200 (what CreateRole/UpdateRole accept). */
export function parseMaxSessionDuration(text: string, flag: string): number {
  const seconds = parseSeconds(text);
  if (seconds === undefined || seconds < MIN_MAX_SESSION_DURATION || seconds > MAX_MAX_SESSION_DURATION) {
    throw usageError(
      `${flag} "${text}" is not a MaxSessionDuration: AWS allows 3600..43200 seconds (1h..12h).`,
      'Use e.g. 43200 or 12h.',
    );
  }
  return seconds;
}
