import { parseRoleRef, type RoleRef } from '../aws/arn.js';
import { usageError } from '../errors.js';
import { parseDuration, type DurationRequest } from './duration.js';
import { parseTokenCode, validateMfaSerial, type MfaSerial, type TokenCode } from './mfa.js';
import { validateSessionName, type RoleSessionName } from './sessionName.js';

/** An ExternalId AWS accepts: 2..1224 characters of `[\w+=,.@:/-]`. Made by {@link parseExternalId}. */
export type ExternalId = string & { readonly __brand: 'ExternalId' };

/** ExternalId rules. `what` names the input in the message (default AWS's parameter name). */
export function parseExternalId(id: string, what = 'ExternalId'): ExternalId {
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(id)) {
    throw usageError(
      `${what} is invalid: AWS allows 2-1224 characters of letters, digits and +=,.@:/-.`,
      'Use the ExternalId exactly as the role owner gave it.',
    );
  }
  return id as ExternalId;
}

/**
 * What to assume, every field already valid: made only by {@link parseAssumeRoleRequest}, and taken
 * as it is by `startRoleSession`, so nothing on the way to STS checks an input twice.
 */
export interface AssumeRoleRequest {
  /** The role by ARN, or by name (completed with the source identity's partition and account). */
  readonly role: RoleRef;
  readonly roleSessionName?: RoleSessionName;
  readonly durationSeconds?: DurationRequest;
  readonly externalId?: ExternalId;
  readonly serialNumber?: MfaSerial;
  readonly tokenCode?: TokenCode;
  readonly __brand: 'AssumeRoleRequest';
}

/** The same inputs as given: text from flags or a profile (a duration may also be seconds or `max`). */
export interface AssumeRoleRequestInput {
  role: string;
  roleSessionName?: string;
  durationSeconds?: string | number;
  externalId?: string;
  serialNumber?: string;
  tokenCode?: string;
}

/** What to call each input in messages: a CLI flag, a profile setting. Default: AWS's parameter names. */
export type InputNames = Record<Exclude<keyof AssumeRoleRequestInput, 'role'>, string>;

export const AWS_PARAMETER_NAMES: Readonly<InputNames> = Object.freeze({
  roleSessionName: 'RoleSessionName',
  durationSeconds: 'DurationSeconds',
  externalId: 'ExternalId',
  serialNumber: 'SerialNumber',
  tokenCode: 'TokenCode',
});

export interface ParseOptions {
  names?: Partial<InputNames>;
  /** An MFA code can be asked for when missing (a terminal): then a serial without a code is fine. */
  canPrompt?: boolean;
}

/** The inputs of a request but the role: what `--role` commands check before they know the role. */
export type SessionOptions = Omit<AssumeRoleRequest, 'role' | '__brand'>;

/**
 * Checks every input of an AssumeRole once, before anything touches the network or the disk, and
 * returns them typed as valid. Bad input is a usage error naming the input as `options.names` says.
 */
export function parseAssumeRoleRequest(
  input: AssumeRoleRequestInput,
  options: ParseOptions = {},
): AssumeRoleRequest {
  const role = parseRoleRef(input.role);
  return { role, ...parseSessionOptions(input, options) } as AssumeRoleRequest;
}

/** {@link parseAssumeRoleRequest} for everything but the role. */
export function parseSessionOptions(
  input: Omit<AssumeRoleRequestInput, 'role'>,
  options: ParseOptions = {},
): SessionOptions {
  const names = { ...AWS_PARAMETER_NAMES, ...options.names };
  const serialNumber = optional(input.serialNumber, (v) => validateMfaSerial(v, names.serialNumber));
  if (input.tokenCode !== undefined && serialNumber === undefined) {
    throw usageError(
      `${names.tokenCode} needs ${names.serialNumber}.`,
      `Add ${names.serialNumber} with the ARN of your MFA device.`,
    );
  }
  if (serialNumber !== undefined && input.tokenCode === undefined && !options.canPrompt) {
    throw usageError(
      `${names.serialNumber} needs ${names.tokenCode} when there is no terminal to ask on.`,
      `Pass ${names.tokenCode} 123456.`,
    );
  }
  return {
    roleSessionName: optional(input.roleSessionName, (v) => validateSessionName(v, names.roleSessionName)),
    durationSeconds: optional(input.durationSeconds, (v) => parseDuration(String(v), names.durationSeconds)),
    externalId: optional(input.externalId, (v) => parseExternalId(v, names.externalId)),
    serialNumber,
    tokenCode: optional(input.tokenCode, (v) => parseTokenCode(v, names.tokenCode)),
  };
}

function optional<T, R>(value: T | undefined, parse: (value: T) => R): R | undefined {
  return value === undefined ? undefined : parse(value);
}
