/**
 * The plan of `tempcreds iot teardown`: undo what iot setup made for one thing, and nothing
 * else. What setup made is recognised by its shape: a certificate of the thing that carries
 * setup's IoT policy (one Allow of iot:AssumeRoleWithCertificate on one role alias). Anything
 * others rely on stays: a certificate with other things or policies, a thing with other
 * certificates, a policy other certificates use (then its alias too), a trust another alias of
 * the role needs. Pure.
 */
import type { Partition } from '../aws/partition.js';
import { sameDocument, type RawPolicyDocument } from '../iam/policyDocument.js';
import { removeTrustedPrincipal } from '../iam/trustMerge.js';
import { assumeWithCertificatePolicy, CREDENTIALS_PROVIDER_PRINCIPAL } from './iotPolicy.js';

/** `iot teardown`'s input: the thing, and optionally what to look for and what local files to remove. */
export interface IotTeardownInput {
  /** The thing whose setup is undone; other things are never touched. */
  thingName: string;
  /** Default: the alias of setup's policy on the thing's certificate. */
  roleAlias?: string;
  /** Default: setup's policy on the thing's certificate. */
  policyName?: string;
  /** Also remove the files setup wrote to this DIR (absolute). */
  outDir?: string;
  /** Also remove the IoT settings setup wrote to this profile. */
  profileName?: string;
}

/** A certificate attached to the thing, with everything else attached to it. */
export interface ThingCertificate {
  /** The certificate's ARN. */
  arn: string;
  /** AWS IoT's ID of it (SHA-256 of its DER, hex). */
  certificateId: string;
  /** `ACTIVE`, `INACTIVE`, `REVOKED`, ...: an active one is deactivated before it is deleted. */
  status: string;
  /** Every thing it is attached to, this one included. */
  things: string[];
  /** The names of every IoT policy attached to it. */
  policies: string[];
}

/** What iot teardown observed. */
export interface IotTeardownState {
  /** The administrator's account. */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The region of the IoT calls. */
  region: string;
  /** The thing's certificates; undefined when there is no such thing. */
  thing?: { certificates: ThingCertificate[] };
  /** Setup's policy (named, or found on the thing's certificates). */
  policy?: { name: string; document: RawPolicyDocument; targets: string[]; aliasArn?: string };
  /** The role alias (named, or the one setup's policy allows); undefined when there is none. */
  roleAlias?: { name: string; arn: string; roleArn: string };
  /** The alias's role and its trust policy; undefined when there is no such role. */
  role?: { name: string; trust: RawPolicyDocument };
  /** Other aliases pointing at the same role. */
  otherAliasesOfRole: string[];
  /** DIR's device.json certificate id, when `outDir` is given and DIR has one. */
  dirCertificateId?: string;
  /** DIR files present (names), when `outDir` is given. */
  dirFiles: string[];
  /** The profile's settings, when `profileName` is given and it exists. */
  profile?: Record<string, string>;
}

/** `remove`: teardown removes it; `absent`: nothing there; `kept`: there, but not setup's alone (see `reason`). */
export type IotTeardownPlanState = 'remove' | 'absent' | 'kept';

/** What every {@link IotTeardownStep} has. */
export interface IotTeardownStepBase {
  /** What teardown will do with it. */
  state: IotTeardownPlanState;
  /** Why something is `kept`, in a few words. */
  reason?: string;
}

/** One line of the teardown plan. */
export type IotTeardownStep =
  | (IotTeardownStepBase & {
      kind: 'policyAttachment';
      policyName: string;
      certificateArn: string;
      certificateId: string;
    })
  | (IotTeardownStepBase & {
      kind: 'thingAttachment';
      thingName: string;
      certificateArn: string;
      certificateId: string;
    })
  | (IotTeardownStepBase & { kind: 'certificate'; certificateId: string; status: string })
  | (IotTeardownStepBase & { kind: 'thing'; thingName: string })
  | (IotTeardownStepBase & { kind: 'policy'; policyName: string })
  | (IotTeardownStepBase & { kind: 'roleAlias'; roleAlias: string })
  | (IotTeardownStepBase & { kind: 'trust'; roleName: string; document?: RawPolicyDocument })
  | (IotTeardownStepBase & { kind: 'files'; dir: string; files: string[] })
  | (IotTeardownStepBase & { kind: 'profile'; profile: string; keys: string[] });

