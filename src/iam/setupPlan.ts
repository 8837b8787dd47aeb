/**
 * The plan of `tempcreds setup` (runbook steps 1–4): a pure function from what IAM and the
 * profile look like now to the steps that would bring them to the runbook's state.
 */
import { userArnOf } from '../aws/arn.js';
import type { Partition } from '../aws/partition.js';
import { TempcredsError } from '../errors.js';
import { evaluatePolicy } from './evaluate.js';
import type { AccessKeyInfo } from './iamReads.js';
import { normalizePolicy, sameDocument, type RawPolicyDocument } from './policyDocument.js';
import { ownRole } from './roleRef.js';
import { runbookPolicyDocument } from './runbookPolicy.js';
import { addTrustedPrincipal, newTrustPolicy } from './trustMerge.js';

/** What `tempcreds setup` is asked to make: the runbook's policy, user, key profile and role trust. */
export interface SetupInput {
  /** Role name or ARN. */
  role: string;
  /** The assume-only IAM user to create or reuse (the runbook's `sts_user`). */
  userName: string;
  /** The customer managed policy allowing sts:AssumeRole (the runbook's `STSAssumeRolePolicy`). */
  policyName: string;
  /** The profile that receives the user's key. */
  sourceProfile: string;
  /** Set the role's MaxSessionDuration (3600..43200). */
  maxSessionDuration?: number;
  /** Create the role (trusting the user) when it does not exist. */
  createRole?: boolean;
}

/** What setup observed before planning. */
export interface SetupState {
  /** The administrator: its account and partition are where everything is made. */
  accountId: string;
  /** The administrator's partition: every ARN setup makes is in it. */
  partition: Partition;
  /** Region written into the source profile. */
  region: string;
  /** The policy's document, undefined when there is no such policy. */
  policyDocument?: RawPolicyDocument;
  /** The user, its attached managed policies and its access keys; undefined when there is no such user. */
  user?: { arn: string; attachedPolicyArns: string[]; accessKeys: AccessKeyInfo[] };
  /** The source profile as the files hold it. */
  profile: {
    accessKeyId?: string;
    /** The profile's keys work (GetCallerIdentity) and are this user's. */
    worksForUser: boolean;
    region?: string;
  };
  /** The role, its trust policy and its MaxSessionDuration (seconds); undefined when there is no such role. */
  role?: { arn: string; trust: RawPolicyDocument; maxSessionDuration: number };
}

/**
 * A step's state: `exists` (already as wanted), `create`, `update`, or `differs` (exists otherwise,
 * and setup leaves it alone: it never overwrites a policy someone else wrote).
 */
export type PlanState = 'exists' | 'create' | 'update' | 'differs';

/** What every {@link SetupStep} has. */
export interface SetupStepBase {
  /** What the step will do, or that it need not. */
  state: PlanState;
}

/**
 * One thing setup makes, by `kind`, in the runbook's order: the `policy`, the `user`, the policy's
 * `attachment` to it, its `accessKey` in the profile, the `role` (with `createRole`), its `trust`
 * of the user, and the role's `maxSessionDuration`.
 */
export type SetupStep =
  | (SetupStepBase & {
      kind: 'policy';
      policyName: string;
      policyArn: string;
      document: RawPolicyDocument;
      allowsAssumeRole: boolean;
    })
  | (SetupStepBase & { kind: 'user'; userName: string })
  | (SetupStepBase & { kind: 'attachment'; userName: string; policyName: string; policyArn: string })
  | (SetupStepBase & { kind: 'accessKey'; userName: string; profile: string; region: string })
  | (SetupStepBase & {
      kind: 'role';
      roleName: string;
      path: string;
      principalArn: string;
      trust: RawPolicyDocument;
      maxSessionDuration?: number;
    })
  | (SetupStepBase & { kind: 'trust'; roleName: string; principalArn: string; document: RawPolicyDocument })
  | (SetupStepBase & { kind: 'maxSessionDuration'; roleName: string; from: number; to: number });

/** {@link planSetup}'s answer: every step, with what it will do. */
export interface SetupPlan {
  /** The account everything is made in (the administrator's). */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The assume-only user's ARN, whether it exists yet or not. */
  userArn: string;
  /** The role's ARN, whether it exists yet or not. */
  roleArn: string;
  /** Every step in order, including those already done (`exists`). */
  steps: SetupStep[];
  /** Things setup will not change but the user should know. */
  notes: string[];
}

/** The steps that change something. */
export function pendingSteps(plan: SetupPlan): SetupStep[] {
  return plan.steps.filter((step) => step.state === 'create' || step.state === 'update');
}

/** `[what, which]` of a step, e.g. `['policy', 'STSAssumeRolePolicy']`, for one line of output. */
export function stepLabel(step: SetupStep): [string, string] {
  switch (step.kind) {
    case 'policy':
      return ['policy', step.policyName];
    case 'user':
      return ['user', step.userName];
    case 'attachment':
      return ['attachment', `${step.policyName} -> user ${step.userName}`];
    case 'accessKey':
      return ['access key', `user ${step.userName} -> profile ${step.profile} (region ${step.region})`];
    case 'role':
      return ['role', `${step.roleName} trusting ${step.principalArn}`];
    case 'trust':
      return ['trust', `role ${step.roleName} trusts ${step.principalArn}`];
    case 'maxSessionDuration':
      return ['max session', `role ${step.roleName} ${step.from} -> ${step.to} seconds`];
  }
}

