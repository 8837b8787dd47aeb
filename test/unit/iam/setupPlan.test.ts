import { describe, expect, it } from 'vitest';
import { TempcredsError } from '../../../src/errors.js';
import { parseMaxSessionDuration } from '../../../src/iam/names.js';
import { runbookPolicyDocument } from '../../../src/iam/runbookPolicy.js';
import { pendingSteps, planSetup, type SetupInput, type SetupState } from '../../../src/iam/setupPlan.js';

const ACCOUNT = '123456789012';
const USER_ARN = `arn:aws-cn:iam::${ACCOUNT}:user/sts_user`;
const ROLE_ARN = `arn:aws-cn:iam::${ACCOUNT}:role/target-role-name`;
const POLICY_ARN = `arn:aws-cn:iam::${ACCOUNT}:policy/STSAssumeRolePolicy`;

const input: SetupInput = {
  role: 'target-role-name',
  userName: 'sts_user',
  policyName: 'STSAssumeRolePolicy',
  sourceProfile: 'sts_user',
};

const adminTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
      Action: 'sts:AssumeRole',
    },
  ],
};

const fresh: SetupState = {
  accountId: ACCOUNT,
  partition: 'aws-cn',
  region: 'cn-northwest-1',
  profile: { worksForUser: false },
  role: { arn: ROLE_ARN, trust: adminTrust, maxSessionDuration: 3600 },
};

const complete: SetupState = {
  ...fresh,
  policyDocument: runbookPolicyDocument(),
  user: {
    arn: USER_ARN,
    attachedPolicyArns: [POLICY_ARN],
    accessKeys: [{ accessKeyId: 'AKIAOLD', status: 'Active' }],
  },
  profile: { accessKeyId: 'AKIAOLD', worksForUser: true, region: 'cn-northwest-1' },
  role: {
    arn: ROLE_ARN,
    maxSessionDuration: 3600,
    trust: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 'sts:AssumeRole' }],
    },
  },
};

const states = (state: SetupState, extra: Partial<SetupInput> = {}) =>
  planSetup(state, { ...input, ...extra }).steps.map((s) => `${s.kind}:${s.state}`);

