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

export interface RoleDeps {
  /** Administrator credentials (iam:GetRole, iam:UpdateRole). */
  aws: AwsContext;
  iam?: Iam;
  admin?: CallerIdentity;
}

/** One principal a trust statement about sts:AssumeRole names. */
export interface TrustedPrincipal {
  effect: 'Allow' | 'Deny';
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`. */
  type: string;
  principal: string;
  /** Named in NotPrincipal: the statement is about everyone else. */
  not: boolean;
  /** The statement's conditions in words (`sts:ExternalId StringEquals "x"`). */
  conditions: string[];
}

export interface RoleSummary {
  roleArn: string;
  roleName: string;
  maxSessionDuration: number;
  trusted: TrustedPrincipal[];
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

/** Sets MaxSessionDuration (validate 3600..43200 first: see names.ts). */
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
