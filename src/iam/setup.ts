/**
 * `tempcreds setup`: observe IAM and the source profile, plan (see setupPlan.ts), then apply.
 * Side effects come in through {@link SetupDeps}; progress goes out as events, never printed.
 */
import { parseRoleRef } from '../aws/arn.js';
import type { AwsContext } from '../aws/clients.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { writeProfile } from '../config/write.js';
import { awsErrorCode, TempcredsError } from '../errors.js';
import {
  identityOf,
  readProfileKeys,
  sleep as realSleep,
  stsForKeys,
  verifyKey,
  writeProfileKeys,
  type Sleep,
  type StsFor,
} from './accessKeys.js';
import {
  createIamClient,
  getPolicyDocument,
  getRole,
  getUser,
  listAccessKeys,
  listAttachedUserPolicyArns,
  must,
  type Iam,
} from './iamReads.js';
import type { RawPolicyDocument } from './policyDocument.js';
import {
  pendingSteps,
  planSetup,
  stepLabel,
  type SetupInput,
  type SetupPlan,
  type SetupState,
  type SetupStep,
} from './setupPlan.js';
import { iamSdk } from '../aws/sdk.js';

const {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} = iamSdk();

/** What setup needs from outside: the administrator's AWS context and the AWS files. */
export interface SetupDeps {
  /** The administrator's credentials, region and endpoint. */
  aws: AwsContext;
  /** The AWS files: the source profile receives the user's key there. */
  files: AwsFiles;
  /** The IAM client (default: one for `aws`). */
  iam?: Iam;
  /** STS signing with other keys (the new user key); default: the administrator's endpoint. */
  stsFor?: StsFor;
  /** Injected so tests need not wait for IAM propagation. */
  sleep?: Sleep;
  /** The administrator's identity, when the caller already knows it. */
  admin?: CallerIdentity;
}

/** What applying a step did: nothing (`exists`, `differs`: left as found), or `created` / `updated`. */
export type AppliedState = 'exists' | 'differs' | 'created' | 'updated';

/** Setup's progress: the `plan` once observed, then each step once `applied`, with its one-line label. */
export type SetupEvent =
  | { type: 'plan'; plan: SetupPlan }
  | { type: 'applied'; step: SetupStep; state: AppliedState; label: [string, string] };

/** How {@link setup} runs. */
export interface SetupOptions {
  /** Observe and plan only: nothing in IAM or the files changes. */
  dryRun?: boolean;
  /** Asked after the plan when there is something to do; false stops without changes. */
  confirm?: (plan: SetupPlan) => Promise<boolean>;
  /** Progress, as it happens (the library never prints). */
  onEvent?: (event: SetupEvent) => void;
}

/** What {@link setup} did. */
export interface SetupResult {
  /** The plan, as made before anything changed. */
  plan: SetupPlan;
  /** `nothing-to-do`: every step `exists` (or `differs`); `declined`: `confirm` answered false. */
  outcome: 'dry-run' | 'nothing-to-do' | 'declined' | 'applied';
  /** Each step's final state, in plan order (only after `applied`). */
  applied: Array<{ step: SetupStep; state: AppliedState }>;
  /**
   * Why the user still cannot assume the role after this setup, though nothing failed: the policy
   * exists with another document that does not allow sts:AssumeRole on the role (setup never
   * overwrites it). Undefined when there is no such problem, or nothing was meant to be done
   * (dry run, declined).
   */
  problem?: TempcredsError;
}

/** The problem of {@link SetupResult.problem}, judged from the plan. */
export function unusablePolicyProblem(plan: SetupPlan, userName: string): TempcredsError | undefined {
  const policy = plan.steps.find((s) => s.kind === 'policy');
  if (policy?.kind !== 'policy' || policy.state !== 'differs' || policy.allowsAssumeRole) return undefined;
  return new TempcredsError(
    `Policy ${policy.policyName} does not allow sts:AssumeRole on the role: user ${userName} cannot assume it.`,
    {
      kind: 'failed',
      fix: `Make its default version the runbook's document (aws iam create-policy-version --policy-arn ${policy.policyArn} --set-as-default --policy-document ...), or use another --policy.`,
    },
  );
}