describe('planSetup', () => {
  it('a fresh account: every step to do, in the partition and account of the administrator', () => {
    const plan = planSetup(fresh, input);
    expect(plan.steps.map((s) => `${s.kind}:${s.state}`)).toEqual([
      'policy:create',
      'user:create',
      'attachment:create',
      'accessKey:create',
      'trust:update',
    ]);
    expect(plan).toMatchObject({ userArn: USER_ARN, roleArn: ROLE_ARN });
    expect(plan.steps[0]).toMatchObject({ policyArn: POLICY_ARN, document: runbookPolicyDocument() });
    const trust = plan.steps.find((s) => s.kind === 'trust');
    expect(trust?.kind === 'trust' && trust.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws-cn:iam::${ACCOUNT}:user/admin`, USER_ARN] },
          Action: 'sts:AssumeRole',
        },
      ],
    });
  });

  it('everything in place: every step exists, nothing pending', () => {
    const plan = planSetup(complete, input);
    expect(plan.steps.every((s) => s.state === 'exists')).toBe(true);
    expect(pendingSteps(plan)).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('a policy with another document is reported, not replaced', () => {
    const narrow = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws-cn:iam::*:role/target-*' }],
    };
    const plan = planSetup({ ...complete, policyDocument: narrow }, input);
    expect(plan.steps[0]).toMatchObject({ state: 'differs', allowsAssumeRole: true, document: narrow });
    expect(pendingSteps(plan)).toEqual([]);
    expect(plan.notes[0]).toMatch(/exists with another document.*not overwritten.*does allow/);
    const useless = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    };
    expect(planSetup({ ...complete, policyDocument: useless }, input).steps[0]).toMatchObject({
      state: 'differs',
      allowsAssumeRole: false,
    });
  });

  it('a user with two keys and none working in the profile: an error naming both, before any change', () => {
    const state: SetupState = {
      ...complete,
      user: {
        ...complete.user!,
        accessKeys: [
          { accessKeyId: 'AKIAONE', status: 'Active' },
          { accessKeyId: 'AKIATWO', status: 'Inactive' },
        ],
      },
      profile: { worksForUser: false },
    };
    const error = (() => {
      try {
        planSetup(state, input);
      } catch (err) {
        return err;
      }
    })() as TempcredsError;
    expect(error).toBeInstanceOf(TempcredsError);
    expect(error.message).toContain('AKIAONE (Active) and AKIATWO (Inactive)');
    expect(error.exitCode).toBe(1);
    expect(error.fix).toContain('aws iam delete-access-key --user-name sts_user --access-key-id AKIATWO');
  });

  it('two keys are fine when the profile holds a working one', () => {
    const state: SetupState = {
      ...complete,
      user: {
        ...complete.user!,
        accessKeys: [
          { accessKeyId: 'AKIAOLD', status: 'Active' },
          { accessKeyId: 'AKIATWO', status: 'Active' },
        ],
      },
    };
    expect(states(state)).toContain('accessKey:exists');
  });

  it('a working key with another region: only the region is updated', () => {
    expect(states({ ...complete, profile: { ...complete.profile, region: 'cn-north-1' } })).toContain(
      'accessKey:update',
    );
  });

  it('a profile key that does not work gets a new key, and the stray key is mentioned', () => {
    const plan = planSetup({ ...complete, profile: { accessKeyId: 'AKIAOLD', worksForUser: false } }, input);
    expect(plan.steps.find((s) => s.kind === 'accessKey')?.state).toBe('create');
    expect(plan.notes.join()).toContain('AKIAOLD');
  });

  it('a missing role is an error that points at --create-role', () => {
    expect(() => planSetup({ ...fresh, role: undefined }, input)).toThrow(/does not exist/);
    try {
      planSetup({ ...fresh, role: undefined }, input);
    } catch (err) {
      expect((err as TempcredsError).fix).toContain('--create-role');
    }
  });

  it('--create-role: one step creates the role trusting the user, with the duration', () => {
    const plan = planSetup(
      { ...fresh, role: undefined },
      { ...input, createRole: true, maxSessionDuration: 43200 },
    );
    expect(plan.steps.at(-1)).toMatchObject({
      kind: 'role',
      state: 'create',
      path: '/',
      maxSessionDuration: 43200,
      trust: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 'sts:AssumeRole' }],
      },
    });
  });

  it('a role ARN with a path keeps its path', () => {
    const plan = planSetup(
      { ...fresh, role: undefined },
      { ...input, role: `arn:aws-cn:iam::${ACCOUNT}:role/team/app/target-role-name`, createRole: true },
    );
    expect(plan.steps.at(-1)).toMatchObject({
      kind: 'role',
      roleName: 'target-role-name',
      path: '/team/app/',
    });
  });

  it('a role ARN of another account or partition is bad input (exit 2)', () => {
    for (const role of ['arn:aws-cn:iam::111122223333:role/x', `arn:aws:iam::${ACCOUNT}:role/x`]) {
      expect(() => planSetup(fresh, { ...input, role })).toThrow(expect.objectContaining({ kind: 'usage' }));
    }
  });

  it('--max-session-duration: update when it differs, exists when it does not', () => {
    expect(states(complete, { maxSessionDuration: 43200 })).toContain('maxSessionDuration:update');
    expect(states(complete, { maxSessionDuration: 3600 })).toContain('maxSessionDuration:exists');
    expect(states(complete)).not.toContain('maxSessionDuration:exists');
  });
});

describe('parseMaxSessionDuration', () => {
  it.each([
    ['3600', 3600],
    ['43200', 43200],
    [' 7200 ', 7200],
    ['12h', 43200],
    ['90m', 5400],
    ['1h30m', 5400],
  ])('%s -> %d', (text, seconds) =>
    expect(parseMaxSessionDuration(text, '--max-session-duration')).toBe(seconds),
  );

  it.each(['3599', '43201', '13h', '30m', 'max', '-3600', '3600.5', ''])(
    'refuses %j before any call',
    (text) => {
      expect(() => parseMaxSessionDuration(text, '--max-session-duration')).toThrow(
        expect.objectContaining({ kind: 'usage' }),
      );
    },
  );
});
