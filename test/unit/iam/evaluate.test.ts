/**
 * The policy evaluator against cases from the IAM User Guide ("Policy evaluation logic",
 * "IAM JSON policy elements": Action, NotAction, Resource, NotResource, Principal, NotPrincipal).
 */
import { describe, expect, it } from 'vitest';
import {
  evaluateAssumeRole,
  evaluatePolicies,
  evaluatePolicy,
  type AuthorizationRequest,
  type Decision,
  type PolicyKind,
} from '../../../src/iam/evaluate.js';
import { normalizePolicy, type RawStatement } from '../../../src/iam/policyDocument.js';

const ACCOUNT = '123456789012';
const USER = `arn:aws:iam::${ACCOUNT}:user/sts_user`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/target-role-name`;

const policy = (...Statement: RawStatement[]) => normalizePolicy({ Version: '2012-10-17', Statement });
const allow = (extra: RawStatement): RawStatement => ({ Effect: 'Allow', ...extra });
const deny = (extra: RawStatement): RawStatement => ({ Effect: 'Deny', ...extra });

interface Case {
  name: string;
  statements: RawStatement[];
  request?: Partial<AuthorizationRequest>;
  kind?: PolicyKind;
  expected: Decision;
}

const request = (extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  action: 'sts:AssumeRole',
  resource: ROLE,
  ...extra,
});

describe('identity policies: Allow, Deny, Action, Resource', () => {
  const cases: Case[] = [
    {
      name: 'no statement applies: implicit deny',
      statements: [allow({ Action: 's3:GetObject', Resource: '*' })],
      expected: 'implicitDeny',
    },
    {
      name: 'an applicable Allow allows',
      statements: [allow({ Action: 'sts:AssumeRole', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'explicit deny wins over an allow in the same policy',
      statements: [allow({ Action: '*', Resource: '*' }), deny({ Action: 'sts:AssumeRole', Resource: ROLE })],
      expected: 'explicitDeny',
    },
    {
      name: 'a Deny for another resource does not apply',
      statements: [
        allow({ Action: 'sts:*', Resource: '*' }),
        deny({ Action: 'sts:AssumeRole', Resource: `${ROLE}-prod` }),
      ],
      expected: 'allow',
    },
    {
      name: 'action list (the runbook policy)',
      statements: [allow({ Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML'], Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'action wildcard sts:*',
      statements: [allow({ Action: 'sts:*', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'action wildcard sts:Assume*',
      statements: [allow({ Action: 'sts:Assume*', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'action ? wildcard matches one character',
      statements: [allow({ Action: 'sts:AssumeRol?', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'action ? does not match two',
      statements: [allow({ Action: 'sts:AssumeRo?', Resource: '*' })],
      expected: 'implicitDeny',
    },
    {
      name: 'actions compare case-insensitively',
      statements: [allow({ Action: 'STS:assumerole', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'a prefix alone is no match',
      statements: [allow({ Action: 'sts:Assume', Resource: '*' })],
      expected: 'implicitDeny',
    },
    {
      name: 'NotAction with Allow allows everything else',
      statements: [allow({ NotAction: 'iam:*', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'NotAction with Allow does not allow what it names',
      statements: [allow({ NotAction: 'sts:*', Resource: '*' })],
      expected: 'implicitDeny',
    },
    {
      name: 'Deny with NotAction denies everything but the named actions',
      statements: [
        allow({ Action: '*', Resource: '*' }),
        deny({ NotAction: ['iam:*', 'sts:GetCallerIdentity'], Resource: '*' }),
      ],
      expected: 'explicitDeny',
    },
    {
      name: 'Deny with NotAction spares the named actions',
      statements: [allow({ Action: '*', Resource: '*' }), deny({ NotAction: 'sts:*', Resource: '*' })],
      expected: 'allow',
    },
    {
      name: 'resource wildcard in the resource segment',
      statements: [allow({ Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/target-*` })],
      expected: 'allow',
    },
    {
      name: 'resource wildcard in the account segment',
      statements: [allow({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/target-role-name' })],
      expected: 'allow',
    },
    {
      name: 'resources compare case-sensitively',
      statements: [
        allow({ Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/Target-Role-Name` }),
      ],
      expected: 'implicitDeny',
    },
    {
      name: 'resource ? wildcard',
      statements: [
        allow({ Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/target-role-nam?` }),
      ],
      expected: 'allow',
    },
    {
      name: 'another partition is another resource',
      statements: [allow({ Action: 'sts:AssumeRole', Resource: `arn:aws-cn:iam::${ACCOUNT}:role/*` })],
      expected: 'implicitDeny',
    },
    {
      name: 'NotResource with Allow: everything but the named',
      statements: [allow({ Action: 'sts:AssumeRole', NotResource: `arn:aws:iam::${ACCOUNT}:role/admin-*` })],
      expected: 'allow',
    },
    {
      name: 'NotResource with Deny: denies all other resources',
      statements: [
        allow({ Action: '*', Resource: '*' }),
        deny({ Action: 'sts:AssumeRole', NotResource: `arn:aws:iam::${ACCOUNT}:role/other` }),
      ],
      expected: 'explicitDeny',
    },
    {
      name: 'NotResource with Deny: spares the named resource',
      statements: [
        allow({ Action: '*', Resource: '*' }),
        deny({ Action: 'sts:AssumeRole', NotResource: ROLE }),
      ],
      expected: 'allow',
    },
    {
      name: 'an identity statement without Resource applies to nothing',
      statements: [allow({ Action: 'sts:AssumeRole' })],
      expected: 'implicitDeny',
    },
  ];
  it.each(cases)('$name', ({ statements, request: extra, kind, expected }) => {
    expect(evaluatePolicy(policy(...statements), request(extra), kind).decision).toBe(expected);
  });

  it('a single Statement object (not a list) is read as one statement', () => {
    const doc = normalizePolicy({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
    });
    expect(evaluatePolicy(doc, request()).decision).toBe('allow');
  });

  it('IAM answers URL-encoded documents; they are decoded', () => {
    const text = encodeURIComponent(
      JSON.stringify({ Version: '2012-10-17', Statement: [allow({ Action: 'sts:*', Resource: '*' })] }),
    );
    expect(evaluatePolicy(normalizePolicy(text), request()).decision).toBe('allow');
  });

  it('a deny in any one of several policies wins, and names the policy', () => {
    const result = evaluatePolicies(
      [
        {
          name: 'attached STSAssumeRolePolicy',
          document: policy(allow({ Action: 'sts:AssumeRole', Resource: '*' })),
        },
        {
          name: 'group guardrails',
          document: policy(deny({ Sid: 'NoRoles', Action: 'sts:*', Resource: '*' })),
        },
      ],
      request(),
    );
    expect(result.decision).toBe('explicitDeny');
    expect(result.deciding).toMatchObject([{ policy: 'group guardrails', sid: 'NoRoles' }]);
  });
});

