/**
 * What AWS checks in an AssumeRole's session options and moto does not (moto 5.2 ignores Tags,
 * TransitiveTagKeys, SourceIdentity and PolicyArns, and stores Policy unchecked):
 *
 * - session tags need `sts:TagSession`, and a SourceIdentity `sts:SetSourceIdentity`, in the
 *   role's trust policy for the caller (AccessDenied, in AWS's wording, otherwise);
 * - an inline session policy must be a valid identity policy (MalformedPolicyDocument, with the
 *   messages of IAM's policy validator);
 * - tags and policies must fit the session token (PackedPolicyTooLarge). AWS's packing is not
 *   published: this models it as the deflated size of the parts against 2048 bytes for the
 *   policies and 2048 for the tags, so small requests fit and 50 long tags do not.
 *
 * The trust check is a small evaluator of its own (not the product's src/iam/evaluate.ts, which
 * the tests check): Allow/Deny, Action patterns, Principal `*`, the caller's ARN, its role (for a
 * role session) or its account. A statement for these actions with a Condition is not emulated:
 * the proxy fails loudly rather than answer wrongly.
 */
import { deflateRawSync } from 'node:zlib';
import { GetAccessKeyLastUsedCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { AwsError } from './answers.js';
import type { IssuedCredentials } from './sessions.js';

const PACKED_BUDGET_BYTES = 2048;

/** The session options of an AssumeRole, read from its awsQuery parameters. */
export function sessionShapeOf(params: URLSearchParams) {
  const list = (prefix: string) =>
    [...params.entries()]
      .filter(([k]) => new RegExp(`^${prefix}\\.member\\.\\d+$`).test(k))
      .map(([, v]) => v);
  const tags = [...params.keys()]
    .filter((k) => /^Tags\.member\.\d+\.Key$/.test(k))
    .map((k) => ({ key: params.get(k)!, value: params.get(k.replace(/Key$/, 'Value')) ?? '' }));
  return {
    tags,
    transitiveTagKeys: list('TransitiveTagKeys'),
    sourceIdentity: params.get('SourceIdentity') ?? undefined,
    policy: params.get('Policy') ?? undefined,
    policyArns: [...params.keys()]
      .filter((k) => /^PolicyArns\.member\.\d+\.arn$/.test(k))
      .map((k) => params.get(k)!),
  };
}

export interface SessionShapeContext {
  /** The caller's ARN (a user, or a role session); undefined when the proxy cannot tell. */
  callerArn: string | undefined;
  roleArn: string;
  /** The role's trust policy document (decoded JSON), or undefined for an unknown role. */
  trust: () => Promise<TrustDocument | undefined>;
}

interface TrustStatement {
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: string | string[] };
  Action?: string | string[];
  Condition?: unknown;
}
export interface TrustDocument {
  Statement: TrustStatement | TrustStatement[];
}

/** AWS's refusal of the request's session options, or undefined when AWS would accept them. */
export async function sessionShapeRefusal(
  params: URLSearchParams,
  context: SessionShapeContext,
): Promise<AwsError | undefined> {
  const shape = sessionShapeOf(params);
  if (shape.policy !== undefined) {
    const malformed = malformedPolicy(shape.policy);
    if (malformed) return { code: 'MalformedPolicyDocument', status: 400, message: malformed };
  }
  const needs = [
    ...(shape.tags.length || shape.transitiveTagKeys.length ? ['sts:TagSession'] : []),
    ...(shape.sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : []),
  ];
  if (needs.length > 0) {
    const trust = await context.trust();
    if (!context.callerArn)
      throw new Error('awsProxy: session options from a caller whose ARN it does not know');
    for (const action of needs) {
      if (trust && !trustAllows(trust, action, context.callerArn)) {
        return {
          code: 'AccessDenied',
          status: 403,
          message: `User: ${context.callerArn} is not authorized to perform: ${action} on resource: ${context.roleArn}`,
        };
      }
    }
  }
  const policies = percent([shape.policy ?? '', ...shape.policyArns].join(''));
  if (policies > 100) {
    return {
      code: 'PackedPolicyTooLarge',
      status: 400,
      message: `Packed policy consumes ${policies}% of allotted space, please use smaller policy.`,
    };
  }
  const tags = percent(shape.tags.map((t) => `${t.key}\u0000${t.value}`).join('\u0000'));
  if (tags > 100) {
    return {
      code: 'PackedPolicyTooLarge',
      status: 400,
      message: `Packed size of session tags consumes ${tags}% of allotted space.`,
    };
  }
  return undefined;
}

