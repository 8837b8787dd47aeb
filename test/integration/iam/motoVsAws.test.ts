/**
 * Where moto's IAM enforcement and the local evaluator disagree about AssumeRole, and which one
 * matches AWS's documented behaviour. Each case asks both: the evaluator (src/iam/evaluate.ts)
 * and moto (a real AssumeRole under enforcement). `aws` is what the IAM User Guide documents;
 * the evaluator must match it, and `moto` records what the local AWS actually does today.
 */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRoleContext, evaluateAssumeRole } from '../../../src/iam/evaluate.js';
import { normalizePolicy, type RawPolicyDocument } from '../../../src/iam/policyDocument.js';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { ACCOUNT, adminIam } from './helpers.js';

const REGION = 'cn-northwest-1';
const ADMIN = `arn:aws-cn:iam::${ACCOUNT}:user/admin`;
const STS_POLICY = [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }];
const USER = '$USER';

type Outcome = 'allow' | 'deny' | 'error';

interface Case {
  name: string;
  /** Trust statements; `$USER` stands for the case's user ARN. */
  trust: object[];
  /** The user's inline policy statements; none when null. */
  identity?: object[] | null;
  externalId?: string;
  /** What AWS documents (the evaluator must say the same). */
  aws: Outcome;
  /** What moto does. */
  moto: Outcome;
}

const grant = (principal: unknown, extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: principal },
  Action: 'sts:AssumeRole',
  ...extra,
});

const cases: Case[] = [
  // Agreement, for reference.
  { name: 'trust names the user, its policy allows', trust: [grant(USER)], aws: 'allow', moto: 'allow' },
  { name: 'trust names someone else only', trust: [grant(ADMIN)], aws: 'deny', moto: 'deny' },
  {
    name: "an explicit Deny in the user's policy wins",
    trust: [grant(USER)],
    identity: [...STS_POLICY, { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }],
    aws: 'deny',
    moto: 'deny',
  },
  {
    name: 'ExternalId required and sent',
    trust: [grant(USER, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } })],
    externalId: 'abc',
    aws: 'allow',
    moto: 'allow',
  },
  // Disagreements: the evaluator follows the IAM User Guide.
  {
    // "Policy evaluation logic": statements are evaluated independently; any applicable Allow allows.
    // moto denies as soon as one statement for the action names another principal.
    name: 'trust statements are OR-ed: an earlier statement for someone else does not deny',
    trust: [grant(ADMIN), grant(USER)],
    aws: 'allow',
    moto: 'deny',
  },
  {
    // "Principal element": the account (root ARN or id) delegates to the account's identity policies.
    name: 'trust names the account root, the user policy allows',
    trust: [grant(`arn:aws-cn:iam::${ACCOUNT}:root`)],
    aws: 'allow',
    moto: 'deny',
  },
  {
    name: 'trust names the account id, the user policy allows',
    trust: [grant(ACCOUNT)],
    aws: 'allow',
    moto: 'deny',
  },
  {
    // "Action element": action names are case-insensitive. moto compares them case-sensitively.
    name: 'action names are case-insensitive (STS:assumerole)',
    trust: [{ ...grant(USER), Action: 'STS:assumerole' }],
    aws: 'allow',
    moto: 'deny',
  },
  {
    // "Condition operators": a key absent from the request makes StringEquals false.
    // moto skips a condition whose key the request lacks.
    name: 'ExternalId required but not sent',
    trust: [grant(USER, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } })],
    aws: 'deny',
    moto: 'allow',
  },
  {
    // Long-term keys carry no aws:MultiFactorAuthPresent, so Bool ... true is false. moto ignores Bool.
    name: 'MFA required, long-term keys',
    trust: [grant(USER, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })],
    aws: 'deny',
    moto: 'allow',
  },
  {
    // Same account: a principal named by ARN in a resource-based policy needs no identity permission
    // ("Policy evaluation for requests within a single account"; "Update a role trust policy":
    // a user listed in the trust policy who cannot assume the role has a permissions boundary problem).
    // moto always requires the identity policy.
    name: 'same account, the trust names the user, the user has no policy',
    trust: [grant(USER)],
    identity: null,
    aws: 'allow',
    moto: 'deny',
  },
  {
    // moto cannot evaluate a trust with a Service principal statement (HTTP 500); AWS skips it for a user.
    name: 'a Service statement before the user',
    trust: [
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      grant(USER),
    ],
    aws: 'allow',
    moto: 'error',
  },
];