describe('trust (resource-based) policies: Principal and NotPrincipal', () => {
  const trusting = (Principal: RawStatement[string], extra: RawStatement = {}) =>
    evaluatePolicy(
      policy(allow({ Principal, Action: 'sts:AssumeRole', ...extra })),
      request({ principal: USER }),
      'resource',
    );

  it.each([
    ['the exact user ARN', { AWS: USER }, 'exact'],
    ['the ARN in a list', { AWS: ['arn:aws:iam::111122223333:root', USER] }, 'exact'],
    ['the account id', { AWS: ACCOUNT }, 'account'],
    ['the account root ARN', { AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'account'],
    ['"*"', '*', 'wildcard'],
    ['{"AWS": "*"}', { AWS: '*' }, 'wildcard'],
  ])('trusts the user named by %s', (_, principal, match) => {
    const result = trusting(principal as RawStatement[string]);
    expect(result.decision).toBe('allow');
    expect(result.deciding[0]?.principalMatched).toBe(match);
  });

  it.each([
    ['another user', { AWS: `arn:aws:iam::${ACCOUNT}:user/other` }],
    ['another account root', { AWS: 'arn:aws:iam::111122223333:root' }],
    ['a root ARN of another partition', { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }],
    ['a wildcard inside an ARN (principals take none)', { AWS: `arn:aws:iam::${ACCOUNT}:user/*` }],
    ['a service', { Service: 'ec2.amazonaws.com' }],
  ])('does not trust the user for %s', (_, principal) => {
    expect(trusting(principal).decision).toBe('implicitDeny');
  });

  it('a statement without Principal applies to nobody in a trust policy', () => {
    expect(
      evaluatePolicy(policy(allow({ Action: 'sts:AssumeRole' })), request({ principal: USER }), 'resource')
        .decision,
    ).toBe('implicitDeny');
  });

  it('Deny with NotPrincipal denies everyone but the named', () => {
    const doc = policy(
      allow({ Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }),
      deny({ NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: 'sts:AssumeRole' }),
    );
    expect(evaluatePolicy(doc, request({ principal: USER }), 'resource').decision).toBe('explicitDeny');
    expect(
      evaluatePolicy(doc, request({ principal: `arn:aws:iam::${ACCOUNT}:user/admin` }), 'resource').decision,
    ).toBe('allow');
  });

  it('a role ARN as principal matches its sessions', () => {
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build-42`;
    const doc = policy(
      allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: 'sts:AssumeRole' }),
    );
    expect(evaluatePolicy(doc, request({ principal: session }), 'resource').decision).toBe('allow');
  });

  it('statements are OR-ed: a later statement trusts the user although an earlier names someone else', () => {
    const doc = policy(
      allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/other` }, Action: 'sts:AssumeRole' }),
      allow({ Principal: { AWS: USER }, Action: 'sts:AssumeRole' }),
    );
    expect(evaluatePolicy(doc, request({ principal: USER }), 'resource').decision).toBe('allow');
  });
});

