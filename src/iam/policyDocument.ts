import { TempcredsError } from '../errors.js';

/** Any JSON value, as IAM stores it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A statement exactly as written (for edits that must keep everything else untouched). */
export type RawStatement = { [key: string]: JsonValue };

/** A policy document exactly as written: `Statement` is one object or a list of them. */
export type RawPolicyDocument = { [key: string]: JsonValue };

/** `"*"`, or principals by type (`AWS`, `Service`, `Federated`, `CanonicalUser`), each a list. */
export type Principals = '*' | Record<string, string[]>;

/** `Condition`: by operator (`StringEquals`, `ForAnyValue:StringLike`, ...), by context key, the values. */
export type Conditions = Record<string, Record<string, string[]>>;

/** A statement with every "string or list" element turned into a list, for the evaluator. */
export interface Statement {
  /** `Sid`: absent when the statement has none. */
  sid?: string;
  /** `Effect`: an explicit Deny wins over every Allow. */
  effect: 'Allow' | 'Deny';
  /** `Action` patterns (`sts:AssumeRole`, `s3:Get*`); absent when the statement uses `NotAction`. */
  action?: string[];
  /** `NotAction`: the statement applies to every action but these. */
  notAction?: string[];
  /** `Resource` ARN patterns; absent in trust policies and with `NotResource`. */
  resource?: string[];
  /** `NotResource`: the statement applies to every resource but these. */
  notResource?: string[];
  /** `Principal`: only resource policies (trust policies) have one. */
  principal?: Principals;
  /** `NotPrincipal`: every principal but these. */
  notPrincipal?: Principals;
  /** `Condition`, `{}` when the statement has none. */
  condition: Conditions;
}

/** A policy document in the evaluator's form: {@link normalizePolicy} of a {@link RawPolicyDocument}. */
export interface PolicyDocument {
  /** `Version`: `2012-10-17` for documents that use policy variables; absent when not given. */
  version?: string;
  /** Its statements, in document order (a single `Statement` object becomes a list of one). */
  statements: Statement[];
}

/** A policy and where it came from (`inline sts-only of user sts_user`), so results can name it. */
export interface NamedPolicy {
  /** How reports name it: `inline sts-only of user sts_user`, `managed ReadOnlyAccess`. */
  name: string;
  /** The document, normalized. */
  document: PolicyDocument;
}

function invalid(what: string, problem: string): TempcredsError {
  return new TempcredsError(`The policy document of ${what} ${problem}.`, {
    kind: 'failed',
    fix: 'Check the document in the IAM console, or with aws iam get-policy-version / get-role.',
  });
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a policy document as IAM returns it: the API answers URL-encoded JSON
 * (`%7B%22Version%22...`), the SDK does not decode it, and some tools already have.
 */
export function parsePolicyText(text: string, what = 'the policy'): RawPolicyDocument {
  const trimmed = text.trim();
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    try {
      json = decodeURIComponent(trimmed);
    } catch {
      throw invalid(what, 'is neither JSON nor URL-encoded JSON');
    }
  }
  let value: JsonValue;
  try {
    value = JSON.parse(json) as JsonValue;
  } catch {
    throw invalid(what, 'is not valid JSON');
  }
  if (!isObject(value)) throw invalid(what, 'is not a JSON object');
  statementsOf(value, what);
  return value;
}

/** The statements of a raw document as a list (a single `Statement` object is a list of one). */
export function statementsOf(doc: RawPolicyDocument, what = 'the policy'): RawStatement[] {
  const statement = doc.Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  if (statement === undefined || !list.every(isObject)) throw invalid(what, 'has no valid Statement');
  return list as RawStatement[];
}

/** `"a"` -> `["a"]`, `["a", true]` -> `["a", "true"]`: IAM lets most elements be one value or a list. */
export function asList(value: JsonValue | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item) => typeof item !== 'object' || item === null).map((item) => String(item));
}

function principalsOf(value: JsonValue | undefined): Principals | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (!isObject(value)) return {};
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(value)) out[type] = asList(ids) ?? [];
  return out;
}

function conditionsOf(value: JsonValue | undefined): Conditions {
  const out: Conditions = {};
  if (!isObject(value)) return out;
  for (const [operator, keys] of Object.entries(value)) {
    if (!isObject(keys)) continue;
    out[operator] = {};
    for (const [key, values] of Object.entries(keys)) out[operator][key] = asList(values) ?? [];
  }
  return out;
}

/** The evaluator's view of a statement. */
export function normalizeStatement(raw: RawStatement, what = 'the policy'): Statement {
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw invalid(what, `has a statement with Effect ${JSON.stringify(effect)}`);
  const statement: Statement = { effect, condition: conditionsOf(raw.Condition) };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  const lists = {
    action: 'Action',
    notAction: 'NotAction',
    resource: 'Resource',
    notResource: 'NotResource',
  } as const;
  for (const [field, element] of Object.entries(lists) as Array<[keyof typeof lists, string]>) {
    const list = asList(raw[element]);
    if (list) statement[field] = list;
  }
  const principal = principalsOf(raw.Principal);
  if (principal) statement.principal = principal;
  const notPrincipal = principalsOf(raw.NotPrincipal);
  if (notPrincipal) statement.notPrincipal = notPrincipal;
  return statement;
}

/** The evaluator's view of a document (raw JSON, or its text as IAM returns it). */
export function normalizePolicy(doc: RawPolicyDocument | string, what = 'the policy'): PolicyDocument {
  const raw = typeof doc === 'string' ? parsePolicyText(doc, what) : doc;
  return {
    version: typeof raw.Version === 'string' ? raw.Version : undefined,
    statements: statementsOf(raw, what).map((statement) => normalizeStatement(statement, what)),
  };
}

/** JSON with object keys sorted, so two documents compare equal however their keys are ordered. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Same document, key order aside (IAM may reorder keys; it keeps lists in order). */
export function sameDocument(a: RawPolicyDocument, b: RawPolicyDocument): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
