/**
 * Doctor check 4, with administrator credentials: the role exists, the user's own policies allow
 * sts:AssumeRole on it, its trust policy allows the user, and the duration fits. All local
 * evaluation (evaluate.ts) of what IAM returns; nothing is changed.
 */
import { parseArn } from '../aws/arn.js';
import type { CallerIdentity } from '../aws/sts.js';
import { describeCondition, type ConditionFailure, type RequestContext } from './conditions.js';
import { fail, ok, skip, type DoctorCheck } from './doctorKeys.js';
import { evaluateAssumeRole, type AssumeRoleEvaluation, type StatementEvaluation } from './evaluate.js';
import { getRole, getUser, userIdentityPolicies, type Iam, type RoleInfo } from './iamReads.js';
import { normalizePolicy } from './policyDocument.js';
import { trustedPrincipals } from './role.js';
import { DEFAULT_POLICY_NAME } from './runbookPolicy.js';

export interface IamCheckInput {
  iam: Iam;
  roleName: string;
  roleArn: string;
  /** The source keys' identity, when the keys work. */
  identity?: CallerIdentity;
  context: RequestContext;
  durationSeconds: number;
  adminProfile: string;
}

function statementName(s: StatementEvaluation): string {
  const which = s.sid ? `statement ${s.sid}` : `statement ${s.index + 1}`;
  return s.policy ? `${which} of ${s.policy}` : which;
}

/** The fix for a condition the trust policy requires of the caller. */
function conditionFix(failure: ConditionFailure, roleName: string): string {
  const key = failure.key.toLowerCase();
  if (key === 'sts:externalid')
    return `pass the ExternalId the role's owner gave you: tempcreds assume ${roleName} --external-id ID`;
  if (key.startsWith('aws:multifactorauth')) {
    return `assume with MFA: tempcreds assume ${roleName} --mfa-serial ARN_OF_YOUR_MFA_DEVICE --token-code CODE`;
  }
  return `meet ${describeCondition(failure)}, or ask the role's owner to change the trust policy`;
}

function userNameOf(callerArn: string): string | undefined {
  const arn = parseArn(callerArn);
  return arn?.service === 'iam' && arn.resource.startsWith('user/')
    ? arn.resource.split('/').pop()
    : undefined;
}

function identityCheck(
  evaluation: AssumeRoleEvaluation,
  userName: string,
  policyNames: string[],
  unreadable: string[],
  input: IamCheckInput,
): DoctorCheck {
  const { identity } = evaluation;
  if (identity.decision === 'allow') {
    return ok(
      'identity policy',
      `${statementName(identity.deciding[0] as StatementEvaluation)} allows sts:AssumeRole on the role`,
    );
  }
  if (identity.decision === 'explicitDeny') {
    const denies = identity.deciding.map(statementName).join('; ');
    return fail(
      'identity policy',
      `${denies} denies sts:AssumeRole on the role`,
      `an explicit Deny wins over every Allow (${denies}).`,
      'Remove or narrow that Deny.',
    );
  }
  const account = parseArn(input.roleArn);
  const policyArn = `arn:${account?.partition}:iam::${account?.accountId}:policy/${DEFAULT_POLICY_NAME}`;
  const checked = policyNames.length ? `checked: ${policyNames.join('; ')}` : 'the user has no policies';
  const unread = unreadable.length ? `; could not read ${unreadable.join(', ')}` : '';
  const sameAccountNote = evaluation.identityRequired
    ? ''
    : ' (In the same account AWS also accepts a user the trust policy names by its ARN; cross-account it never does.)';
  return fail(
    'identity policy',
    `no policy of user ${userName} allows sts:AssumeRole on the role`,
    `user ${userName} lacks the sts:AssumeRole permission (${checked}${unread}).${sameAccountNote}`,
    `aws iam attach-user-policy --user-name ${userName} --policy-arn ${policyArn} --profile ${input.adminProfile} (or: tempcreds setup --role ${input.roleName} --user ${userName} --profile ${input.adminProfile})`,
  );
}