function percent(text: string): number {
  if (text === '') return 0;
  return Math.ceil((deflateRawSync(Buffer.from(text, 'utf8')).length / PACKED_BUDGET_BYTES) * 100);
}

/** IAM's policy validator's messages for what a session (identity) policy must not be. */
function malformedPolicy(text: string): string | undefined {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text) as { Statement?: unknown };
  } catch {
    return 'The policy is not in the valid JSON format.';
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (statements.length === 0) return 'Syntax errors in policy.';
  for (const s of statements as Record<string, unknown>[]) {
    if ('Principal' in s || 'NotPrincipal' in s) return 'Policy document should not specify a principal.';
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return 'Syntax errors in policy.';
    if (!('Action' in s) && !('NotAction' in s)) return 'Policy statement must contain actions.';
    if (!('Resource' in s) && !('NotResource' in s)) return 'Policy statement must contain resources.';
  }
  return undefined;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

function principalMatches(principal: TrustStatement['Principal'], caller: string): boolean {
  if (principal === '*') return true;
  const [, partition, , account, resource] = /^arn:([^:]+):(iam|sts)::(\d{12}):(.*)$/.exec(caller) ?? [];
  const session = /^assumed-role\/([^/]+)\//.exec(resource ?? '')?.[1];
  return asList(principal?.AWS).some(
    (id) =>
      id === '*' ||
      id === caller ||
      id === account ||
      id === `arn:${partition}:iam::${account}:root` ||
      (session !== undefined &&
        new RegExp(`^arn:${partition}:iam::${account}:role/(.*/)?${session}$`).test(id)),
  );
}

function trustAllows(trust: TrustDocument, action: string, caller: string): boolean {
  const applicable = asList(trust.Statement).filter(
    (s) => asList(s.Action).some((a) => actionMatches(a, action)) && principalMatches(s.Principal, caller),
  );
  if (applicable.some((s) => s.Condition !== undefined)) {
    throw new Error(`awsProxy: a Condition on a trust statement for ${action} is not emulated`);
  }
  return !applicable.some((s) => s.Effect === 'Deny') && applicable.some((s) => s.Effect === 'Allow');
}

/**
 * The check as the proxy runs it after moto accepted an AssumeRole: the caller is the session the
 * proxy saw issued, or the IAM user whose key signed (asked of moto as the administrator).
 */
export function createSessionShapeCheck(iam: IAMClient) {
  return async (
    params: URLSearchParams,
    accessKeyId: string | undefined,
    signedBy: IssuedCredentials | undefined,
  ): Promise<AwsError | undefined> => {
    const roleArn = params.get('RoleArn') ?? '';
    const [, partition, account] = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn) ?? [];
    const callerArn = async () => {
      if (signedBy?.arn || !accessKeyId) return signedBy?.arn;
      const user = await iam
        .send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }))
        .catch(() => undefined);
      return user?.UserName ? `arn:${partition}:iam::${account}:user/${user.UserName}` : undefined;
    };
    const trust = async () => {
      const role = await iam
        .send(new GetRoleCommand({ RoleName: roleArn.split('/').pop() }))
        .catch(() => undefined);
      const text = role?.Role?.AssumeRolePolicyDocument;
      return text === undefined ? undefined : (JSON.parse(decodeURIComponent(text)) as TrustDocument);
    };
    return sessionShapeRefusal(params, { callerArn: await callerArn(), roleArn, trust });
  };
}
