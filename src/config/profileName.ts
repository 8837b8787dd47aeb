import { usageError } from '../errors.js';

/** Profile names become INI section headers: no brackets, line breaks, or surrounding spaces. */
export function validateProfileName(name: string, flag = '--profile-name'): string {
  if (!name || name !== name.trim() || /[[\]\r\n#;]/.test(name) || name.length > 128) {
    throw usageError(
      `${flag} "${name}" cannot be a profile name (no brackets, #, ;, line breaks or surrounding spaces).`,
      'Use a name like target-role-profile.',
    );
  }
  return name;
}