function accessKeyStep(input: SetupInput, state: SetupState): SetupStep {
  const step = {
    kind: 'accessKey',
    userName: input.userName,
    profile: input.sourceProfile,
    region: state.region,
  } as const;
  if (state.profile.worksForUser) {
    return { ...step, state: state.profile.region === state.region ? 'exists' : 'update' };
  }
  const keys = state.user?.accessKeys ?? [];
  if (keys.length >= 2) {
    const list = keys.map((k) => `${k.accessKeyId} (${k.status})`).join(' and ');
    // Suggest deleting an inactive key, else one the profile does not hold.
    const spare =
      keys.find((k) => k.status !== 'Active') ??
      keys.find((k) => k.accessKeyId !== state.profile.accessKeyId);
    throw new TempcredsError(
      `User ${input.userName} already has two access keys, ${list}, and profile ${input.sourceProfile} has no working one of them: AWS allows no third.`,
      {
        kind: 'aws',
        awsCode: 'LimitExceeded',
        fix: `Delete the one you no longer use (aws iam delete-access-key --user-name ${input.userName} --access-key-id ${spare?.accessKeyId ?? keys[1]?.accessKeyId}) and run setup again, or, if the profile holds one of them, run: tempcreds rotate-key --source-profile ${input.sourceProfile}`,
      },
    );
  }
  return { ...step, state: 'create' };
}

function roleSteps(input: SetupInput, state: SetupState, userArn: string): SetupStep[] {
  const { roleName, path } = ownRole(input.role, state);
  if (!state.role) {
    if (!input.createRole) {
      throw new TempcredsError(`Role ${roleName} does not exist in account ${state.accountId}.`, {
        kind: 'aws',
        awsCode: 'NoSuchEntity',
        fix: `Check the name (aws iam get-role --role-name ${roleName}), or add --create-role to create it trusting ${userArn}.`,
      });
    }
    return [
      {
        kind: 'role',
        state: 'create',
        roleName,
        path,
        principalArn: userArn,
        trust: newTrustPolicy(userArn),
        maxSessionDuration: input.maxSessionDuration,
      },
    ];
  }
  const merged = addTrustedPrincipal(state.role.trust, userArn);
  const steps: SetupStep[] = [
    {
      kind: 'trust',
      state: merged.changed ? 'update' : 'exists',
      roleName,
      principalArn: userArn,
      document: merged.document,
    },
  ];
  if (input.maxSessionDuration !== undefined) {
    const from = state.role.maxSessionDuration;
    const to = input.maxSessionDuration;
    steps.push({ kind: 'maxSessionDuration', state: from === to ? 'exists' : 'update', roleName, from, to });
  }
  return steps;
}

/**
 * The plan. Throws (before anything is changed) when setup cannot succeed: a user with two
 * keys and none in the profile, a missing role without `createRole`, a role ARN of another account.
 */
export function planSetup(state: SetupState, input: SetupInput): SetupPlan {
  const { partition, accountId } = state;
  const policyArn = `arn:${partition}:iam::${accountId}:policy/${input.policyName}`;
  const userArn = state.user?.arn ?? userArnOf(input.userName, partition, accountId);
  const placed = ownRole(input.role, state);
  const roleArn = state.role?.arn ?? placed.roleArn;
  const wanted = runbookPolicyDocument();
  const notes: string[] = [];

  const existing = state.policyDocument;
  const policyState: PlanState = !existing ? 'create' : sameDocument(existing, wanted) ? 'exists' : 'differs';
  const document = existing ?? wanted;
  const allowsAssumeRole =
    evaluatePolicy(normalizePolicy(document), { action: 'sts:AssumeRole', resource: roleArn }).decision ===
    'allow';
  if (policyState === 'differs') {
    notes.push(
      `Policy ${input.policyName} exists with another document than the runbook's; it is not overwritten` +
        (allowsAssumeRole
          ? ' (it does allow sts:AssumeRole on the role).'
          : ', and it does not allow sts:AssumeRole on the role.'),
    );
  }

  const attached = state.user?.attachedPolicyArns.includes(policyArn) ?? false;
  const steps: SetupStep[] = [
    {
      kind: 'policy',
      state: policyState,
      policyName: input.policyName,
      policyArn,
      document,
      allowsAssumeRole,
    },
    { kind: 'user', state: state.user ? 'exists' : 'create', userName: input.userName },
    {
      kind: 'attachment',
      state: attached ? 'exists' : 'create',
      userName: input.userName,
      policyName: input.policyName,
      policyArn,
    },
    accessKeyStep(input, state),
    ...roleSteps(input, state, userArn),
  ];
  const profileKey = state.profile.accessKeyId;
  const strays = (state.user?.accessKeys ?? []).filter(
    (k) => k.accessKeyId !== profileKey || !state.profile.worksForUser,
  );
  if (strays.length > 0 && steps.some((s) => s.kind === 'accessKey' && s.state === 'create')) {
    notes.push(
      `User ${input.userName} also has ${strays.map((k) => k.accessKeyId).join(', ')}, which no profile here uses; setup leaves ${strays.length > 1 ? 'them' : 'it'} alone.`,
    );
  }
  return { accountId, partition, userArn, roleArn, steps, notes };
}
