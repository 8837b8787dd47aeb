import { describe, expect, it } from 'vitest';
import type { RawPolicyDocument } from '../../../src/iam/policyDocument.js';
import {
  aliasOfSetupPolicy,
  assumeWithCertificatePolicy,
  evaluateAliasPermission,
  roleAliasArn,
} from '../../../src/iot/iotPolicy.js';

const ALIAS = roleAliasArn('aws-cn', 'cn-northwest-1', '123456789012', 'collector-alias');
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement }) as RawPolicyDocument;
const allow = (Action: unknown, Resource: unknown) => ({ Effect: 'Allow', Action, Resource });

describe('the IoT policy iot setup writes', () => {
  it('allows exactly iot:AssumeRoleWithCertificate on the alias, in the partition of the region', () => {
    expect(ALIAS).toBe('arn:aws-cn:iot:cn-northwest-1:123456789012:rolealias/collector-alias');
    expect(assumeWithCertificatePolicy(ALIAS)).toEqual(doc(allow('iot:AssumeRoleWithCertificate', ALIAS)));
  });

  it('is recognised (and its alias read back) only in that shape', () => {
    expect(aliasOfSetupPolicy(assumeWithCertificatePolicy(ALIAS))).toBe('collector-alias');
    expect(aliasOfSetupPolicy(doc({ Sid: 'x', ...allow(['iot:AssumeRoleWithCertificate'], [ALIAS]) }))).toBe(
      'collector-alias',
    );
    for (const other of [
      doc(allow('iot:*', ALIAS)),
      doc(allow('iot:AssumeRoleWithCertificate', '*')),
      doc(allow('iot:AssumeRoleWithCertificate', [ALIAS, ALIAS])),
      doc(allow('iot:AssumeRoleWithCertificate', ALIAS), allow('iot:Connect', '*')),
      doc({
        ...allow('iot:AssumeRoleWithCertificate', ALIAS),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      }),
      doc({ ...allow('iot:AssumeRoleWithCertificate', ALIAS), Effect: 'Deny' }),
      doc(allow('iot:AssumeRoleWithCertificate', 'arn:aws-cn:iot:cn-northwest-1:123456789012:thing/x')),
    ]) {
      expect(aliasOfSetupPolicy(other)).toBeUndefined();
    }
  });
});

describe('evaluateAliasPermission', () => {
  const decide = (...documents: RawPolicyDocument[]) =>
    evaluateAliasPermission(
      documents.map((document, i) => ({ name: `p${i}`, document })),
      ALIAS,
    ).decision;

  it.each([
    ['the exact alias', [doc(allow('iot:AssumeRoleWithCertificate', ALIAS))], 'allow'],
    [
      'a wildcard alias',
      [doc(allow('iot:AssumeRoleWithCertificate', 'arn:aws-cn:iot:*:*:rolealias/*'))],
      'allow',
    ],
    ['iot:* on *', [doc(allow('iot:*', '*'))], 'allow'],
    ['case-insensitive action', [doc(allow('IOT:assumerolewithcertificate', ALIAS))], 'allow'],
    ['another alias', [doc(allow('iot:AssumeRoleWithCertificate', `${ALIAS}-other`))], 'implicitDeny'],
    ['another action', [doc(allow('iot:Connect', '*'))], 'implicitDeny'],
    ['no policy', [], 'implicitDeny'],
    [
      'a Deny in a second policy wins',
      [doc(allow('iot:*', '*')), doc({ ...allow('iot:AssumeRoleWithCertificate', ALIAS), Effect: 'Deny' })],
      'explicitDeny',
    ],
    [
      'the aws partition ARN for a China alias',
      [doc(allow('iot:AssumeRoleWithCertificate', ALIAS.replace('aws-cn', 'aws')))],
      'implicitDeny',
    ],
  ])('%s -> %s', (_name, documents, expected) => {
    expect(decide(...(documents as RawPolicyDocument[]))).toBe(expected);
  });
});
