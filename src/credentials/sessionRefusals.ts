/**
 * AWS's refusals of what shapes a session (tags, SourceIdentity, session policies), explained in
 * AWS's terms with the fix: the trust statement to add, or what to make smaller.
 */
import { awsErrorCode, TempcredsError } from '../errors.js';

/** What the refused AssumeRole asked for, in AWS's names. */
export interface SessionShape {
  /** `RoleArn`: the role to assume. */
  roleArn: string;
  /** `Tags`: session tags (the trust policy must allow `sts:TagSession`). */
  tags?: readonly { key: string; value: string }[];
  /** `TransitiveTagKeys`: keys of `tags` that pass on through role chaining. */
  transitiveTagKeys?: readonly string[];
  /** `SourceIdentity` (the trust policy must allow `sts:SetSourceIdentity`). */
  sourceIdentity?: string;
  /** `Policy`: an inline session policy, JSON text. */
  policy?: string;
  /** `PolicyArns`: managed session policies, by ARN. */
  policyArns?: readonly string[];
}

/** The trust-policy actions a request needs besides sts:AssumeRole. */
export function sessionActions(shape: SessionShape): string[] {
  const actions: string[] = [];
  if (shape.tags?.length || shape.transitiveTagKeys?.length) actions.push('sts:TagSession');
  if (shape.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  return actions;
}

/** The statement that lets `principal` pass this request's tags and SourceIdentity. */
export function sessionTrustStatement(principal: string, actions: readonly string[]): string {
  return JSON.stringify({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: actions.length === 1 ? actions[0] : actions,
  });
}

const CALLER = /User: (arn:[^ ]+) is not authorized to perform: (sts:\w+)/;

/**
 * An explanation for an AssumeRole refusal that is about the session's shape, or undefined for
 * any other error (left to the general explanation).
 */
export function explainSessionRefusal(
  err: unknown,
  shape: SessionShape,
  action: string,
): TempcredsError | undefined {
  const code = awsErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const refused = (fix: string) =>
    new TempcredsError(`${action} failed: ${code}: ${message}`, {
      kind: 'aws',
      awsCode: code,
      fix,
      cause: err,
    });
  if (code === 'PackedPolicyTooLarge' || code === 'PackedPolicyTooLargeException') {
    return refused(
      `AWS packs the session tags and session policies into the session token, and these did not fit (${packedParts(shape)}; a role session as the source adds its own transitive tags). Pass fewer or shorter tags, a shorter Policy, or fewer PolicyArns.`,
    );
  }
  if (code === 'MalformedPolicyDocument' || code === 'MalformedPolicyDocumentException') {
    return refused(
      'The session policy is an identity policy: each statement needs Effect, Action (or NotAction) and Resource (or NotResource), and none may name a Principal. Fix the Policy document (or the PolicyArns) and try again.',
    );
  }
  const denied = code === 'AccessDenied' ? CALLER.exec(message) : null;
  const needed = sessionActions(shape);
  if (!denied || !needed.includes(denied[2] as string)) return undefined;
  const roleName = shape.roleArn.split('/').pop();
  return refused(
    `Role ${roleName}'s trust policy must also allow ${needed.join(' and ')} for ${denied[1]}: add the statement ${sessionTrustStatement(denied[1] as string, needed)} (or add ${needed.map((a) => `"${a}"`).join(', ')} to the Action of the statement that trusts it).`,
  );
}

function packedParts(shape: SessionShape): string {
  const parts = [`${shape.tags?.length ?? 0} tags`];
  if (shape.policy !== undefined) parts.push(`a Policy of ${shape.policy.length} characters`);
  if (shape.policyArns?.length) parts.push(`${shape.policyArns.length} PolicyArns`);
  return parts.join(', ');
}
