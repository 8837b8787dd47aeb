/**
 * Doctor's check of what the session asks for besides sts:AssumeRole: session tags need
 * `sts:TagSession`, a SourceIdentity `sts:SetSourceIdentity`, both in the role's trust policy for
 * the caller. Local evaluation of the trust policy the administrator read; nothing is changed.
 */
import type { RequestContext } from './conditions.js';
import { describeCondition } from './conditions.js';
import { fail, ok, type DoctorCheck } from './doctorKeys.js';
import { evaluatePolicy } from './evaluate.js';
import type { RoleInfo } from './iamReads.js';
import { normalizePolicy } from './policyDocument.js';
import { sessionActions, sessionTrustStatement, type SessionShape } from '../credentials/sessionRefusals.js';

/** The request context keys a tagged session adds: `aws:RequestTag/KEY`, `aws:TagKeys`, `sts:TransitiveTagKeys`, `sts:SourceIdentity`. */
export function sessionContext(shape: Omit<SessionShape, 'roleArn'>): RequestContext {
  const context: RequestContext = {};
  for (const tag of shape.tags ?? []) context[`aws:RequestTag/${tag.key}`] = tag.value;
  if (shape.tags?.length) context['aws:TagKeys'] = shape.tags.map((t) => t.key);
  if (shape.transitiveTagKeys?.length) context['sts:TransitiveTagKeys'] = [...shape.transitiveTagKeys];
  if (shape.sourceIdentity !== undefined) context['sts:SourceIdentity'] = shape.sourceIdentity;
  return context;
}

/**
 * The `session options` check, or undefined when the request asks for nothing beyond
 * sts:AssumeRole. Fails with the statement to add for each action the trust does not allow.
 */
export function sessionOptionsCheck(
  role: RoleInfo,
  callerArn: string,
  shape: Omit<SessionShape, 'roleArn'>,
  context: RequestContext,
): DoctorCheck | undefined {
  const needed = sessionActions({ ...shape, roleArn: role.arn });
  if (needed.length === 0) return undefined;
  const trust = normalizePolicy(role.trust, `role ${role.name}`);
  const full = { ...context, ...sessionContext(shape) };
  const results = needed.map((action) => ({
    action,
    evaluation: evaluatePolicy(
      trust,
      { action, resource: role.arn, principal: callerArn, context: full },
      'resource',
    ),
  }));
  const refused = results.filter((r) => r.evaluation.decision !== 'allow');
  if (refused.length === 0) {
    return ok('session options', `the trust policy allows ${needed.join(' and ')} for ${callerArn}`);
  }
  const conditions = refused.flatMap((r) =>
    r.evaluation.statements
      .filter((s) => s.actionMatched && s.principalMatched !== false)
      .flatMap((s) => s.failedConditions),
  );
  const denied = refused.some((r) => r.evaluation.decision === 'explicitDeny');
  const actions = refused.map((r) => r.action);
  return fail(
    'session options',
    `the trust policy does not allow ${actions.join(' or ')} for ${callerArn}`,
    denied
      ? `a Deny in role ${role.name}'s trust policy refuses ${actions.join(' and ')}: AWS answers AccessDenied.`
      : conditions.length > 0
        ? `role ${role.name} allows ${actions.join(' and ')} only if ${conditions.map(describeCondition).join(' and ')}.`
        : `the session asks for ${actions.join(' and ')} (its tags or SourceIdentity), which role ${role.name}'s trust policy does not grant: AWS answers AccessDenied.`,
    denied || conditions.length > 0
      ? "Ask the role's owner to change the trust policy."
      : `Add to the trust policy of role ${role.name}: ${sessionTrustStatement(callerArn, actions)}`,
  );
}