/** The plan of iot teardown: where, and its steps in the order they are removed. */
export interface IotTeardownPlan {
  /** The account the steps act in (the administrator's). */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The region of the IoT calls. */
  region: string;
  /** Every step in order, those `absent` or `kept` included. */
  steps: IotTeardownStep[];
}

/** `[what, which]` of a teardown step, for one line of output. */
export function iotTeardownStepLabel(step: IotTeardownStep): [string, string] {
  const short = (id: string) => id.slice(0, 12);
  switch (step.kind) {
    case 'policyAttachment':
      return ['attachment', `IoT policy ${step.policyName} -> certificate ${short(step.certificateId)}`];
    case 'thingAttachment':
      return ['attachment', `certificate ${short(step.certificateId)} -> thing ${step.thingName}`];
    case 'certificate':
      return ['certificate', `${step.certificateId} (${step.status})`];
    case 'thing':
      return ['thing', step.thingName];
    case 'policy':
      return ['IoT policy', step.policyName];
    case 'roleAlias':
      return ['role alias', step.roleAlias];
    case 'trust':
      return ['trust', `role ${step.roleName} trusts ${CREDENTIALS_PROVIDER_PRINCIPAL}`];
    case 'files':
      return ['files', `${step.dir}: ${step.files.join(', ') || 'none'}`];
    case 'profile':
      return ['profile', step.profile];
  }
}

/** The thing's certificates that carry setup's policy: the ones setup attached. */
function ours(state: IotTeardownState): ThingCertificate[] {
  const policy = state.policy?.name;
  return (state.thing?.certificates ?? []).filter((c) => policy !== undefined && c.policies.includes(policy));
}

function certificateSteps(state: IotTeardownState, input: IotTeardownInput): IotTeardownStep[] {
  const policy = state.policy?.name ?? '';
  const steps: IotTeardownStep[] = [];
  for (const c of state.thing?.certificates ?? []) {
    const ref = { certificateArn: c.arn, certificateId: c.certificateId };
    if (!ours(state).includes(c)) {
      steps.push({
        kind: 'thingAttachment',
        thingName: input.thingName,
        ...ref,
        state: 'kept',
        reason: `the certificate does not carry ${policy ? `IoT policy ${policy}` : "setup's IoT policy"}: setup did not attach it`,
      });
      continue;
    }
    steps.push({ kind: 'policyAttachment', policyName: policy, ...ref, state: 'remove' });
    steps.push({ kind: 'thingAttachment', thingName: input.thingName, ...ref, state: 'remove' });
    const otherThings = c.things.filter((t) => t !== input.thingName);
    const otherPolicies = c.policies.filter((p) => p !== policy);
    const others = [...otherThings.map((t) => `thing ${t}`), ...otherPolicies.map((p) => `IoT policy ${p}`)];
    steps.push({
      kind: 'certificate',
      certificateId: c.certificateId,
      status: c.status,
      ...(others.length
        ? { state: 'kept', reason: `it is also attached to ${others.join(', ')}` }
        : { state: 'remove' }),
    });
  }
  return steps;
}

function thingStep(state: IotTeardownState, input: IotTeardownInput): IotTeardownStep {
  const base = { kind: 'thing', thingName: input.thingName } as const;
  if (!state.thing) return { ...base, state: 'absent' };
  const left = state.thing.certificates.filter((c) => !ours(state).includes(c));
  return left.length
    ? {
        ...base,
        state: 'kept',
        reason: `certificates setup did not attach remain: ${left.map((c) => c.certificateId.slice(0, 12)).join(', ')}`,
      }
    : { ...base, state: 'remove' };
}

