/** Condition operators as the IAM User Guide ("Condition operators", "Multivalued context keys") describes them. */
import { describe, expect, it } from 'vitest';
import { failedConditions, type RequestContext } from '../../../src/iam/conditions.js';
import { evaluatePolicy } from '../../../src/iam/evaluate.js';
import { normalizePolicy, type JsonValue } from '../../../src/iam/policyDocument.js';

const holds = (condition: Record<string, Record<string, JsonValue>>, context: RequestContext) =>
  failedConditions(
    normalizePolicy({ Statement: [{ Effect: 'Allow', Condition: condition }] }).statements[0]!.condition,
    context,
  ).length === 0;

interface Case {
  name: string;
  condition: Record<string, Record<string, JsonValue>>;
  context: RequestContext;
  expected: boolean;
}

const MFA = 'aws:MultiFactorAuthPresent';

const cases: Case[] = [
  // String
  {
    name: 'StringEquals matches',
    condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
    context: { 'sts:ExternalId': 'abc' },
    expected: true,
  },
  {
    name: 'StringEquals is case-sensitive',
    condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
    context: { 'sts:ExternalId': 'ABC' },
    expected: false,
  },
  {
    name: 'StringEquals with the key absent is false',
    condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
    context: {},
    expected: false,
  },
  {
    name: 'several values are OR-ed',
    condition: { StringEquals: { 'sts:ExternalId': ['x', 'abc'] } },
    context: { 'sts:ExternalId': 'abc' },
    expected: true,
  },
  {
    name: 'condition key names are case-insensitive',
    condition: { StringEquals: { 'STS:externalid': 'abc' } },
    context: { 'sts:ExternalId': 'abc' },
    expected: true,
  },
  {
    name: 'StringNotEquals: a negated operator is true when the key is absent',
    condition: { StringNotEquals: { 'aws:username': 'root' } },
    context: {},
    expected: true,
  },
  {
    name: 'StringNotEquals: values are NOR-ed',
    condition: { StringNotEquals: { 'aws:username': ['a', 'b'] } },
    context: { 'aws:username': 'b' },
    expected: false,
  },
  {
    name: 'StringEqualsIgnoreCase',
    condition: { StringEqualsIgnoreCase: { 'aws:username': 'STS_USER' } },
    context: { 'aws:username': 'sts_user' },
    expected: true,
  },
  {
    name: 'StringLike with * and ?',
    condition: { StringLike: { 'aws:username': 'sts_?ser*' } },
    context: { 'aws:username': 'sts_user2' },
    expected: true,
  },
  {
    name: 'StringLike is case-sensitive',
    condition: { StringLike: { 'aws:username': 'STS_*' } },
    context: { 'aws:username': 'sts_user' },
    expected: false,
  },
  {
    name: 'StringNotLike',
    condition: { StringNotLike: { 'aws:username': 'admin*' } },
    context: { 'aws:username': 'sts_user' },
    expected: true,
  },
  // IfExists
  {
    name: 'StringEqualsIfExists with the key absent is true',
    condition: { StringEqualsIfExists: { 'sts:ExternalId': 'abc' } },
    context: {},
    expected: true,
  },
  {
    name: 'StringEqualsIfExists with the key present is checked',
    condition: { StringEqualsIfExists: { 'sts:ExternalId': 'abc' } },
    context: { 'sts:ExternalId': 'x' },
    expected: false,
  },
  // Bool / Null
  {
    name: 'Bool MFA true without MFA (key absent for long-term keys) is false',
    condition: { Bool: { [MFA]: 'true' } },
    context: {},
    expected: false,
  },
  {
    name: 'Bool with JSON true',
    condition: { Bool: { [MFA]: true } },
    context: { [MFA]: 'true' },
    expected: true,
  },
  {
    name: "BoolIfExists false with the key absent is true (the docs' deny-long-term-keys example)",
    condition: { BoolIfExists: { [MFA]: 'false' } },
    context: {},
    expected: true,
  },
  {
    name: 'Null true: the key is absent',
    condition: { Null: { [MFA]: 'true' } },
    context: {},
    expected: true,
  },
  {
    name: 'Null true with the key present is false',
    condition: { Null: { [MFA]: 'true' } },
    context: { [MFA]: 'false' },
    expected: false,
  },
  {
    name: 'Null false: the key is present',
    condition: { Null: { 'sts:ExternalId': 'false' } },
    context: { 'sts:ExternalId': 'x' },
    expected: true,
  },
  // Numeric
  {
    name: 'NumericLessThan',
    condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    context: { 'aws:MultiFactorAuthAge': '120' },
    expected: true,
  },
  {
    name: 'NumericLessThan, too old',
    condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } },
    context: { 'aws:MultiFactorAuthAge': '4000' },
    expected: false,
  },
  {
    name: 'NumericLessThanEquals at the bound',
    condition: { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } },
    context: { 'aws:MultiFactorAuthAge': '3600' },
    expected: true,
  },
  {
    name: 'NumericGreaterThanEquals',
    condition: { NumericGreaterThanEquals: { 'sts:DurationSeconds': '900' } },
    context: { 'sts:DurationSeconds': '3600' },
    expected: true,
  },
  {
    name: 'NumericEquals with a non-number never matches',
    condition: { NumericEquals: { 'sts:DurationSeconds': '3600' } },
    context: { 'sts:DurationSeconds': 'abc' },
    expected: false,
  },
  {
    name: 'NumericNotEquals',
    condition: { NumericNotEquals: { 'sts:DurationSeconds': '3600' } },
    context: { 'sts:DurationSeconds': '900' },
    expected: true,
  },
  // Date
  {
    name: 'DateGreaterThan (ISO 8601)',
    condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '2026-06-01T12:00:00Z' },
    expected: true,
  },
  {
    name: 'DateLessThan (ISO 8601), expired',
    condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '2026-06-01T12:00:00Z' },
    expected: false,
  },
  {
    name: 'DateLessThan with epoch seconds',
    condition: { DateLessThan: { 'aws:EpochTime': '1893456000' } },
    context: { 'aws:EpochTime': '1780000000' },
    expected: true,
  },
  {
    name: 'DateEquals across formats',
    condition: { DateEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '1767225600' },
    expected: true,
  },
  // ARN, IP
  {
    name: 'ArnLike with a wildcard in the resource segment',
    condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/sts_*' } },
    context: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/sts_user' },
    expected: true,
  },
  {
    name: 'ArnLike: a wildcard does not span segments',
    condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } },
    context: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/sts_user' },
    expected: false,
  },
  {
    name: 'ArnEquals',
    condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/sts_user' } },
    context: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/sts_user' },
    expected: true,
  },
  {
    name: 'ArnNotLike with the key absent is true',
    condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } },
    context: {},
    expected: true,
  },
  {
    name: 'IpAddress in a CIDR block',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '203.0.113.7' },
    expected: true,
  },
  {
    name: 'NotIpAddress',
    condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.1'] } },
    context: { 'aws:SourceIp': '198.51.100.1' },
    expected: false,
  },
  // Set operators
  {
    name: 'ForAnyValue: one request value matches',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
    context: { 'aws:TagKeys': ['cost', 'env'] },
    expected: true,
  },
  {
    name: 'ForAnyValue: none matches',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } },
    context: { 'aws:TagKeys': ['cost', 'env'] },
    expected: false,
  },
  {
    name: 'ForAnyValue with the key absent is false',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } },
    context: {},
    expected: false,
  },
  {
    name: 'ForAllValues: every request value is allowed',
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
    context: { 'aws:TagKeys': ['env'] },
    expected: true,
  },
  {
    name: 'ForAllValues: one value is not',
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
    context: { 'aws:TagKeys': ['env', 'cost'] },
    expected: false,
  },
  {
    name: 'ForAllValues with the key absent is true (the docs warn of this)',
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } },
    context: {},
    expected: true,
  },
  {
    name: 'ForAllValues:StringLike',
    condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'app-*' } },
    context: { 'aws:TagKeys': ['app-a', 'app-b'] },
    expected: true,
  },
  // Combinations
  {
    name: 'several keys in one operator are AND-ed',
    condition: { StringEquals: { 'sts:ExternalId': 'abc', 'aws:username': 'sts_user' } },
    context: { 'sts:ExternalId': 'abc', 'aws:username': 'other' },
    expected: false,
  },
  {
    name: 'several operators are AND-ed',
    condition: { StringEquals: { 'sts:ExternalId': 'abc' }, Bool: { [MFA]: 'true' } },
    context: { 'sts:ExternalId': 'abc', [MFA]: 'true' },
    expected: true,
  },
  {
    name: 'an unknown operator never holds',
    condition: { StringSortOf: { 'aws:username': 'x' } },
    context: { 'aws:username': 'x' },
    expected: false,
  },
];