/** Reads everything the plan depends on. Changes nothing. */
export async function observeSetup(input: SetupInput, deps: SetupDeps): Promise<SetupState> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const admin = deps.admin ?? (await getCallerIdentity(createStsClient(deps.aws)));
  const { partition, account: accountId } = admin;
  const { roleName } = parseRoleRef(input.role);
  const policyArn = `arn:${partition}:iam::${accountId}:policy/${input.policyName}`;
  const [policyDocument, user, role, profile] = await Promise.all([
    getPolicyDocument(iam, policyArn),
    getUser(iam, input.userName),
    getRole(iam, roleName),
    readProfileKeys(deps.files, input.sourceProfile),
  ]);
  const [attachedPolicyArns, accessKeys] = user
    ? await Promise.all([
        listAttachedUserPolicyArns(iam, input.userName),
        listAccessKeys(iam, input.userName),
      ])
    : [[], []];
  // "A working key of this user": the profile's keys work and GetCallerIdentity names this user.
  const identity =
    user && profile.keys ? await identityOf(deps.stsFor ?? stsForKeys(deps.aws), profile.keys) : undefined;
  return {
    accountId,
    partition,
    region: deps.aws.region,
    policyDocument,
    user: user && { arn: user.arn, attachedPolicyArns, accessKeys },
    profile: {
      accessKeyId: profile.keys?.accessKeyId,
      worksForUser: identity !== undefined && identity.arn === user?.arn,
      region: profile.region,
    },
    role: role && { arn: role.arn, trust: role.trust, maxSessionDuration: role.maxSessionDuration },
  };
}

/** IAM refuses a principal it cannot see yet (a user made seconds ago): retry that with backoff. */
async function withPrincipalRetry<T>(call: () => Promise<T>, wait: Sleep): Promise<T> {
  for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 8000)) {
    try {
      return await call();
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      if (attempt >= 6 || awsErrorCode(err) !== 'MalformedPolicyDocument' || !/principal/i.test(message))
        throw err;
      await wait(delay);
    }
  }
}

async function createKey(
  step: Extract<SetupStep, { kind: 'accessKey' }>,
  plan: SetupPlan,
  deps: SetupDeps,
  iam: Iam,
) {
  const out = await must(`CreateAccessKey ${step.userName}`, () =>
    iam.send(new CreateAccessKeyCommand({ UserName: step.userName })),
  );
  const keys = {
    accessKeyId: out.AccessKey?.AccessKeyId ?? '',
    secretAccessKey: out.AccessKey?.SecretAccessKey ?? '',
  };
  try {
    await writeProfileKeys(deps.files, step.profile, keys, step.region);
  } catch (err) {
    // A key nobody holds is only a liability: take it back.
    await iam
      .send(new DeleteAccessKeyCommand({ UserName: step.userName, AccessKeyId: keys.accessKeyId }))
      .catch(() => undefined);
    throw err;
  }
  await verifyKey(keys, plan.userArn, { stsFor: deps.stsFor ?? stsForKeys(deps.aws), sleep: deps.sleep });
}

function policyJson(document: RawPolicyDocument): string {
  return JSON.stringify(document);
}

