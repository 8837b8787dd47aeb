/**
 * `tempcreds teardown`: undo what setup made (the user's trust principal, its keys and the
 * profile holding one, the policy attachment, the user, the policy) and nothing else. Anything
 * others rely on (other principals, a policy attached elsewhere, a user with other policies) stays.
 */
import { userArnOf } from '../aws/arn.js';
import type { AwsContext } from '../aws/clients.js';
import type { Partition } from '../aws/partition.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { writeProfile } from '../config/write.js';
import { readProfileKeys } from './accessKeys.js';
import {
  createIamClient,
  getPolicyDocument,
  getRole,
  getUser,
  listAccessKeys,
  listAttachedUserPolicyArns,
  listGroupsForUser,
  listPolicyEntities,
  listUserPolicyNames,
  must,
  type Iam,
} from './iamReads.js';
import { sameDocument, type RawPolicyDocument } from './policyDocument.js';
import { ownRole } from './roleRef.js';
import { runbookPolicyDocument } from './runbookPolicy.js';
import { removeTrustedPrincipal } from './trustMerge.js';
import { iamSdk } from '../aws/sdk.js';

const {
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} = iamSdk();

/** What `tempcreds teardown` removes: what setup made with the same names. */
export interface TeardownInput {
  /** Role name or ARN: the role itself stays, only the user's trust in it goes. */
  role: string;
  /** The assume-only user to remove (with its keys and the policy attachment). */
  userName: string;
  /** The policy to remove, when nothing else uses it and it is still the runbook's document. */
  policyName: string;
  /** The profile setup wrote the user's key into; its keys are removed when they are this user's. */
  sourceProfile?: string;
}

/** What teardown observed. */
export interface TeardownState {
  /** The administrator's account. */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The role and its trust policy; undefined when there is no such role. */
  role?: { name: string; trust: RawPolicyDocument };
  /** The user and what it has; undefined when there is no such user. */
  user?: {
    arn: string;
    attachedPolicyArns: string[];
    inlinePolicyNames: string[];
    groups: string[];
    accessKeyIds: string[];
  };
  /** The policy's default document and the users, groups and roles it is attached to; undefined when absent. */
  policy?: { document: RawPolicyDocument; entities: string[] };
  /** The access key id in the source profile, when it has one. */
  profileAccessKeyId?: string;
}

/** `remove`: teardown removes it; `absent`: already gone; `kept`: something else relies on it (see `reason`). */
export type TeardownPlanState = 'remove' | 'absent' | 'kept';

/** What every {@link TeardownStep} has. */
export interface TeardownStepBase {
  /** What teardown will do with it. */
  state: TeardownPlanState;
  /** Why something is kept. */
  reason?: string;
}

/**
 * One thing teardown removes, by `kind`, in its order: the user's `trust` principal in the role,
 * its `accessKey`s, the `profile` holding one, the policy `attachment`, the `user`, the `policy`.
 */
export type TeardownStep =
  | (TeardownStepBase & {
      kind: 'trust';
      roleName: string;
      principalArn: string;
      document?: RawPolicyDocument;
    })
  | (TeardownStepBase & { kind: 'accessKey'; userName: string; accessKeyId: string })
  | (TeardownStepBase & { kind: 'profile'; profile: string; accessKeyId?: string })
  | (TeardownStepBase & { kind: 'attachment'; userName: string; policyName: string; policyArn: string })
  | (TeardownStepBase & { kind: 'user'; userName: string })
  | (TeardownStepBase & { kind: 'policy'; policyName: string; policyArn: string });

/** {@link planTeardown}'s answer. */
export interface TeardownPlan {
  /** The account the steps act in (the administrator's). */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** Every step in order, those `absent` or `kept` included. */
  steps: TeardownStep[];
}

