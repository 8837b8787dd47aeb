import { parseRoleRef, type RoleRef } from '../aws/arn.js';
import { usageError } from '../errors.js';
import { parseDuration, type DurationRequest } from './duration.js';
import { parseTokenCode, validateMfaSerial, type MfaSerial, type TokenCode } from './mfa.js';
import { validateSessionName, type RoleSessionName } from './sessionName.js';
import {
  parsePolicyArns,
  parseSessionPolicy,
  parseSessionTags,
  parseSourceIdentity,
  parseTransitiveTagKeys,
  type PolicyArn,
  type SessionPolicy,
  type SessionTag,
  type SourceIdentity,
} from './sessionOptions.js';

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
  /** `RoleSessionName`; absent: `tempcreds-USER-EPOCHSECONDS`. */
  readonly roleSessionName?: RoleSessionName;
  /** Seconds (900..43200) or `max`; absent: AWS's default (3600). */
  readonly durationSeconds?: DurationRequest;
  /** `ExternalId`, for a trust policy that requires `sts:ExternalId`. */
  readonly externalId?: ExternalId;
  /** `SerialNumber`: the MFA device's ARN. */
  readonly serialNumber?: MfaSerial;
  /** `TokenCode`: six digits; absent with a serial, it is asked for when the session starts. */
  readonly tokenCode?: TokenCode;
  /** Session tags (the trust policy must allow `sts:TagSession`). */
  readonly tags?: readonly SessionTag[];
  /** Keys of `tags` that pass on to sessions this session assumes (role chaining). */
  readonly transitiveTagKeys?: readonly string[];
  /** Who is behind the session, kept through role chains (the trust policy must allow `sts:SetSourceIdentity`). */
  readonly sourceIdentity?: SourceIdentity;
  /** An inline session policy: the session gets at most what it and the role's policies both allow. */
  readonly policy?: SessionPolicy;
  /** Managed session policies, by ARN. */
  readonly policyArns?: readonly PolicyArn[];
  /** Type-only: no object literal is an AssumeRoleRequest, so every one has been through the parser. */
  readonly __brand: 'AssumeRoleRequest';
}

/** The same inputs as given: text from flags or a profile (a duration may also be seconds or `max`). */
export interface AssumeRoleRequestInput {
  /** A role name or ARN. */
  role: string;
  /** 2..64 of `[\w+=,.@-]`. */
  roleSessionName?: string;
  /** Seconds (`3600`), units (`15m`, `1h`) or `max`. */
  durationSeconds?: string | number;
  /** 2..1224 of `[\w+=,.@:/-]`. */
  externalId?: string;
  /** An MFA device ARN (`arn:aws:iam::ACCOUNT:mfa/NAME`), or a hardware token's serial. */
  serialNumber?: string;
  /** The six-digit MFA code. */
  tokenCode?: string;
  /** `Key=Value` (split at the first `=`) or `{ key, value }`. */
  tags?: ReadonlyArray<string | { key: string; value: string }>;
  /** Keys of `tags` to pass on through role chaining; each must be one of `tags`. */
  transitiveTagKeys?: readonly string[];
  /** 2..64 of `[\w+=,.@-]`, not starting with `aws:`. */
  sourceIdentity?: string;
  /** The policy document itself, as JSON text (the CLI reads `file://PATH` before it gets here). */
  policy?: string;
  /** Up to 10 IAM managed policy ARNs, in the role's partition. */
  policyArns?: readonly string[];
}

/** What to call each input in messages: a CLI flag, a profile setting. Default: AWS's parameter names. */
export type InputNames = Record<Exclude<keyof AssumeRoleRequestInput, 'role'>, string>;

/** The default {@link InputNames}: AWS's parameter names (`RoleSessionName`, `DurationSeconds`, ...). */
export const AWS_PARAMETER_NAMES: Readonly<InputNames> = Object.freeze({
  roleSessionName: 'RoleSessionName',
  durationSeconds: 'DurationSeconds',
  externalId: 'ExternalId',
  serialNumber: 'SerialNumber',
  tokenCode: 'TokenCode',
  tags: 'Tags',
  transitiveTagKeys: 'TransitiveTagKeys',
  sourceIdentity: 'SourceIdentity',
  policy: 'Policy',
  policyArns: 'PolicyArns',
});

/** How {@link parseAssumeRoleRequest} names the inputs and whether an MFA code may come later. */
export interface ParseOptions {
  /** What messages call each input (the CLI passes its flags); missing ones: AWS's parameter names. */
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
    ...parseSessionShape(input, names),
  };
}

/** Tags, transitive keys, SourceIdentity and session policies; absent ones stay absent (empty lists too). */
function parseSessionShape(
  input: Omit<AssumeRoleRequestInput, 'role'>,
  names: InputNames,
): Pick<SessionOptions, 'tags' | 'transitiveTagKeys' | 'sourceIdentity' | 'policy' | 'policyArns'> {
  const tags = nonEmpty(input.tags) ? parseSessionTags(input.tags, names.tags) : undefined;
  const transitive = input.transitiveTagKeys;
  return {
    ...(tags && { tags }),
    ...(nonEmpty(transitive) && { transitiveTagKeys: parseTransitiveTagKeys(transitive, tags ?? [], names) }),
    ...(input.sourceIdentity !== undefined && {
      sourceIdentity: parseSourceIdentity(input.sourceIdentity, names.sourceIdentity),
    }),
    ...(input.policy !== undefined && { policy: parseSessionPolicy(input.policy, names.policy) }),
    ...(nonEmpty(input.policyArns) && { policyArns: parsePolicyArns(input.policyArns, names.policyArns) }),
  };
}

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

function optional<T, R>(value: T | undefined, parse: (value: T) => R): R | undefined {
  return value === undefined ? undefined : parse(value);
}