/** Applies one step; returns its final state. One short case per kind, which reads better as one switch than as six functions. */
async function applyStep(step: SetupStep, plan: SetupPlan, deps: SetupDeps, iam: Iam): Promise<AppliedState> {
  if (step.state === 'exists' || step.state === 'differs') return step.state;
  const wait = deps.sleep ?? realSleep;
  switch (step.kind) {
    case 'policy':
      await must(`CreatePolicy ${step.policyName}`, () =>
        iam.send(
          new CreatePolicyCommand({ PolicyName: step.policyName, PolicyDocument: policyJson(step.document) }),
        ),
      );
      break;
    case 'user':
      await must(`CreateUser ${step.userName}`, () =>
        iam.send(new CreateUserCommand({ UserName: step.userName })),
      );
      break;
    case 'attachment':
      await must(`AttachUserPolicy ${step.policyName}`, () =>
        iam.send(new AttachUserPolicyCommand({ UserName: step.userName, PolicyArn: step.policyArn })),
      );
      break;
    case 'accessKey':
      if (step.state === 'create') await createKey(step, plan, deps, iam);
      // The profile's key works; only its region is missing or another.
      else await writeProfile(deps.files, step.profile, { config: { region: step.region } });
      break;
    case 'role':
      await must(`CreateRole ${step.roleName}`, () =>
        withPrincipalRetry(
          () =>
            iam.send(
              new CreateRoleCommand({
                RoleName: step.roleName,
                Path: step.path,
                AssumeRolePolicyDocument: policyJson(step.trust),
                MaxSessionDuration: step.maxSessionDuration,
              }),
            ),
          wait,
        ),
      );
      break;
    case 'trust':
      await must(`UpdateAssumeRolePolicy ${step.roleName}`, () =>
        withPrincipalRetry(
          () =>
            iam.send(
              new UpdateAssumeRolePolicyCommand({
                RoleName: step.roleName,
                PolicyDocument: policyJson(step.document),
              }),
            ),
          wait,
        ),
      );
      break;
    case 'maxSessionDuration':
      await must(`UpdateRole ${step.roleName}`, () =>
        iam.send(new UpdateRoleCommand({ RoleName: step.roleName, MaxSessionDuration: step.to })),
      );
      break;
  }
  return step.state === 'create' ? 'created' : 'updated';
}

/** Applies the plan's steps in order; a failure stops it and says which step and what was already done. */
export async function applySetup(
  plan: SetupPlan,
  deps: SetupDeps,
  onEvent?: (event: SetupEvent) => void,
): Promise<SetupResult['applied']> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const applied: SetupResult['applied'] = [];
  for (const step of plan.steps) {
    let state: AppliedState;
    try {
      state = await applyStep(step, plan, deps, iam);
    } catch (err) {
      const done = applied
        .filter((a) => a.state === 'created' || a.state === 'updated')
        .map((a) => stepLabel(a.step).join(' '));
      const failure =
        err instanceof TempcredsError ? err : new TempcredsError(String(err), { kind: 'failed', cause: err });
      throw new TempcredsError(
        `Setup stopped at ${stepLabel(step).join(' ')}: ${failure.message} ${done.length ? `(done before it: ${done.join('; ')})` : '(nothing was changed before it)'}`,
        {
          kind: failure.kind,
          awsCode: failure.awsCode,
          fix: failure.fix ?? 'Fix the cause and run setup again: it continues where it stopped.',
          cause: err,
        },
      );
    }
    applied.push({ step, state });
    onEvent?.({ type: 'applied', step, state, label: stepLabel(step) });
  }
  return applied;
}

/** Observe, plan, (confirm,) apply: the whole of `tempcreds setup`. */
export async function setup(
  input: SetupInput,
  deps: SetupDeps,
  options: SetupOptions = {},
): Promise<SetupResult> {
  const plan = planSetup(await observeSetup(input, deps), input);
  options.onEvent?.({ type: 'plan', plan });
  if (options.dryRun) return { plan, outcome: 'dry-run', applied: [] };
  const problem = unusablePolicyProblem(plan, input.userName);
  if (pendingSteps(plan).length === 0) return { plan, outcome: 'nothing-to-do', applied: [], problem };
  if (options.confirm && !(await options.confirm(plan))) return { plan, outcome: 'declined', applied: [] };
  return { plan, outcome: 'applied', applied: await applySetup(plan, deps, options.onEvent), problem };
}