/** `[what, which]` of a step, e.g. `['access key', 'AKIA... of user sts_user']`, for one line of output. */
export function teardownStepLabel(step: TeardownStep): [string, string] {
  switch (step.kind) {
    case 'trust':
      return ['trust', `role ${step.roleName} trusts ${step.principalArn}`];
    case 'accessKey':
      return ['access key', `${step.accessKeyId} of user ${step.userName}`];
    case 'profile':
      return ['profile', `${step.profile}${step.accessKeyId ? ` (${step.accessKeyId})` : ''}`];
    case 'attachment':
      return ['attachment', `${step.policyName} -> user ${step.userName}`];
    case 'user':
      return ['user', step.userName];
    case 'policy':
      return ['policy', step.policyName];
  }
}

function trustStep(state: TeardownState, input: TeardownInput, principalArn: string): TeardownStep {
  const roleName = ownRole(input.role, state).roleName;
  const base = { kind: 'trust', roleName, principalArn } as const;
  if (!state.role) return { ...base, state: 'absent', reason: 'no such role' };
  const removal = removeTrustedPrincipal(state.role.trust, principalArn);
  if (removal.empty) {
    return {
      ...base,
      state: 'kept',
      reason: `it is the role's only principal and IAM refuses an empty trust policy; if setup created the role, delete it: aws iam delete-role --role-name ${roleName}`,
    };
  }
  return removal.changed
    ? { ...base, state: 'remove', document: removal.document }
    : { ...base, state: 'absent' };
}

function userStep(state: TeardownState, input: TeardownInput, policyArn: string): TeardownStep {
  const base = { kind: 'user', userName: input.userName } as const;
  const user = state.user;
  if (!user) return { ...base, state: 'absent' };
  const others = [
    ...user.attachedPolicyArns.filter((arn) => arn !== policyArn).map((arn) => `policy ${arn}`),
    ...user.inlinePolicyNames.map((name) => `inline policy ${name}`),
    ...user.groups.map((group) => `group ${group}`),
  ];
  return others.length > 0
    ? { ...base, state: 'kept', reason: `it also has ${others.join(', ')}` }
    : { ...base, state: 'remove' };
}

function policyStep(state: TeardownState, input: TeardownInput, policyArn: string): TeardownStep {
  const base = { kind: 'policy', policyName: input.policyName, policyArn } as const;
  if (!state.policy) return { ...base, state: 'absent' };
  if (!sameDocument(state.policy.document, runbookPolicyDocument())) {
    return { ...base, state: 'kept', reason: "its document is not the runbook's: setup did not write it" };
  }
  const elsewhere = state.policy.entities.filter((entity) => entity !== `user/${input.userName}`);
  return elsewhere.length > 0
    ? { ...base, state: 'kept', reason: `it is also attached to ${elsewhere.join(', ')}` }
    : { ...base, state: 'remove' };
}

/** What teardown would do. Pure. */
export function planTeardown(state: TeardownState, input: TeardownInput): TeardownPlan {
  const policyArn = `arn:${state.partition}:iam::${state.accountId}:policy/${input.policyName}`;
  const principalArn = state.user?.arn ?? userArnOf(input.userName, state.partition, state.accountId);
  const keys = state.user?.accessKeyIds ?? [];
  const steps: TeardownStep[] = [trustStep(state, input, principalArn)];
  for (const accessKeyId of keys)
    steps.push({ kind: 'accessKey', userName: input.userName, accessKeyId, state: 'remove' });
  if (input.sourceProfile) {
    const held = state.profileAccessKeyId;
    const ours = held !== undefined && keys.includes(held);
    steps.push({
      kind: 'profile',
      profile: input.sourceProfile,
      accessKeyId: ours ? held : undefined,
      state: ours ? 'remove' : 'absent',
    });
  }
  const attached = state.user?.attachedPolicyArns.includes(policyArn) ?? false;
  steps.push(
    {
      kind: 'attachment',
      userName: input.userName,
      policyName: input.policyName,
      policyArn,
      state: attached ? 'remove' : 'absent',
    },
    userStep(state, input, policyArn),
    policyStep(state, input, policyArn),
  );
  return { accountId: state.accountId, partition: state.partition, steps };
}

