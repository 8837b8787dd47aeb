import type { Conditions } from './policyDocument.js';
import { arnMatches, wildcardMatch } from './patterns.js';

/** Values of the request context by key (`aws:PrincipalArn`, `sts:ExternalId`, ...); a list for multivalued keys. */
export type RequestContext = Record<string, string | string[]>;

/** A condition a request did not satisfy, for reports ("requires sts:ExternalId StringEquals ..."). */
export interface ConditionFailure {
  /** The condition operator as written: `StringEquals`, `ForAnyValue:StringLike`, `Bool`, ... */
  operator: string;
  /** The context key it tests: `sts:ExternalId`, `aws:MultiFactorAuthPresent`, ... */
  key: string;
  /** The values the policy allows for `key`. */
  values: string[];
  /** `absent`: the request has no such key; `mismatch`: it has, with other values; `unsupported`: unknown operator. */
  reason: 'absent' | 'mismatch' | 'unsupported';
}

type Test = (contextValue: string, policyValue: string) => boolean;

function number(text: string): number | undefined {
  const value = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Dates in conditions are ISO 8601 or epoch seconds. */
function date(text: string): number | undefined {
  const value = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  return Number.isFinite(value) ? value : undefined;
}

function compare(parse: (text: string) => number | undefined, ok: (diff: number) => boolean): Test {
  return (contextValue, policyValue) => {
    const a = parse(contextValue);
    const b = parse(policyValue);
    return a !== undefined && b !== undefined && ok(a - b);
  };
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** `IpAddress`: IPv4 addresses against an address or a CIDR block (IPv6 never matches here). */
const inCidr: Test = (address, cidr) => {
  const [base = '', bitsText = '32'] = cidr.split('/');
  const ip = ipv4(address);
  const net = ipv4(base);
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
};

/** Each operator's positive test; a negated operator (`StringNotEquals`) is the NOR of its positive. */
const OPERATORS: Record<string, { test: Test; negated: boolean }> = {};
const define = (positive: string, negative: string | undefined, test: Test) => {
  OPERATORS[positive] = { test, negated: false };
  if (negative) OPERATORS[negative] = { test, negated: true };
};
define('StringEquals', 'StringNotEquals', (a, b) => a === b);
define('StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', (a, b) => a.toLowerCase() === b.toLowerCase());
define('StringLike', 'StringNotLike', (a, b) => wildcardMatch(b, a));
define(
  'NumericEquals',
  'NumericNotEquals',
  compare(number, (d) => d === 0),
);
define(
  'NumericLessThan',
  undefined,
  compare(number, (d) => d < 0),
);
define(
  'NumericLessThanEquals',
  undefined,
  compare(number, (d) => d <= 0),
);
define(
  'NumericGreaterThan',
  undefined,
  compare(number, (d) => d > 0),
);
define(
  'NumericGreaterThanEquals',
  undefined,
  compare(number, (d) => d >= 0),
);
define(
  'DateEquals',
  'DateNotEquals',
  compare(date, (d) => d === 0),
);
define(
  'DateLessThan',
  undefined,
  compare(date, (d) => d < 0),
);
define(
  'DateLessThanEquals',
  undefined,
  compare(date, (d) => d <= 0),
);
define(
  'DateGreaterThan',
  undefined,
  compare(date, (d) => d > 0),
);
define(
  'DateGreaterThanEquals',
  undefined,
  compare(date, (d) => d >= 0),
);
define('Bool', undefined, (a, b) => a.toLowerCase() === b.toLowerCase());
define('BinaryEquals', undefined, (a, b) => a === b);
define('IpAddress', 'NotIpAddress', inCidr);
// AWS documents ArnEquals and ArnLike alike: segment-wise, case-sensitive, wildcards allowed.
define('ArnEquals', 'ArnNotEquals', (a, b) => arnMatches(b, a));
define('ArnLike', 'ArnNotLike', (a, b) => arnMatches(b, a));

interface Operator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
}

function parseOperator(text: string): Operator {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(text);
  return {
    set: match?.[1] as Operator['set'],
    base: match?.[2] ?? text,
    ifExists: match?.[3] !== undefined,
  };
}

function contextValues(context: RequestContext, key: string): string[] {
  const lower = key.toLowerCase();
  // Condition key names are case-insensitive.
  const found = Object.entries(context).find(([name]) => name.toLowerCase() === lower)?.[1];
  return found === undefined ? [] : Array.isArray(found) ? found : [found];
}

/**
 * One operator on one key. Per the IAM docs: several policy values are OR-ed (NOR-ed for the
 * negated operators); a missing key makes the condition false, except that the negated
 * operators, `...IfExists` and `ForAllValues:` are then true; `Null` tests presence itself.
 */
function holds(operator: Operator, policyValues: string[], values: string[]): boolean | 'unsupported' {
  const present = values.length > 0;
  if (operator.base === 'Null') {
    return policyValues.some((want) => (want.toLowerCase() === 'true') === !present);
  }
  const definition = OPERATORS[operator.base];
  if (!definition) return 'unsupported';
  if (!present) {
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    return definition.negated && operator.set !== 'ForAnyValue';
  }
  const { test, negated } = definition;
  const matchOne = (value: string) => policyValues.some((p) => test(value, p)) !== negated;
  if (operator.set === 'ForAllValues') return values.every(matchOne);
  if (operator.set === 'ForAnyValue') return values.some(matchOne);
  return negated ? values.every(matchOne) : values.some(matchOne);
}

/** The conditions of a statement the request does not satisfy; none means the statement applies. */
export function failedConditions(conditions: Conditions, context: RequestContext): ConditionFailure[] {
  const failures: ConditionFailure[] = [];
  // Every operator and every key within it must hold (AND).
  for (const [operatorText, keys] of Object.entries(conditions)) {
    const operator = parseOperator(operatorText);
    for (const [key, policyValues] of Object.entries(keys)) {
      const values = contextValues(context, key);
      const result = holds(operator, policyValues, values);
      if (result === true) continue;
      const reason = result === 'unsupported' ? 'unsupported' : values.length === 0 ? 'absent' : 'mismatch';
      failures.push({ operator: operatorText, key, values: policyValues, reason });
    }
  }
  return failures;
}

/** `sts:ExternalId StringEquals "abc"`: a condition in words, for reports. */
export function describeCondition(failure: Pick<ConditionFailure, 'operator' | 'key' | 'values'>): string {
  const values = failure.values.map((value) => JSON.stringify(value)).join(' or ');
  return `${failure.key} ${failure.operator} ${values}`;
}
