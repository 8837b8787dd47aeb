/**
 * A local IAM policy evaluator, after "Policy evaluation logic" in the IAM User Guide: default
 * deny, an applicable Allow allows, an applicable Deny anywhere wins. Pure: no AWS calls.
 */
import { parseArn } from '../aws/arn.js';
import { failedConditions, type ConditionFailure, type RequestContext } from './conditions.js';
import type { NamedPolicy, PolicyDocument, Principals, Statement } from './policyDocument.js';
import { actionMatches, arnMatches } from './patterns.js';

/** One request as IAM evaluates it: who does what to which resource, in which context. */
export interface AuthorizationRequest {
  /** `sts:AssumeRole` */
  action: string;
  /** The ARN acted on (the role's ARN for AssumeRole). */
  resource: string;
  /** The caller's ARN: needed for resource-based policies (a role's trust policy). */
  principal?: string;
  /** The request context keys conditions test (`aws:MultiFactorAuthPresent`, `sts:ExternalId`); none when absent. */
  context?: RequestContext;
}

/** Identity policies name no principal; resource-based policies (trust policies) must. */
export type PolicyKind = 'identity' | 'resource';

/**
 * How a statement's Principal names the caller: its very ARN (`exact`), its account (`account`:
 * `123456789012` or `arn:aws:iam::123456789012:root`), or everyone (`wildcard`: `*`).
 */
export type PrincipalMatch = 'exact' | 'account' | 'wildcard';

/** What one statement made of a request, and why. */
export interface StatementEvaluation {
  /** Which policy (for several) and which statement (0-based) of it. */
  policy?: string;
  /** The statement's position in its policy, 0-based. */
  index: number;
  /** The statement's `Sid`, when it has one. */
  sid?: string;
  /** The statement's `Effect`. */
  effect: 'Allow' | 'Deny';
  /** `Action` names the request's action (or `NotAction` does not). */
  actionMatched: boolean;
  /** `Resource` names the request's resource (or `NotResource` does not); true for trust policies, which have none. */
  resourceMatched: boolean;
  /** For resource-based policies: how the principal matched, or false. Always true for identity policies. */
  principalMatched: PrincipalMatch | boolean;
  /** The conditions the request did not satisfy; empty when all hold. */
  failedConditions: ConditionFailure[];
  /** Action, resource and principal match and every condition holds. */
  applies: boolean;
}

/** IAM's three outcomes: an applicable Allow and no Deny, an applicable Deny, or nothing applicable. */
export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

/** What a policy (or a set of them) decides for one request. */
export interface PolicyEvaluation {
  /** `explicitDeny` when any statement denies, else `allow` when one allows, else `implicitDeny`. */
  decision: Decision;
  /** Every statement's evaluation, in policy and document order. */
  statements: StatementEvaluation[];
  /** The statements that decided: the applicable Denies, else the applicable Allows; none for an implicit deny. */
  deciding: StatementEvaluation[];
}

function accountOf(arn: string): string | undefined {
  return parseArn(arn)?.accountId;
}

/** For an assumed-role session, the role's ARN: a trust naming the role matches its sessions. */
function roleOfSession(arn: string): string | undefined {
  const parsed = parseArn(arn);
  const match = parsed?.service === 'sts' ? /^assumed-role\/([^/]+)\//.exec(parsed.resource) : null;
  return match && parsed ? `arn:${parsed.partition}:iam::${parsed.accountId}:role/${match[1]}` : undefined;
}

/** How `principals` name `caller` (AWS principals only: the caller of AssumeRole is an AWS identity). */
export function principalMatch(principals: Principals, caller: string): PrincipalMatch | false {
  if (principals === '*') return 'wildcard';
  const ids = principals.AWS ?? [];
  const account = accountOf(caller);
  const role = roleOfSession(caller);
  let best: PrincipalMatch | false = false;
  for (const id of ids) {
    // Principals take no wildcards but `*` itself: `user/*` names nobody.
    if (id === caller || (role !== undefined && id === role)) return 'exact';
    if (id === '*') best = 'wildcard';
    else if (
      account &&
      (id === account || id === `arn:${parseArn(caller)?.partition}:iam::${account}:root`)
    ) {
      best = best || 'account';
    }
  }
  return best;
}

function statementPrincipal(
  statement: Statement,
  kind: PolicyKind,
  caller: string | undefined,
): PrincipalMatch | boolean {
  if (kind === 'identity') return true;
  if (caller === undefined) return false;
  if (statement.principal) return principalMatch(statement.principal, caller);
  // NotPrincipal: everyone except those named.
  if (statement.notPrincipal)
    return principalMatch(statement.notPrincipal, caller) === false ? 'wildcard' : false;
  return false;
}

export function evaluateStatement(
  statement: Statement,
  index: number,
  request: AuthorizationRequest,
  kind: PolicyKind,
): StatementEvaluation {
  const actionMatched = statement.notAction
    ? !statement.notAction.some((p) => actionMatches(p, request.action))
    : (statement.action ?? []).some((p) => actionMatches(p, request.action));
  // A trust policy has no Resource element: it is about the role it is attached to.
  const resourceMatched = statement.notResource
    ? !statement.notResource.some((p) => arnMatches(p, request.resource))
    : statement.resource === undefined
      ? kind === 'resource'
      : statement.resource.some((p) => arnMatches(p, request.resource));
  const principalMatched = statementPrincipal(statement, kind, request.principal);
  const failures = failedConditions(statement.condition, request.context ?? {});
  return {
    index,
    sid: statement.sid,
    effect: statement.effect,
    actionMatched,
    resourceMatched,
    principalMatched,
    failedConditions: failures,
    applies: actionMatched && resourceMatched && principalMatched !== false && failures.length === 0,
  };
}

