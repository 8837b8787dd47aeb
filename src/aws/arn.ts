import { usageError } from '../errors.js';
import { PARTITIONS, type Partition } from './partition.js';

/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export interface Arn {
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  partition: Partition;
  /** The service namespace: `iam`, `sts`, `s3`, `iot`, ... */
  service: string;
  /** Empty for global resources (IAM roles and users, S3 buckets). */
  region: string;
  /** The 12-digit account ID; empty for S3 buckets and other account-less ARNs. */
  accountId: string;
  /** Everything after the fifth colon, colons included: `role/path/name`, `bucket/key`. */
  resource: string;
}

/**
 * Splits an ARN into its parts. Returns undefined for text that is not an ARN of a known
 * partition (never throws), so callers can fall back to treating the text as a name.
 */
export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  if (!(PARTITIONS as readonly string[]).includes(partition) || !service) return undefined;
  return {
    partition: partition as Partition,
    service,
    region,
    accountId,
    resource: parts.slice(5).join(':'),
  };
}

/** IAM role names: 1..64 of `[\w+=,.@-]`. Paths are allowed in ARNs (`role/path/name`). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** A role as the user gave it: by ARN, or by name alone (resolved against the caller's account). */
export interface RoleRef {
  /** The full ARN when it is known; undefined for a bare name that still needs partition + account. */
  roleArn?: string;
  /** The name without its path: `name` for `role/path/name`. */
  roleName: string;
}

/**
 * Accepts a role name or a role ARN (`arn:aws-cn:iam::123456789012:role/path/name`).
 * Throws a usage error for anything else.
 */
export function parseRoleRef(input: string): RoleRef {
  if (input.startsWith('arn:')) {
    const arn = parseArn(input);
    const match =
      arn && arn.service === 'iam' && /^role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/.exec(arn.resource);
    if (!arn || !match || !/^\d{12}$/.test(arn.accountId) || arn.region !== '') {
      throw usageError(
        `"${input}" is not a role ARN.`,
        'Give a role name or an ARN like arn:aws:iam::123456789012:role/target-role-name.',
      );
    }
    return { roleArn: input, roleName: match[1] as string };
  }
  if (!ROLE_NAME.test(input)) {
    throw usageError(
      `"${input}" is not a valid role name (1-64 characters: letters, digits and +=,.@_-).`,
      'Give the role name as IAM shows it, or its full ARN.',
    );
  }
  return { roleName: input };
}

/** The ARN of the role `roleName` (no path) in `accountId` of `partition`. */
export function roleArnOf(roleName: string, partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The ARN of the IAM user `userName` (no path) in `accountId` of `partition`. */
export function userArnOf(userName: string, partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:user/${userName}`;
}

/**
 * For an assumed-role session ARN (`arn:aws:sts::1:assumed-role/Role/session`) the role's
 * name; undefined for users and other identities. Used to detect role chaining.
 */
export function assumedRoleName(callerArn: string): string | undefined {
  const arn = parseArn(callerArn);
  if (!arn || arn.service !== 'sts') return undefined;
  const match = /^assumed-role\/([^/]+)\//.exec(arn.resource);
  return match?.[1];
}
