import { parseArn, parseRoleRef, roleArnOf, type RoleRef } from '../aws/arn.js';
import type { Partition } from '../aws/partition.js';
import { usageError } from '../errors.js';

/** An account by its 12-digit ID and its partition: where a bare role name is placed. */
export interface AccountRef {
  /** The 12-digit account ID. */
  accountId: string;
  /** The account's partition (`aws`, `aws-cn`, `aws-us-gov`): part of every ARN in it. */
  partition: Partition;
}

/** A role named by the user, placed in an account. */
export interface RoleInAccount {
  /** The name without its path. */
  roleName: string;
  /** The ARN given, or the one the name has in the account. */
  roleArn: string;
  /** `/` or the path of a given ARN (`/path/` for `role/path/name`). */
  path: string;
  /** The ARN names another account or partition than `account`. */
  foreign: boolean;
}

/** ROLE (a name or an ARN) placed in an account: a bare name gets the account's partition and id. */
export function roleInAccount(role: string | RoleRef, account: AccountRef): RoleInAccount {
  const ref = typeof role === 'string' ? parseRoleRef(role) : role;
  if (!ref.roleArn) {
    return {
      roleName: ref.roleName,
      roleArn: roleArnOf(ref.roleName, account.partition, account.accountId),
      path: '/',
      foreign: false,
    };
  }
  const arn = parseArn(ref.roleArn);
  const inner = arn ? arn.resource.slice('role/'.length, -ref.roleName.length) : '';
  const foreign = arn?.accountId !== account.accountId || arn.partition !== account.partition;
  return { roleName: ref.roleName, roleArn: ref.roleArn, path: `/${inner}`, foreign };
}

/** {@link roleInAccount}, refusing an ARN of another account: IAM calls only reach the caller's own. */
export function ownRole(
  role: string,
  account: AccountRef,
  who = 'the administrator (--profile)',
): RoleInAccount {
  const placed = roleInAccount(role, account);
  if (placed.foreign) {
    throw usageError(
      `Role ${placed.roleArn} is not in the account of ${who} (${account.partition} ${account.accountId}).`,
      "Use administrator credentials of the role's account, or give the role by name.",
    );
  }
  return placed;
}
