import { userInfo } from 'node:os';
import { usageError } from '../errors.js';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** RoleSessionName rules: 2..64 characters of `[\w+=,.@-]`. */
export function validateSessionName(name: string): string {
  if (!SESSION_NAME.test(name)) {
    throw usageError(
      `--session-name "${name}" is invalid: AWS allows 2-64 characters of letters, digits and +=,.@_-.`,
      'Choose a name like ci-deploy or role-name-session1.',
    );
  }
  return name;
}

/** `tempcreds-<user>-<unix seconds>`, with the user name reduced to allowed characters. */
export function defaultSessionName(now: Date = new Date(), user: string = safeUserName()): string {
  const cleaned = user.replace(/[^\w+=,.@-]/g, '-').slice(0, 40) || 'user';
  return `tempcreds-${cleaned}-${Math.floor(now.getTime() / 1000)}`;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'user';
  }
}
