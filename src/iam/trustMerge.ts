/**
 * Adding (and removing) one principal in a role's trust policy without disturbing anything else:
 * no statement, principal, Condition or key order other than the one edited changes. Pure.
 */
import {
  asList,
  statementsOf,
  type JsonValue,
  type RawPolicyDocument,
  type RawStatement,
} from './policyDocument.js';

export interface TrustEdit {
  document: RawPolicyDocument;
  changed: boolean;
}

const ASSUME_ROLE = 'sts:assumerole';

function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `AWS` principals of a statement's `Principal` (its string or list), or undefined when it has none. */
function awsPrincipals(statement: RawStatement): string[] | undefined {
  return isObject(statement.Principal) ? asList(statement.Principal.AWS) : undefined;
}

function allowsAssumeRole(statement: RawStatement): boolean {
  return (
    statement.Effect === 'Allow' &&
    (asList(statement.Action) ?? []).some((a) => a.toLowerCase() === ASSUME_ROLE)
  );
}

/**
 * A statement setup may add a principal to: it allows exactly `sts:AssumeRole`, to AWS principals,
 * with no Condition and no Not* element. Adding to anything else would change what the new
 * principal must meet (a Condition) or may do (other actions). Teardown removes only from these.
 */
export function isPlainAssumeRoleGrant(statement: RawStatement): boolean {
  const actions = asList(statement.Action) ?? [];
  const principals = awsPrincipals(statement);
  return (
    statement.Effect === 'Allow' &&
    actions.length > 0 &&
    actions.every((a) => a.toLowerCase() === ASSUME_ROLE) &&
    statement.Condition === undefined &&
    statement.NotAction === undefined &&
    statement.NotPrincipal === undefined &&
    principals !== undefined &&
    !principals.includes('*')
  );
}

/** The document's statements written back the way they came: a single object stays one. */
function withStatements(
  doc: RawPolicyDocument,
  statements: RawStatement[],
  wasList: boolean,
): RawPolicyDocument {
  const out = clone(doc);
  out.Statement = wasList || statements.length !== 1 ? statements : (statements[0] as RawStatement);
  return out;
}

/**
 * Lets `principalArn` assume the role: nothing changes when an Allow for `sts:AssumeRole` already
 * names it (with or without Conditions: those are the owner's); otherwise it joins the AWS
 * principals of the first plain grant (a string principal becomes a list), else a new statement
 * is appended. Idempotent.
 */
export function addTrustedPrincipal(doc: RawPolicyDocument, principalArn: string): TrustEdit {
  const statements = statementsOf(doc).map((s) => clone(s));
  if (statements.some((s) => allowsAssumeRole(s) && awsPrincipals(s)?.includes(principalArn))) {
    return { document: clone(doc), changed: false };
  }
  const wasList = Array.isArray(doc.Statement);
  const target = statements.find(isPlainAssumeRoleGrant);
  if (target && isObject(target.Principal)) {
    const current = target.Principal.AWS as JsonValue;
    target.Principal.AWS = Array.isArray(current) ? [...current, principalArn] : [current, principalArn];
  } else {
    statements.push({ Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' });
  }
  return { document: withStatements(doc, statements, wasList || statements.length > 1), changed: true };
}

export interface TrustRemoval extends TrustEdit {
  /** Removing the principal would leave no statement: IAM refuses an empty trust policy. */
  empty: boolean;
}

/**
 * Undoes {@link addTrustedPrincipal}: removes `principalArn` from the plain grants only (never from
 * statements with Conditions or other actions, which setup does not write); a grant left without
 * principals is removed. Other principals and statements stay as they are.
 */
export function removeTrustedPrincipal(doc: RawPolicyDocument, principalArn: string): TrustRemoval {
  const wasList = Array.isArray(doc.Statement);
  let changed = false;
  const kept: RawStatement[] = [];
  for (const original of statementsOf(doc)) {
    const statement = clone(original);
    const principals = awsPrincipals(statement);
    if (
      !isPlainAssumeRoleGrant(statement) ||
      !principals?.includes(principalArn) ||
      !isObject(statement.Principal)
    ) {
      kept.push(statement);
      continue;
    }
    changed = true;
    const rest = principals.filter((p) => p !== principalArn);
    if (rest.length > 0) {
      statement.Principal.AWS = Array.isArray(statement.Principal.AWS) ? rest : (rest[0] as string);
      kept.push(statement);
    } else if (Object.keys(statement.Principal).length > 1) {
      delete statement.Principal.AWS;
      kept.push(statement);
    }
  }
  if (!changed) return { document: clone(doc), changed: false, empty: false };
  if (kept.length === 0) return { document: clone(doc), changed: false, empty: true };
  return { document: withStatements(doc, kept, wasList), changed: true, empty: false };
}

/** Whether any Allow for `sts:AssumeRole` names `principalArn` (what setup's trust step ensures). */
export function namesPrincipal(doc: RawPolicyDocument, principalArn: string): boolean {
  return !addTrustedPrincipal(doc, principalArn).changed;
}

/** A fresh trust policy for a role setup creates: the runbook's statement, nothing more. */
export function newTrustPolicy(principalArn: string): RawPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' }],
  };
}
