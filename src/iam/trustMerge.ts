/**
 * Adding (and removing) one principal in a role's trust policy without disturbing anything else:
 * no statement, principal, Condition or key order other than the one edited changes. Pure.
 * Principals are `AWS` ones (a user, for setup) or `Service` ones (`credentials.iot.amazonaws.com`,
 * for iot setup); each is merged only into statements of its own type.
 */
import {
  asList,
  statementsOf,
  type JsonValue,
  type RawPolicyDocument,
  type RawStatement,
} from './policyDocument.js';

/** A trust policy after an edit: everything not edited is kept as written (Sids, Conditions, order). */
export interface TrustEdit {
  /** The edited document, a new object (the input is not modified). */
  document: RawPolicyDocument;
  /** False when the document already said so and is returned as it was: nothing to write. */
  changed: boolean;
}

const ASSUME_ROLE = 'sts:assumerole';

/** The principal types setup and iot setup write. */
export type PrincipalType = 'AWS' | 'Service';

function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Principals of one type in a statement's `Principal` (its string or list), or undefined when it has none. */
function principalsOf(statement: RawStatement, type: PrincipalType): string[] | undefined {
  return isObject(statement.Principal) ? asList(statement.Principal[type]) : undefined;
}

function allowsAssumeRole(statement: RawStatement): boolean {
  return (
    statement.Effect === 'Allow' &&
    (asList(statement.Action) ?? []).some((a) => a.toLowerCase() === ASSUME_ROLE)
  );
}

/**
 * A statement setup may add a principal to: it allows exactly `sts:AssumeRole`, to principals of
 * the type, with no Condition and no Not* element. Adding to anything else would change what the new
 * principal must meet (a Condition) or may do (other actions). Teardown removes only from these.
 */
export function isPlainAssumeRoleGrant(statement: RawStatement, type: PrincipalType = 'AWS'): boolean {
  const actions = asList(statement.Action) ?? [];
  const principals = principalsOf(statement, type);
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
 * Lets `principal` (an ARN, or a service name for `Service`) assume the role: nothing changes when
 * an Allow for `sts:AssumeRole` already names it (with or without Conditions: those are the
 * owner's); otherwise it joins the principals of its type of the first plain grant for that type
 * (a string principal becomes a list), else a new statement is appended. Idempotent.
 */
export function addTrustedPrincipal(
  doc: RawPolicyDocument,
  principal: string,
  type: PrincipalType = 'AWS',
): TrustEdit {
  const statements = statementsOf(doc).map((s) => clone(s));
  if (statements.some((s) => allowsAssumeRole(s) && principalsOf(s, type)?.includes(principal))) {
    return { document: clone(doc), changed: false };
  }
  const wasList = Array.isArray(doc.Statement);
  const target = statements.find((s) => isPlainAssumeRoleGrant(s, type));
  if (target && isObject(target.Principal)) {
    const current = target.Principal[type] as JsonValue;
    target.Principal[type] = Array.isArray(current) ? [...current, principal] : [current, principal];
  } else {
    statements.push({ Effect: 'Allow', Principal: { [type]: principal }, Action: 'sts:AssumeRole' });
  }
  return { document: withStatements(doc, statements, wasList || statements.length > 1), changed: true };
}

/** {@link removeTrustedPrincipal}'s answer: the edit, and whether anything would be left. */
export interface TrustRemoval extends TrustEdit {
  /** Removing the principal would leave no statement: IAM refuses an empty trust policy. */
  empty: boolean;
}

/**
 * Undoes {@link addTrustedPrincipal}: removes `principal` from the plain grants only (never from
 * statements with Conditions or other actions, which setup does not write); a grant left without
 * principals is removed. Other principals and statements stay as they are.
 */
export function removeTrustedPrincipal(
  doc: RawPolicyDocument,
  principal: string,
  type: PrincipalType = 'AWS',
): TrustRemoval {
  const wasList = Array.isArray(doc.Statement);
  let changed = false;
  const kept: RawStatement[] = [];
  for (const original of statementsOf(doc)) {
    const statement = clone(original);
    const principals = principalsOf(statement, type);
    if (
      !isPlainAssumeRoleGrant(statement, type) ||
      !principals?.includes(principal) ||
      !isObject(statement.Principal)
    ) {
      kept.push(statement);
      continue;
    }
    changed = true;
    const rest = principals.filter((p) => p !== principal);
    if (rest.length > 0) {
      statement.Principal[type] = Array.isArray(statement.Principal[type]) ? rest : (rest[0] as string);
      kept.push(statement);
    } else if (Object.keys(statement.Principal).length > 1) {
      delete statement.Principal[type];
      kept.push(statement);
    }
  }
  if (!changed) return { document: clone(doc), changed: false, empty: false };
  if (kept.length === 0) return { document: clone(doc), changed: false, empty: true };
  return { document: withStatements(doc, kept, wasList), changed: true, empty: false };
}

/** Whether any Allow for `sts:AssumeRole` names `principal` (what setup's trust step ensures). */
export function namesPrincipal(
  doc: RawPolicyDocument,
  principal: string,
  type: PrincipalType = 'AWS',
): boolean {
  return !addTrustedPrincipal(doc, principal, type).changed;
}

/** A fresh trust policy for a role setup creates: the runbook's statement, nothing more. */
export function newTrustPolicy(principalArn: string): RawPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' }],
  };
}