describe('moto vs the evaluator vs AWS documentation: AssumeRole', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
  });
  afterAll(() => aws?.stop());

  it.concurrent.each(cases.map((c, i) => ({ ...c, i })))('$name: AWS $aws, moto $moto', async (c) => {
    const iam = adminIam(aws);
    const userName = `mva_user${c.i}`;
    const roleName = `mva_role${c.i}`;
    const userArn = `arn:aws-cn:iam::${ACCOUNT}:user/${userName}`;
    const roleArn = `arn:aws-cn:iam::${ACCOUNT}:role/${roleName}`;
    const trust: RawPolicyDocument = JSON.parse(
      JSON.stringify({ Version: '2012-10-17', Statement: c.trust }).replaceAll(USER, userArn),
    );
    const identity = c.identity === undefined ? STS_POLICY : c.identity;

    await iam.send(new CreateUserCommand({ UserName: userName }));
    if (identity) {
      const document = JSON.stringify({ Version: '2012-10-17', Statement: identity });
      await iam.send(
        new PutUserPolicyCommand({ UserName: userName, PolicyName: 'p', PolicyDocument: document }),
      );
    }
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    iam.destroy();

    const evaluation = evaluateAssumeRole({
      roleArn,
      callerArn: userArn,
      identityPolicies: identity
        ? [{ name: 'p', document: normalizePolicy({ Version: '2012-10-17', Statement: identity as never }) }]
        : [],
      trustPolicy: normalizePolicy(trust),
      context: assumeRoleContext({ callerArn: userArn, region: REGION, externalId: c.externalId }),
    });
    expect(evaluation.decision === 'allow' ? 'allow' : 'deny', 'the evaluator matches AWS').toBe(c.aws);

    const sts = new STSClient({
      ...aws.adminClientConfig(),
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      maxAttempts: 1,
    });
    const moto: Outcome = await sts
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'mva', ExternalId: c.externalId }))
      .then(
        () => 'allow' as const,
        (err: { name?: string }) => (err.name === 'AccessDenied' ? ('deny' as const) : ('error' as const)),
      );
    sts.destroy();
    expect(moto, 'what moto does today').toBe(c.moto);
  });

  it('a role that does not exist: AWS answers AccessDenied, moto issues credentials (doctor asks IAM instead)', async () => {
    const sts = new STSClient(aws.adminClientConfig());
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws-cn:iam::${ACCOUNT}:role/never-created`,
        RoleSessionName: 'mva',
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/never-created/mva`);
    sts.destroy();
  });
});

/**
 * Session options on AssumeRole: moto 5.2 takes Tags, TransitiveTagKeys, SourceIdentity, Policy and
 * PolicyArns without a check, and never narrows a session by its session policy. `aws` is what
 * the STS API reference and the IAM User Guide document; `proxy` is what test/support/awsProxy.ts
 * answers (as AWS does, except where it says it does not emulate).
 */