/** The side effects of teardown. */
export interface TeardownDeps {
  /** Administrator credentials (IAM reads, and the deletes when applied). */
  aws: AwsContext;
  /** The AWS files holding the source profile. */
  files: AwsFiles;
  /** The IAM client (default: one for `aws`). */
  iam?: Iam;
  /** Who `aws` is, when already known (default: sts:GetCallerIdentity). */
  admin?: CallerIdentity;
}

/** Reads everything the teardown plan depends on. Changes nothing. */
export async function observeTeardown(input: TeardownInput, deps: TeardownDeps): Promise<TeardownState> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const admin = deps.admin ?? (await getCallerIdentity(createStsClient(deps.aws)));
  const account = { accountId: admin.account, partition: admin.partition };
  const { roleName } = ownRole(input.role, account);
  const policyArn = `arn:${admin.partition}:iam::${admin.account}:policy/${input.policyName}`;
  const [role, user, document, profile] = await Promise.all([
    getRole(iam, roleName),
    getUser(iam, input.userName),
    getPolicyDocument(iam, policyArn),
    input.sourceProfile ? readProfileKeys(deps.files, input.sourceProfile) : undefined,
  ]);
  const name = input.userName;
  const [attachedPolicyArns, inlinePolicyNames, groups, keys] = user
    ? await Promise.all([
        listAttachedUserPolicyArns(iam, name),
        listUserPolicyNames(iam, name),
        listGroupsForUser(iam, name),
        listAccessKeys(iam, name),
      ])
    : [[], [], [], []];
  return {
    ...account,
    role: role && { name: role.name, trust: role.trust },
    user: user && {
      arn: user.arn,
      attachedPolicyArns,
      inlinePolicyNames,
      groups,
      accessKeyIds: keys.map((k) => k.accessKeyId),
    },
    policy: document && { document, entities: await listPolicyEntities(iam, policyArn) },
    profileAccessKeyId: profile?.keys?.accessKeyId,
  };
}

async function removeStep(step: TeardownStep, deps: TeardownDeps, iam: Iam): Promise<void> {
  switch (step.kind) {
    case 'trust':
      await must(`UpdateAssumeRolePolicy ${step.roleName}`, () =>
        iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: step.roleName,
            PolicyDocument: JSON.stringify(step.document),
          }),
        ),
      );
      return;
    case 'accessKey':
      await must(`DeleteAccessKey ${step.accessKeyId}`, () =>
        iam.send(new DeleteAccessKeyCommand({ UserName: step.userName, AccessKeyId: step.accessKeyId })),
      );
      return;
    case 'profile':
      await writeProfile(deps.files, step.profile, {
        credentials: { aws_access_key_id: null, aws_secret_access_key: null, aws_session_token: null },
      });
      return;
    case 'attachment':
      await must(`DetachUserPolicy ${step.policyName}`, () =>
        iam.send(new DetachUserPolicyCommand({ UserName: step.userName, PolicyArn: step.policyArn })),
      );
      return;
    case 'user':
      await must(`DeleteUser ${step.userName}`, () =>
        iam.send(new DeleteUserCommand({ UserName: step.userName })),
      );
      return;
    case 'policy':
      await must(`DeletePolicy ${step.policyName}`, () =>
        iam.send(new DeletePolicyCommand({ PolicyArn: step.policyArn })),
      );
      return;
  }
}

/** Removes, in plan order (trust first, policy last), what the plan marks `remove`. */
export async function applyTeardown(
  plan: TeardownPlan,
  deps: TeardownDeps,
  onRemoved?: (step: TeardownStep) => void,
): Promise<void> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  for (const step of plan.steps) {
    if (step.state !== 'remove') continue;
    await removeStep(step, deps, iam);
    onRemoved?.(step);
  }
}
