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

export interface SetupInput {
  /** Role name or ARN. */
  role: string;
  userName: string;
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
  partition: Partition;
  /** Region written into the source profile. */
  region: string;
  /** The policy's document, undefined when there is no such policy. */
  policyDocument?: RawPolicyDocument;
  user?: { arn: string; attachedPolicyArns: string[]; accessKeys: AccessKeyInfo[] };
  profile: {
    accessKeyId?: string;
    /** The profile's keys work (GetCallerIdentity) and are this user's. */
    worksForUser: boolean;
    region?: string;
  };
  role?: { arn: string; trust: RawPolicyDocument; maxSessionDuration: number };
}

export type PlanState = 'exists' | 'create' | 'update' | 'differs';

interface StepBase {
  state: PlanState;
}

export type SetupStep =
  | (StepBase & {
      kind: 'policy';
      policyName: string;
      policyArn: string;
      document: RawPolicyDocument;
      allowsAssumeRole: boolean;
    })
  | (StepBase & { kind: 'user'; userName: string })
  | (StepBase & { kind: 'attachment'; userName: string; policyName: string; policyArn: string })
  | (StepBase & { kind: 'accessKey'; userName: string; profile: string; region: string })
  | (StepBase & {
      kind: 'role';
      roleName: string;
      path: string;
      principalArn: string;
      trust: RawPolicyDocument;
      maxSessionDuration?: number;
    })
  | (StepBase & { kind: 'trust'; roleName: string; principalArn: string; document: RawPolicyDocument })
  | (StepBase & { kind: 'maxSessionDuration'; roleName: string; from: number; to: number });

export interface SetupPlan {
  accountId: string;
  partition: Partition;
  userArn: string;
  roleArn: string;
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