function policyStep(state: IotTeardownState, input: IotTeardownInput): IotTeardownStep {
  const p = state.policy;
  const base = { kind: 'policy', policyName: p?.name ?? input.policyName ?? '(none found)' } as const;
  if (!p) return { ...base, state: 'absent' };
  if (!p.aliasArn || !sameDocument(p.document, assumeWithCertificatePolicy(p.aliasArn)))
    return { ...base, state: 'kept', reason: "its document is not setup's: setup did not write it" };
  const detached = new Set(ours(state).map((c) => c.arn));
  const others = p.targets.filter((t) => !detached.has(t));
  return others.length
    ? {
        ...base,
        state: 'kept',
        reason: `${others.length} other certificate${others.length > 1 ? 's use' : ' uses'} it`,
      }
    : { ...base, state: 'remove' };
}

function aliasAndTrustSteps(state: IotTeardownState, policy: IotTeardownStep): IotTeardownStep[] {
  const alias = state.roleAlias;
  if (!alias) return [{ kind: 'roleAlias', roleAlias: '(none found)', state: 'absent' }];
  const aliasStep: IotTeardownStep =
    policy.state === 'remove'
      ? { kind: 'roleAlias', roleAlias: alias.name, state: 'remove' }
      : {
          kind: 'roleAlias',
          roleAlias: alias.name,
          state: 'kept',
          reason:
            policy.state === 'kept' && policy.kind === 'policy'
              ? `IoT policy ${policy.policyName} stays, and it is for this alias`
              : "setup's IoT policy for it is not on this thing: other devices may use the alias",
        };
  const role = state.role;
  const roleName = alias.roleArn.split('/').pop() ?? '';
  if (!role) return [aliasStep, { kind: 'trust', roleName, state: 'absent', reason: 'no such role' }];
  const keep = (reason: string): IotTeardownStep => ({ kind: 'trust', roleName, state: 'kept', reason });
  if (aliasStep.state !== 'remove') return [aliasStep, keep(`role alias ${alias.name} stays`)];
  if (state.otherAliasesOfRole.length)
    return [aliasStep, keep(`role alias ${state.otherAliasesOfRole.join(', ')} also uses the role`)];
  const removal = removeTrustedPrincipal(role.trust, CREDENTIALS_PROVIDER_PRINCIPAL, 'Service');
  if (removal.empty)
    return [aliasStep, keep(`it is the role's only principal and IAM refuses an empty trust policy`)];
  return [
    aliasStep,
    removal.changed
      ? { kind: 'trust', roleName, state: 'remove', document: removal.document }
      : { kind: 'trust', roleName, state: 'absent' },
  ];
}

function localSteps(
  state: IotTeardownState,
  input: IotTeardownInput,
  removedCertificates: string[],
): IotTeardownStep[] {
  const steps: IotTeardownStep[] = [];
  if (input.outDir) {
    const base = { kind: 'files', dir: input.outDir, files: state.dirFiles } as const;
    if (state.dirFiles.length === 0) steps.push({ ...base, state: 'absent' });
    else if (!state.dirCertificateId || !removedCertificates.includes(state.dirCertificateId))
      steps.push({ ...base, state: 'kept', reason: 'its certificate is not one teardown removes' });
    else steps.push({ ...base, state: 'remove' });
  }
  if (input.profileName) {
    const keys = Object.keys(state.profile ?? {}).filter(
      (k) => k.startsWith('tempcreds_iot_') || k === 'credential_process',
    );
    steps.push({
      kind: 'profile',
      profile: input.profileName,
      keys,
      state: keys.length ? 'remove' : 'absent',
    });
  }
  return steps;
}

/** What teardown would do. */
export function planIotTeardown(state: IotTeardownState, input: IotTeardownInput): IotTeardownPlan {
  const certificates = certificateSteps(state, input);
  const policy = policyStep(state, input);
  const removed = certificates.flatMap((s) =>
    s.kind === 'certificate' && s.state === 'remove' ? [s.certificateId] : [],
  );
  return {
    accountId: state.accountId,
    partition: state.partition,
    region: state.region,
    steps: [
      ...certificates,
      thingStep(state, input),
      policy,
      ...aliasAndTrustSteps(state, policy),
      ...localSteps(state, input, removed),
    ],
  };
}