describe('AssumeRole: the caller side and the role side together', () => {
  const stsPolicy = {
    name: 'STSAssumeRolePolicy',
    document: policy(allow({ Action: 'sts:AssumeRole', Resource: '*' })),
  };
  const trust = (principal: string, extra: RawStatement = {}) =>
    policy(allow({ Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...extra }));

  it('both allow: allowed', () => {
    const result = evaluateAssumeRole({
      roleArn: ROLE,
      callerArn: USER,
      identityPolicies: [stsPolicy],
      trustPolicy: trust(USER),
    });
    expect(result.decision).toBe('allow');
  });

  it('same account, trust names the user: no identity permission needed (AWS docs)', () => {
    const result = evaluateAssumeRole({
      roleArn: ROLE,
      callerArn: USER,
      identityPolicies: [],
      trustPolicy: trust(USER),
    });
    expect(result).toMatchObject({ decision: 'allow', identityRequired: false });
    expect(result.identity.decision).toBe('implicitDeny');
  });

  it('trust names only the account: the identity policy must allow too', () => {
    const root = `arn:aws:iam::${ACCOUNT}:root`;
    expect(
      evaluateAssumeRole({ roleArn: ROLE, callerArn: USER, identityPolicies: [], trustPolicy: trust(root) })
        .decision,
    ).toBe('implicitDeny');
    expect(
      evaluateAssumeRole({
        roleArn: ROLE,
        callerArn: USER,
        identityPolicies: [stsPolicy],
        trustPolicy: trust(root),
      }).decision,
    ).toBe('allow');
  });

  it('cross-account: the identity policy is always required', () => {
    const foreignRole = 'arn:aws:iam::111122223333:role/target-role-name';
    const question = { roleArn: foreignRole, callerArn: USER, trustPolicy: trust(USER) };
    expect(evaluateAssumeRole({ ...question, identityPolicies: [] })).toMatchObject({
      decision: 'implicitDeny',
      identityRequired: true,
    });
    expect(evaluateAssumeRole({ ...question, identityPolicies: [stsPolicy] }).decision).toBe('allow');
  });

  it('an identity policy alone never suffices: the trust must allow', () => {
    const other = trust(`arn:aws:iam::${ACCOUNT}:user/other`);
    expect(
      evaluateAssumeRole({
        roleArn: ROLE,
        callerArn: USER,
        identityPolicies: [stsPolicy],
        trustPolicy: other,
      }).decision,
    ).toBe('implicitDeny');
  });

  it('an explicit deny in the identity policies wins over a trust naming the user', () => {
    const guard = { name: 'guard', document: policy(deny({ Action: 'sts:AssumeRole', Resource: ROLE })) };
    expect(
      evaluateAssumeRole({
        roleArn: ROLE,
        callerArn: USER,
        identityPolicies: [stsPolicy, guard],
        trustPolicy: trust(USER),
      }).decision,
    ).toBe('explicitDeny');
  });

  it('a permissions boundary that does not allow it caps everything', () => {
    const boundary = policy(allow({ Action: 's3:*', Resource: '*' }));
    const result = evaluateAssumeRole({
      roleArn: ROLE,
      callerArn: USER,
      identityPolicies: [stsPolicy],
      trustPolicy: trust(USER),
      permissionsBoundary: boundary,
    });
    expect(result.decision).toBe('implicitDeny');
  });
});
