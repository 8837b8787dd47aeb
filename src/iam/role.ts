/** `tempcreds role show` and `role set-max-duration`: a role's session settings and who may assume it. */
import { iamSdk } from '../aws/sdk.js';

const { UpdateRoleCommand } = iamSdk();
import type { AwsContext } from '../aws/clients.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { TempcredsError } from '../errors.js';
import { describeCondition } from './conditions.js';
import { createIamClient, getRole, must, type Iam, type RoleInfo } from './iamReads.js';
import { normalizePolicy, type RawPolicyDocument } from './policyDocument.js';
import { actionMatches } from './patterns.js';
import { ownRole } from './roleRef.js';

/** What {@link showRole} and {@link setMaxSessionDuration} call AWS with. */
export interface RoleDeps {
  /** Administrator credentials (iam:GetRole, iam:UpdateRole). */
  aws: AwsContext;
  /** The IAM client (default: one for `aws`). */
  iam?: Iam;
  /** Who `aws` is, when already known: places a bare role name in that account (default: sts:GetCallerIdentity). */
  admin?: CallerIdentity;
}

/** One principal a trust statement about sts:AssumeRole names. */
export interface TrustedPrincipal {
  /** The statement's `Effect`: a Deny names who may not assume the role. */
  effect: 'Allow' | 'Deny';
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`. */
  type: string;
  /** As written: an ARN, an account ID, a service (`iot.amazonaws.com`), or `*`. */
  principal: string;
  /** Named in NotPrincipal: the statement is about everyone else. */
  not: boolean;
  /** The statement's conditions in words (`sts:ExternalId StringEquals "x"`). */
  conditions: string[];
}

/** A role's session settings and who may assume it, as {@link showRole} reports them. */
export interface RoleSummary {
  /** The role's ARN, path included. */
  roleArn: string;
  /** The role's name, without its path. */
  roleName: string;
  /** `MaxSessionDuration` in seconds: the longest session AssumeRole grants (3600 to 43200). */
  maxSessionDuration: number;
  /** The principals of the trust statements that cover sts:AssumeRole, in document order. */
  trusted: TrustedPrincipal[];
  /** The trust policy as IAM holds it (decoded JSON). */
  trustPolicy: RawPolicyDocument;
}

/** The principals of the statements that cover sts:AssumeRole, in document order. */
export function trustedPrincipals(trust: RawPolicyDocument): TrustedPrincipal[] {
  const out: TrustedPrincipal[] = [];
  for (const statement of normalizePolicy(trust, 'the trust policy').statements) {
    const covers = statement.notAction
      ? !statement.notAction.some((a) => actionMatches(a, 'sts:AssumeRole'))
      : (statement.action ?? []).some((a) => actionMatches(a, 'sts:AssumeRole'));
    if (!covers) continue;
    const conditions = Object.entries(statement.condition).flatMap(([operator, keys]) =>
      Object.entries(keys).map(([key, values]) => describeCondition({ operator, key, values })),
    );
    for (const [principals, not] of [
      [statement.principal, false],
      [statement.notPrincipal, true],
    ] as const) {
      if (principals === '*')
        out.push({ effect: statement.effect, type: '*', principal: '*', not, conditions });
      else if (principals) {
        for (const [type, ids] of Object.entries(principals)) {
          for (const principal of ids)
            out.push({ effect: statement.effect, type, principal, not, conditions });
        }
      }
    }
  }
  return out;
}

async function adminRole(role: string, deps: RoleDeps): Promise<{ iam: Iam; info: RoleInfo }> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const admin = deps.admin ?? (await getCallerIdentity(createStsClient(deps.aws)));
  const { roleName } = ownRole(role, { accountId: admin.account, partition: admin.partition });
  const info = await getRole(iam, roleName);
  if (!info) {
    throw new TempcredsError(`Role ${roleName} does not exist in account ${admin.account}.`, {
      kind: 'aws',
      awsCode: 'NoSuchEntity',
      fix: `Check the name (aws iam list-roles), or create it: tempcreds setup --role ${roleName} --create-role`,
    });
  }
  return { iam, info };
}

/**
 * Reads a role of the administrator's own account (`role`: a name or ARN) with iam:GetRole.
 * Throws a usage error for an ARN of another account, and an `aws` error (`NoSuchEntity`, with
 * the fix) when the role does not exist.
 */
export async function showRole(role: string, deps: RoleDeps): Promise<RoleSummary> {
  const { info } = await adminRole(role, deps);
  return {
    roleArn: info.arn,
    roleName: info.name,
    maxSessionDuration: info.maxSessionDuration,
    trusted: trustedPrincipals(info.trust),
    trustPolicy: info.trust,
  };
}

/**
 * Sets a role's `MaxSessionDuration` (iam:UpdateRole) to `seconds`, which the caller has checked
 * with {@link parseMaxSessionDuration} (IAM allows 3600 to 43200). No call when it already has that
 * value. Resolves with the role's ARN and the value before (`from`) and after (`to`).
 */
export async function setMaxSessionDuration(
  role: string,
  seconds: number,
  deps: RoleDeps,
): Promise<{ roleArn: string; from: number; to: number }> {
  const { iam, info } = await adminRole(role, deps);
  if (info.maxSessionDuration !== seconds) {
    await must(`UpdateRole ${info.name}`, () =>
      iam.send(new UpdateRoleCommand({ RoleName: info.name, MaxSessionDuration: seconds })),
    );
  }
  return { roleArn: info.arn, from: info.maxSessionDuration, to: seconds };
}
