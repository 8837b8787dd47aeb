import { usageError } from '../errors.js';
import { shownName } from './shown.js';

/**
 * The profile names tempcreds writes: what the AWS CLI and the AWS SDK for JavaScript both read
 * back from `[profile NAME]` (the SDK takes only letters, digits and `_ - @ + . % : /` there), and
 * not `DEFAULT`, which botocore reads as settings for every section instead of a profile.
 */
const WRITABLE = /^[\w\-@+.%:/]{1,128}$/;

/** True when tempcreds can write a profile of this name (see {@link validateProfileName}). */
export function isWritableProfileName(name: string): boolean {
  return WRITABLE.test(name) && name !== 'DEFAULT';
}

/** Returns the name, or throws a usage error naming the flag and the name (escaped, on one line). */
export function validateProfileName(name: string, flag = '--profile-name'): string {
  if (!isWritableProfileName(name)) {
    throw usageError(
      `${flag} ${shownName(name)} cannot be a profile name: use letters, digits and _ - @ + . % : / (at most 128), not DEFAULT.`,
      'Use a name like target-role-profile.',
    );
  }
  return name;
}