function trustCheck(
  evaluation: AssumeRoleEvaluation,
  role: RoleInfo,
  callerArn: string,
  input: IamCheckInput,
): DoctorCheck {
  const { trust } = evaluation;
  if (trust.decision === 'allow') {
    const s = trust.deciding[0] as StatementEvaluation;
    const how =
      s.principalMatched === 'exact'
        ? 'by its ARN'
        : s.principalMatched === 'account'
          ? "by its account (so the user's own policies must allow it too)"
          : "as everyone ('*')";
    return ok('trust', `${statementName(s)} trusts ${callerArn} ${how}`);
  }
  if (trust.decision === 'explicitDeny') {
    const denies = trust.deciding.map(statementName).join('; ');
    return fail(
      'trust',
      `the trust policy denies ${callerArn}`,
      `${denies} of the trust policy denies this principal sts:AssumeRole.`,
      "Ask the role's owner to change the trust policy.",
    );
  }
  const conditional = trust.statements.filter(
    (s) =>
      s.effect === 'Allow' &&
      s.actionMatched &&
      s.principalMatched !== false &&
      s.failedConditions.length > 0,
  );
  if (conditional.length > 0) {
    const failures = conditional.flatMap((s) => s.failedConditions);
    return fail(
      'trust',
      `the trust policy trusts ${callerArn} only under conditions`,
      `the role requires ${failures.map(describeCondition).join(' and ')}, which this request does not meet.`,
      [...new Set(failures.map((f) => conditionFix(f, input.roleName)))].join('; '),
    );
  }
  const trusted = trustedPrincipals(role.trust)
    .filter((t) => t.effect === 'Allow' && !t.not)
    .map((t) => t.principal);
  return fail(
    'trust',
    `role ${role.name} does not trust ${callerArn}`,
    `its trust policy names ${trusted.length ? trusted.join(', ') : 'nobody'} for sts:AssumeRole, not this user or its account.`,
    `tempcreds setup --role ${role.name} --user ${userNameOf(callerArn) ?? 'USER'} --profile ${input.adminProfile}`,
  );
}

function durationCheck(role: RoleInfo, seconds: number, input: IamCheckInput): DoctorCheck {
  if (seconds <= role.maxSessionDuration) {
    return ok('duration', `${seconds} s fits MaxSessionDuration ${role.maxSessionDuration}`);
  }
  return fail(
    'duration',
    `${seconds} s exceeds MaxSessionDuration ${role.maxSessionDuration}`,
    `AWS refuses a DurationSeconds above the role's MaxSessionDuration (${role.maxSessionDuration}).`,
    `Ask for less (--duration ${role.maxSessionDuration}), or raise it: tempcreds role set-max-duration ${role.name} ${seconds} --profile ${input.adminProfile}`,
  );
}

/** The role, identity-policy, trust and duration checks; `roleMissing` tells the caller not to try AssumeRole. */
export async function checkWithAdmin(
  input: IamCheckInput,
): Promise<{ checks: DoctorCheck[]; roleMissing: boolean; role?: RoleInfo }> {
  const role = await getRole(input.iam, input.roleName);
  if (!role) {
    const account = parseArn(input.roleArn)?.accountId;
    return {
      roleMissing: true,
      checks: [
        fail(
          'role',
          `role ${input.roleName} does not exist`,
          `there is no role ${input.roleName} in account ${account}; AWS answers AccessDenied for it like for a refusal.`,
          `Check the name (aws iam list-roles --profile ${input.adminProfile}), or create it: tempcreds setup --role ${input.roleName} --create-role --profile ${input.adminProfile}`,
        ),
        ...['identity policy', 'trust', 'duration'].map((name) => skip(name, 'needs the role')),
      ],
    };
  }
  const checks: DoctorCheck[] = [
    ok('role', `${role.arn} exists, MaxSessionDuration ${role.maxSessionDuration}`),
  ];
  const identity = input.identity;
  const userName = identity && userNameOf(identity.arn);
  const sameAccount = identity && parseArn(identity.arn)?.accountId === parseArn(role.arn)?.accountId;
  if (!identity || !userName || !sameAccount) {
    const why = !identity
      ? 'needs working keys'
      : !userName
        ? `${identity.arn} is not an IAM user`
        : 'the user is in another account than --admin-profile';
    checks.push(
      skip('identity policy', why),
      identity ? trustOnly(role, identity.arn, input) : skip('trust', why),
    );
  } else {
    const user = await getUser(input.iam, userName);
    const policies = await userIdentityPolicies(input.iam, userName, user);
    const evaluation = evaluateAssumeRole({
      roleArn: role.arn,
      callerArn: identity.arn,
      identityPolicies: policies.policies,
      trustPolicy: normalizePolicy(role.trust, `role ${role.name}`),
      permissionsBoundary: policies.permissionsBoundary?.document,
      context: input.context,
    });
    const names = policies.policies.map((p) => p.name);
    checks.push(
      identityCheck(evaluation, userName, names, policies.unreadable, input),
      trustCheck(evaluation, role, identity.arn, input),
    );
    if (evaluation.boundary && evaluation.boundary.decision !== 'allow') {
      checks.push(
        fail(
          'boundary',
          `the permissions boundary of ${userName} does not allow sts:AssumeRole`,
          `a permissions boundary caps every permission of the user.`,
          'Allow sts:AssumeRole in the boundary policy, or remove the boundary.',
        ),
      );
    }
  }
  checks.push(durationCheck(role, input.durationSeconds, input));
  return { checks, roleMissing: false, role };
}

/** The trust check alone, for callers whose own policies cannot be read here. */
function trustOnly(role: RoleInfo, callerArn: string, input: IamCheckInput): DoctorCheck {
  const evaluation = evaluateAssumeRole({
    roleArn: role.arn,
    callerArn,
    identityPolicies: [],
    trustPolicy: normalizePolicy(role.trust, `role ${role.name}`),
    context: input.context,
  });
  return trustCheck(evaluation, role, callerArn, input);
}