describe('condition operators', () => {
  it.each(cases)('$name', ({ condition, context, expected }) => {
    expect(holds(condition, context)).toBe(expected);
  });

  it('says which condition failed and why', () => {
    const doc = normalizePolicy({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/sts_user' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'abc' }, Bool: { [MFA]: 'true' } },
        },
      ],
    });
    const result = evaluatePolicy(
      doc,
      {
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::123456789012:role/r',
        principal: 'arn:aws:iam::123456789012:user/sts_user',
        context: { 'sts:ExternalId': 'nope' },
      },
      'resource',
    );
    expect(result.decision).toBe('implicitDeny');
    expect(result.statements[0]?.failedConditions).toEqual([
      { operator: 'StringEquals', key: 'sts:ExternalId', values: ['abc'], reason: 'mismatch' },
      { operator: 'Bool', key: MFA, values: ['true'], reason: 'absent' },
    ]);
  });

  it('a Deny whose condition fails does not apply (the allow stands)', () => {
    const doc = normalizePolicy({
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { [MFA]: 'false' } } },
      ],
    });
    const req = { action: 'sts:AssumeRole', resource: 'arn:aws:iam::123456789012:role/r' };
    expect(evaluatePolicy(doc, { ...req, context: { [MFA]: 'true' } }).decision).toBe('allow');
    expect(evaluatePolicy(doc, { ...req, context: {} }).decision).toBe('explicitDeny');
  });
});