function decide(statements: StatementEvaluation[]): PolicyEvaluation {
  const applicable = statements.filter((s) => s.applies);
  const denies = applicable.filter((s) => s.effect === 'Deny');
  if (denies.length > 0) return { decision: 'explicitDeny', statements, deciding: denies };
  const allows = applicable.filter((s) => s.effect === 'Allow');
  return { decision: allows.length > 0 ? 'allow' : 'implicitDeny', statements, deciding: allows };
}

/**
 * What one policy decides for `request`. `kind` says how to read it: a `resource` policy (a trust
 * policy) applies only where its Principal names `request.principal`.
 */
export function evaluatePolicy(
  policy: PolicyDocument,
  request: AuthorizationRequest,
  kind: PolicyKind = 'identity',
): PolicyEvaluation {
  return decide(
    policy.statements.map((statement, index) => evaluateStatement(statement, index, request, kind)),
  );
}

/** Several policies of one kind (a user's attached, inline and group policies) as one set. */
export function evaluatePolicies(
  policies: NamedPolicy[],
  request: AuthorizationRequest,
  kind: PolicyKind = 'identity',
): PolicyEvaluation {
  return decide(
    policies.flatMap(({ name, document }) =>
      evaluatePolicy(document, request, kind).statements.map((s) => ({ ...s, policy: name })),
    ),
  );
}

/** Everything {@link evaluateAssumeRole} needs: the two ARNs and both sides' policies. */
export interface AssumeRoleQuestion {
  /** The role to assume. */
  roleArn: string;
  /** Who asks: a user's ARN, or an assumed-role session's (role chaining). */
  callerArn: string;
  /** The caller's identity policies (attached, inline, and its groups'). */
  identityPolicies: NamedPolicy[];
  /** The role's trust policy (its `AssumeRolePolicyDocument`). */
  trustPolicy: PolicyDocument;
  /** The caller's permissions boundary, when it has one. */
  permissionsBoundary?: PolicyDocument;
  /** The request context (`aws:MultiFactorAuthPresent`, `sts:ExternalId`, ...); none when absent. */
  context?: RequestContext;
}

/** Both sides of an AssumeRole decision, so a report can say which side refused and why. */
export interface AssumeRoleEvaluation {
  /** AWS's answer: allowed only when the trust allows, the identity side allows (where required) and no side denies. */
  decision: Decision;
  /** The caller's identity policies. */
  identity: PolicyEvaluation;
  /** The role's trust policy. */
  trust: PolicyEvaluation;
  /** The caller's permissions boundary; absent when it has none. */
  boundary?: PolicyEvaluation;
  /**
   * Whether the caller's own policies must allow sts:AssumeRole. Not when the trust policy names
   * the caller itself in its own account (the IAM docs: a principal named in a same-account
   * resource-based policy needs no identity permission); always when it names only the account.
   */
  identityRequired: boolean;
}

/** Would AWS let `callerArn` assume `roleArn`? Both sides: the caller's policies and the role's trust. */
export function evaluateAssumeRole(question: AssumeRoleQuestion): AssumeRoleEvaluation {
  const request: AuthorizationRequest = {
    action: 'sts:AssumeRole',
    resource: question.roleArn,
    principal: question.callerArn,
    context: question.context,
  };
  const identity = evaluatePolicies(question.identityPolicies, request, 'identity');
  const trust = evaluatePolicy(question.trustPolicy, request, 'resource');
  const boundary =
    question.permissionsBoundary && evaluatePolicy(question.permissionsBoundary, request, 'identity');
  const sameAccount = accountOf(question.roleArn) === accountOf(question.callerArn);
  const identityRequired = !(
    sameAccount &&
    trust.deciding.some((s) => s.principalMatched === 'exact' || s.principalMatched === 'wildcard')
  );
  const result = (decision: Decision): AssumeRoleEvaluation => ({
    decision,
    identity,
    trust,
    boundary,
    identityRequired,
  });
  if ([identity, trust, boundary].some((e) => e?.decision === 'explicitDeny')) return result('explicitDeny');
  // A role's trust policy must allow in every case; a boundary limits whatever else allows.
  if (trust.decision !== 'allow' || (boundary && boundary.decision !== 'allow'))
    return result('implicitDeny');
  return result(!identityRequired || identity.decision === 'allow' ? 'allow' : 'implicitDeny');
}

/**
 * The request context of an AssumeRole signed with an IAM user's long-term keys: the global keys
 * AWS sets for it. `aws:MultiFactorAuthPresent` is absent (long-term keys never carry it).
 */
export function assumeRoleContext(input: {
  callerArn: string;
  userId?: string;
  region: string;
  roleSessionName?: string;
  externalId?: string;
  now?: Date;
}): RequestContext {
  const arn = parseArn(input.callerArn);
  const now = input.now ?? new Date();
  const userName =
    arn?.service === 'iam' && arn.resource.startsWith('user/') ? arn.resource.split('/').pop() : undefined;
  const context: RequestContext = {
    'aws:PrincipalArn': input.callerArn,
    'aws:SecureTransport': 'true',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:RequestedRegion': input.region,
  };
  if (arn) context['aws:PrincipalAccount'] = arn.accountId;
  if (userName) {
    context['aws:username'] = userName;
    context['aws:PrincipalType'] = 'User';
  }
  if (input.userId) context['aws:userid'] = input.userId;
  if (input.roleSessionName) context['sts:RoleSessionName'] = input.roleSessionName;
  if (input.externalId) context['sts:ExternalId'] = input.externalId;
  return context;
}
