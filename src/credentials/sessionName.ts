import { userInfo } from 'node:os';
import { usageError } from '../errors.js';

/** A RoleSessionName AWS accepts: 2..64 characters of `[\w+=,.@-]`. Made by {@link validateSessionName}. */
export type RoleSessionName = string & { readonly __brand: 'RoleSessionName' };

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * RoleSessionName rules: 2..64 characters of `[\w+=,.@-]`. `what` names the input in the message
 * (a CLI flag, a profile setting; default AWS's parameter name).
 */
export function validateSessionName(name: string, what = 'RoleSessionName'): RoleSessionName {
  if (!SESSION_NAME.test(name)) {
    throw usageError(
      `${what} "${name}" is invalid: AWS allows 2-64 characters of letters, digits and +=,.@_-.`,
      'Choose a name like ci-deploy or role-name-session1.',
    );
  }
  return name as RoleSessionName;
}

/** `tempcreds-<user>-<unix seconds>`, with the user name reduced to allowed characters. */
export function defaultSessionName(now: Date = new Date(), user: string = safeUserName()): RoleSessionName {
  const cleaned = user.replace(/[^\w+=,.@-]/g, '-').slice(0, 40) || 'user';
  return `tempcreds-${cleaned}-${Math.floor(now.getTime() / 1000)}` as RoleSessionName;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'user';
  }
}
