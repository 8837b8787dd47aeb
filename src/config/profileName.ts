import { usageError } from '../errors.js';

/** Profile names become INI section headers: no brackets, comment marks or white space (botocore could not read them back). */
export function validateProfileName(name: string, flag = '--profile-name'): string {
  if (!name || /[[\]\s#;]/.test(name) || name.length > 128) {
    throw usageError(
      `${flag} "${name}" cannot be a profile name (no brackets, #, ; or white space).`,
      'Use a name like target-role-profile.',
    );
  }
  return name;
}