describe('moto vs AWS: session options on AssumeRole', () => {
  type Answer = 'allow' | 'AccessDenied' | 'MalformedPolicyDocument' | 'PackedPolicyTooLarge';
  interface SessionCase {
    name: string;
    trustActions: string[];
    input: Partial<AssumeRoleCommandInput>;
    /** With the session's keys afterwards: iam:ListRoles, which the role allows and the session policy may not. */
    thenListRoles?: boolean;
    aws: Answer;
    moto: Answer;
    proxy: Answer;
  }
  /** Random (incompressible) tags of the given lengths. */
  const tags = (n: number, key: number, value: number) =>
    Array.from({ length: n }, (_, i) => ({
      Key: `k${i}${randomBytes(key).toString('base64')}`.slice(0, key),
      Value: randomBytes(value).toString('base64').slice(0, value),
    }));
  const onlyCallerIdentity = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
  });
  const cases: SessionCase[] = [
    {
      name: 'tags, the trust allows sts:TagSession',
      trustActions: ['sts:AssumeRole', 'sts:TagSession'],
      input: { Tags: [{ Key: 'Project', Value: 'iot' }] },
      aws: 'allow',
      moto: 'allow',
      proxy: 'allow',
    },
    {
      // IAM User Guide, "Passing session tags in AWS STS": the trust policy must allow sts:TagSession.
      name: 'tags, the trust lacks sts:TagSession',
      trustActions: ['sts:AssumeRole'],
      input: { Tags: [{ Key: 'Project', Value: 'iot' }] },
      aws: 'AccessDenied',
      moto: 'allow',
      proxy: 'AccessDenied',
    },
    {
      // "Monitor and control actions taken with assumed roles": sts:SetSourceIdentity in the trust.
      name: 'SourceIdentity, the trust lacks sts:SetSourceIdentity',
      trustActions: ['sts:AssumeRole', 'sts:TagSession'],
      input: { SourceIdentity: 'alice' },
      aws: 'AccessDenied',
      moto: 'allow',
      proxy: 'AccessDenied',
    },
    {
      name: 'a session policy statement without Resource',
      trustActions: ['sts:AssumeRole'],
      input: {
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }),
      },
      aws: 'MalformedPolicyDocument',
      moto: 'allow',
      proxy: 'MalformedPolicyDocument',
    },
    {
      // The API reference: tags within the per-tag limits can still exceed the packed size.
      name: '50 tags of 128-character keys and 256-character values',
      trustActions: ['sts:AssumeRole', 'sts:TagSession'],
      input: { Tags: tags(50, 128, 256) },
      aws: 'PackedPolicyTooLarge',
      moto: 'allow',
      proxy: 'PackedPolicyTooLarge',
    },
    {
      // "Session policies": the session gets the intersection. Neither moto nor the proxy narrows it:
      // no test may rely on a session policy taking a permission away.
      name: 'a session policy that allows only sts:GetCallerIdentity, then iam:ListRoles',
      trustActions: ['sts:AssumeRole'],
      input: { Policy: onlyCallerIdentity },
      thenListRoles: true,
      aws: 'AccessDenied',
      moto: 'allow',
      proxy: 'allow',
    },
  ];

  let aws: LocalAws;
  let proxy: AwsProxy;
  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION });
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: REGION });
  });
  afterAll(async () => {
    await proxy?.stop();
    await aws?.stop();
  });

  it.each(cases.map((c, i) => ({ ...c, i })))('$name: AWS $aws, moto $moto, proxy $proxy', async (c) => {
    const iam = adminIam(aws);
    const userName = `mvs_user${c.i}`;
    const roleName = `mvs_role${c.i}`;
    const roleArn = `arn:aws-cn:iam::${ACCOUNT}:role/${roleName}`;
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: STS_POLICY }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/${userName}` },
              Action: c.trustActions,
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    iam.destroy();
    const keys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const answer = async (endpoint: string): Promise<Answer> => {
      const sts = new STSClient({ region: REGION, endpoint, credentials: keys, maxAttempts: 1 });
      try {
        const out = await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'mvs', ...c.input }),
        );
        if (!c.thenListRoles) return 'allow';
        const session = new IAMClient({
          region: REGION,
          endpoint,
          maxAttempts: 1,
          credentials: {
            accessKeyId: out.Credentials!.AccessKeyId!,
            secretAccessKey: out.Credentials!.SecretAccessKey!,
            sessionToken: out.Credentials!.SessionToken!,
          },
        });
        await session.send(new ListRolesCommand({})).finally(() => session.destroy());
        return 'allow';
      } catch (err) {
        const name = (err as { Code?: string; name?: string }).Code ?? (err as Error).name;
        return name.replace(/Exception$/, '') as Answer;
      } finally {
        sts.destroy();
      }
    };
    expect(await answer(aws.endpoint), 'what moto does today').toBe(c.moto);
    expect(await answer(proxy.endpoint), 'what the proxy answers').toBe(c.proxy);
  });
});
