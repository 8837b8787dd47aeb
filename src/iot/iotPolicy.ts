/**
 * The IoT policy iot setup attaches to a device certificate, and the questions asked of IoT
 * policies and trust policies: does a set of policies allow `iot:AssumeRoleWithCertificate` on a
 * role alias, does a role trust the credentials provider. IoT policies share IAM's grammar
 * (Effect, Action, Resource, wildcards, Deny wins), so the IAM evaluator answers. Pure.
 */
import { parseArn } from '../aws/arn.js';
import type { Partition } from '../aws/partition.js';
import { evaluatePolicies, type PolicyEvaluation } from '../iam/evaluate.js';
import { normalizePolicy, statementsOf, asList, type RawPolicyDocument } from '../iam/policyDocument.js';
import { actionMatches } from '../iam/patterns.js';

/** The service principal that assumes the role for the credentials provider (the same name in China). */
export const CREDENTIALS_PROVIDER_PRINCIPAL = 'credentials.iot.amazonaws.com';

export const ASSUME_WITH_CERTIFICATE = 'iot:AssumeRoleWithCertificate';

/** `arn:<partition>:iot:<region>:<account>:rolealias/<alias>`. */
export function roleAliasArn(partition: Partition, region: string, accountId: string, alias: string): string {
  return `arn:${partition}:iot:${region}:${accountId}:rolealias/${alias}`;
}

/** What iot setup writes: the one permission the device needs, on its alias only. */
export function assumeWithCertificatePolicy(aliasArn: string): RawPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ASSUME_WITH_CERTIFICATE, Resource: aliasArn }],
  };
}

/**
 * The role alias a policy of iot setup's shape is for: one Allow of exactly
 * `iot:AssumeRoleWithCertificate` on one role alias ARN. Undefined for any other document
 * (teardown leaves such policies alone: setup did not write them).
 */
export function aliasOfSetupPolicy(doc: RawPolicyDocument): string | undefined {
  const statements = statementsOf(doc);
  if (statements.length !== 1) return undefined;
  const [s] = statements;
  const actions = asList(s?.Action) ?? [];
  const resources = asList(s?.Resource) ?? [];
  const keys = Object.keys(s ?? {}).filter((k) => k !== 'Sid');
  if (
    s?.Effect !== 'Allow' ||
    keys.length !== 3 ||
    actions.length !== 1 ||
    actions[0]?.toLowerCase() !== ASSUME_WITH_CERTIFICATE.toLowerCase() ||
    resources.length !== 1
  )
    return undefined;
  const arn = parseArn(resources[0] as string);
  return arn?.service === 'iot' && arn.resource.startsWith('rolealias/')
    ? arn.resource.slice('rolealias/'.length)
    : undefined;
}

/** How the IoT policies attached to a certificate decide `iot:AssumeRoleWithCertificate` on the alias. */
export function evaluateAliasPermission(
  policies: Array<{ name: string; document: RawPolicyDocument }>,
  aliasArn: string,
): PolicyEvaluation {
  return evaluatePolicies(
    policies.map((p) => ({ name: p.name, document: normalizePolicy(p.document, `IoT policy ${p.name}`) })),
    { action: ASSUME_WITH_CERTIFICATE, resource: aliasArn },
  );
}

/**
 * Whether a trust policy lets the credentials provider assume the role: an Allow covering
 * `sts:AssumeRole` names the service (or `*`), and no Deny does. Conditions are the owner's and
 * are not judged here (AWS recommends aws:SourceArn ones).
 */
export function trustsCredentialsProvider(trust: RawPolicyDocument): boolean {
  const statements = normalizePolicy(trust, 'the trust policy').statements;
  const names = (s: (typeof statements)[number]) =>
    s.principal === '*' ||
    (s.principal?.Service ?? []).includes(CREDENTIALS_PROVIDER_PRINCIPAL) ||
    (s.principal?.Service ?? []).includes('*');
  const covers = (s: (typeof statements)[number]) =>
    (s.action ?? []).some((a) => actionMatches(a, 'sts:AssumeRole'));
  if (statements.some((s) => s.effect === 'Deny' && names(s) && covers(s))) return false;
  return statements.some((s) => s.effect === 'Allow' && names(s) && covers(s));
}
