/**
 * `tempcreds iot setup`: observe AWS IoT, IAM and DIR, plan (setupPlan.ts), then apply.
 * Side effects come in through {@link IotSetupDeps}; progress goes out as events, never printed.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { AwsContext } from '../aws/clients.js';
import { iotSdk } from '../aws/sdk.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';
import { writeProfile } from '../config/write.js';
import { TempcredsError } from '../errors.js';
import { createIamClient, getRole, type Iam } from '../iam/iamReads.js';
import { updateTrustPolicy } from '../iam/updateTrust.js';
import { ownRole } from '../iam/roleRef.js';
import { csrPublicKey, sameKey } from './csr.js';
import { certificateIdOf } from './deviceFiles.js';
import {
  checkDeviceDir,
  deviceRecordText,
  readDeviceDir,
  writeDeviceFile,
  DEVICE_FILES,
  type DeviceDirContents,
} from './deviceDir.js';
import {
  createIotClient,
  describeCertificate,
  describeCredentialsEndpoint,
  describeRoleAlias,
  describeThing,
  getIotPolicy,
  listAttachedPolicyNames,
  listPrincipalThings,
  listThingPrincipals,
  mustIot,
  type CertificateInfo,
  type Iot,
} from './iotReads.js';
import { SHADOWING_KEYS } from './profile.js';
import {
  iotStepLabel,
  pendingIotSteps,
  planIotSetup,
  type IotSetupInput,
  type IotSetupPlan,
  type IotSetupState,
  type IotSetupStep,
  type KnownCertificate,
} from './setupPlan.js';

const {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateRoleAliasCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  UpdateCertificateCommand,
  UpdateRoleAliasCommand,
} = iotSdk();

/** What iot setup needs from outside: the administrator's AWS context and the AWS files. */
export interface IotSetupDeps {
  /** Administrator credentials, region and endpoint (AWS IoT and IAM calls). */
  aws: AwsContext;
  /** The AWS files, for the device's profile (`profileName`). */
  files: AwsFiles;
  /** The AWS IoT client (default: one for `aws`). */
  iot?: Iot;
  /** The IAM client, for the role and its trust (default: one for `aws`). */
  iam?: Iam;
  /** Who `aws` is, when already known (default: sts:GetCallerIdentity). */
  admin?: CallerIdentity;
}

/** A step's state after apply: unchanged (`exists`, `differs`) or changed (`created`, `updated`). */
export type IotAppliedState = 'exists' | 'differs' | 'created' | 'updated';

/** Progress of iot setup: the plan once, then each applied step. */
export type IotSetupEvent =
  | { type: 'plan'; plan: IotSetupPlan }
  | { type: 'applied'; step: IotSetupStep; state: IotAppliedState; label: [string, string] };

/** How iot setup runs: only plan, ask before applying, report progress. */
export interface IotSetupOptions {
  /** Observe and plan only: nothing in AWS, DIR or the files changes. */
  dryRun?: boolean;
  /** Asked after the plan when there is something to do; false stops without changes. */
  confirm?: (plan: IotSetupPlan) => Promise<boolean>;
  /** Progress, as it happens (the library never prints). */
  onEvent?: (event: IotSetupEvent) => void;
}

/** The plan, what became of it, each step's final state, and the device's certificate. */
export interface IotSetupResult {
  /** The plan, as made before anything changed. */
  plan: IotSetupPlan;
  /** `nothing-to-do`: every step `exists` (or `differs`); `declined`: `confirm` answered false. */
  outcome: 'dry-run' | 'nothing-to-do' | 'declined' | 'applied';
  /** Each step's final state, in plan order; empty unless `applied`. */
  applied: Array<{ step: IotSetupStep; state: IotAppliedState }>;
  /** The certificate the device uses, once known. */
  certificate?: { certificateId: string; arn: string };
}

const idOfArn = (arn: string) => arn.split('/').pop() ?? '';

/** DIR's certificate in AWS IoT: by the id device.json recorded, among the thing's, or by its AWS id. */
async function findDirCertificate(
  iot: Iot,
  dir: DeviceDirContents,
  thingPrincipals: string[],
): Promise<CertificateInfo | undefined> {
  if (!dir.certificate) return undefined;
  let raw: Buffer;
  try {
    raw = new X509Certificate(dir.certificate).raw;
  } catch {
    throw new TempcredsError(`${DEVICE_FILES.certificate} in --out is not a PEM certificate.`, {
      kind: 'usage',
      fix: 'Remove it, or use another --out.',
    });
  }
  const ids = [
    dir.device?.certificateId,
    ...thingPrincipals.filter((p) => p.includes(':cert/')).map(idOfArn),
    certificateIdOf(dir.certificate),
  ].filter((id, i, all): id is string => !!id && all.indexOf(id) === i);
  for (const id of ids) {
    const info = await describeCertificate(iot, id);
    if (info?.pem && new X509Certificate(info.pem).raw.equals(raw)) return info;
  }
  return undefined;
}

async function knownCertificate(
  iot: Iot,
  info: CertificateInfo | undefined,
): Promise<KnownCertificate | undefined> {
  if (!info) return undefined;
  const [things, policies] = await Promise.all([
    listPrincipalThings(iot, info.arn),
    listAttachedPolicyNames(iot, info.arn),
  ]);
  return { ...info, things, policies };
}

function keyMatches(dir: DeviceDirContents): boolean {
  if (!dir.certificate || !dir.privateKey) return false;
  try {
    return new X509Certificate(dir.certificate).checkPrivateKey(createPrivateKey(dir.privateKey));
  } catch {
    return false;
  }
}

/** Reads everything the plan depends on. Changes nothing. */
export async function observeIotSetup(input: IotSetupInput, deps: IotSetupDeps): Promise<IotSetupState> {
  const iot = deps.iot ?? createIotClient(deps.aws);
  const iam = deps.iam ?? createIamClient(deps.aws);
  const admin = deps.admin ?? (await getCallerIdentity(createStsClient(deps.aws)));
  const account = { accountId: admin.account, partition: admin.partition };
  const { roleName } = ownRole(input.role, account);
  await checkDeviceDir(input.outDir);
  const [endpoint, thing, dir, policy, roleAlias, role, profile] = await Promise.all([
    describeCredentialsEndpoint(iot),
    describeThing(iot, input.thingName),
    readDeviceDir(input.outDir),
    getIotPolicy(iot, input.policyName),
    describeRoleAlias(iot, input.roleAlias),
    getRole(iam, roleName),
    input.profileName ? readProfile(deps.files, input.profileName) : undefined,
  ]);
  const principals = thing ? ((await listThingPrincipals(iot, input.thingName)) ?? []) : [];
  const certificate = await knownCertificate(iot, await findDirCertificate(iot, dir, principals));
  const csr = input.certificate.kind === 'csr' ? input.certificate : undefined;
  return {
    ...account,
    region: deps.aws.region,
    endpoint,
    thing: thing && { arn: thing.arn, principals },
    dir,
    certificate,
    certificateMatchesCsr:
      csr && dir.certificate
        ? sameKey(new X509Certificate(dir.certificate).publicKey, csrPublicKey(csr.csrPem, csr.file))
        : undefined,
    keyMatchesCertificate:
      input.certificate.kind === 'createKeys' && dir.certificate ? keyMatches(dir) : undefined,
    policy,
    roleAlias,
    role: role && {
      arn: role.arn,
      name: role.name,
      trust: role.trust,
      maxSessionDuration: role.maxSessionDuration,
    },
    profile: profile?.settings,
  };
}

/** What apply learns on the way (a certificate made here) for the steps after it. */
interface ApplyContext {
  certificate?: { certificateId: string; arn: string; pem: string };
  privateKey?: string;
}

async function createCertificate(input: IotSetupInput, iot: Iot, ctx: ApplyContext): Promise<void> {
  if (input.certificate.kind === 'csr') {
    const csr = input.certificate.csrPem;
    const out = await mustIot('CreateCertificateFromCsr', () =>
      iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: true })),
    );
    ctx.certificate = {
      certificateId: out.certificateId ?? '',
      arn: out.certificateArn ?? '',
      pem: out.certificatePem ?? '',
    };
    return;
  }
  const out = await mustIot('CreateKeysAndCertificate', () =>
    iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
  );
  ctx.certificate = {
    certificateId: out.certificateId ?? '',
    arn: out.certificateArn ?? '',
    pem: out.certificatePem ?? '',
  };
  ctx.privateKey = out.keyPair?.PrivateKey ?? '';
}

/** A certificate whose key could not be saved is only a liability: take it back. */
async function withdrawCertificate(iot: Iot, certificateId: string): Promise<void> {
  await iot
    .send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }))
    .catch(() => undefined);
  await iot.send(new DeleteCertificateCommand({ certificateId })).catch(() => undefined);
}

async function writeFileStep(
  step: Extract<IotSetupStep, { kind: 'file' }>,
  input: IotSetupInput,
  plan: IotSetupPlan,
  ctx: ApplyContext,
  iot: Iot,
): Promise<void> {
  const cert = ctx.certificate!;
  switch (step.file) {
    case 'privateKey':
      try {
        await writeDeviceFile(input.outDir, 'privateKey', ctx.privateKey ?? '');
      } catch (err) {
        await withdrawCertificate(iot, cert.certificateId);
        throw err;
      }
      return;
    case 'certificate':
      await writeDeviceFile(input.outDir, 'certificate', cert.pem);
      return;
    case 'ca':
      await writeDeviceFile(input.outDir, 'ca', input.caPem);
      return;
    case 'device':
      await writeDeviceFile(
        input.outDir,
        'device',
        deviceRecordText({
          ...plan.device,
          certificateId: cert.certificateId,
          certificateArn: cert.arn,
          certificateFile: DEVICE_FILES.certificate,
          privateKeyFile: input.certificate.kind === 'csr' ? input.privateKeyFile : DEVICE_FILES.privateKey,
          caFile: DEVICE_FILES.ca,
        }),
      );
  }
}

interface Clients {
  iot: Iot;
  iam: Iam;
}

/** One step, by its kind: one short case each, which reads better as one switch than as nine functions. */
async function applyStep(
  step: IotSetupStep,
  input: IotSetupInput,
  plan: IotSetupPlan,
  ctx: ApplyContext,
  deps: IotSetupDeps,
  { iot, iam }: Clients,
): Promise<IotAppliedState> {
  if (step.state === 'exists' || step.state === 'differs') return step.state;
  const cert = () => ctx.certificate!;
  switch (step.kind) {
    case 'thing':
      await mustIot(`CreateThing ${step.thingName}`, () =>
        iot.send(new CreateThingCommand({ thingName: step.thingName })),
      );
      break;
    case 'certificate':
      if (step.state === 'create') await createCertificate(input, iot, ctx);
      else
        await mustIot(`UpdateCertificate ${cert().certificateId}`, () =>
          iot.send(
            new UpdateCertificateCommand({ certificateId: cert().certificateId, newStatus: 'ACTIVE' }),
          ),
        );
      break;
    case 'file':
      await writeFileStep(step, input, plan, ctx, iot);
      break;
    case 'policy':
      await mustIot(`CreatePolicy ${step.policyName}`, () =>
        iot.send(
          new CreatePolicyCommand({
            policyName: step.policyName,
            policyDocument: JSON.stringify(step.document),
          }),
        ),
      );
      break;
    case 'policyAttachment':
      await mustIot(`AttachPolicy ${step.policyName}`, () =>
        iot.send(new AttachPolicyCommand({ policyName: step.policyName, target: cert().arn })),
      );
      break;
    case 'thingAttachment':
      await mustIot(`AttachThingPrincipal ${step.thingName}`, () =>
        iot.send(new AttachThingPrincipalCommand({ thingName: step.thingName, principal: cert().arn })),
      );
      break;
    case 'trust':
      await updateTrustPolicy(iam, step.roleName, step.document);
      break;
    case 'roleAlias': {
      const params = { roleAlias: step.roleAlias, credentialDurationSeconds: step.credentialDurationSeconds };
      await mustIot(`${step.state === 'create' ? 'Create' : 'Update'}RoleAlias ${step.roleAlias}`, () =>
        step.state === 'create'
          ? iot.send(new CreateRoleAliasCommand({ ...params, roleArn: step.roleArn }))
          : iot.send(new UpdateRoleAliasCommand(params)),
      );
      break;
    }
    case 'profile':
      await writeProfile(deps.files, step.profile, { config: step.settings, credentials: SHADOWING_KEYS });
      break;
  }
  return step.state === 'create' ? 'created' : 'updated';
}

/** Applies the plan in order; a failure stops it and says which step and what was done before. */
export async function applyIotSetup(
  plan: IotSetupPlan,
  input: IotSetupInput,
  state: Pick<IotSetupState, 'certificate'>,
  deps: IotSetupDeps,
  onEvent?: (event: IotSetupEvent) => void,
): Promise<{ applied: IotSetupResult['applied']; certificate?: IotSetupResult['certificate'] }> {
  const clients = { iot: deps.iot ?? createIotClient(deps.aws), iam: deps.iam ?? createIamClient(deps.aws) };
  const known = state.certificate;
  const ctx: ApplyContext = {
    certificate: known && { certificateId: known.certificateId, arn: known.arn, pem: known.pem },
  };
  const applied: IotSetupResult['applied'] = [];
  for (const step of plan.steps) {
    let result: IotAppliedState;
    try {
      result = await applyStep(step, input, plan, ctx, deps, clients);
    } catch (err) {
      const done = applied
        .filter((a) => a.state === 'created' || a.state === 'updated')
        .map((a) => iotStepLabel(a.step).join(' '));
      const failure =
        err instanceof TempcredsError ? err : new TempcredsError(String(err), { kind: 'failed', cause: err });
      throw new TempcredsError(
        `iot setup stopped at ${iotStepLabel(step).join(' ')}: ${failure.message} ${done.length ? `(done before it: ${done.join('; ')})` : '(nothing was changed before it)'}`,
        {
          kind: failure.kind,
          awsCode: failure.awsCode,
          fix: failure.fix ?? 'Fix the cause and run iot setup again: it continues where it stopped.',
          cause: err,
        },
      );
    }
    applied.push({ step, state: result });
    onEvent?.({ type: 'applied', step, state: result, label: iotStepLabel(step) });
  }
  const c = ctx.certificate;
  return { applied, certificate: c && { certificateId: c.certificateId, arn: c.arn } };
}

/** Observe, plan, (confirm,) apply: the whole of `tempcreds iot setup`. */
export async function iotSetup(
  input: IotSetupInput,
  deps: IotSetupDeps,
  options: IotSetupOptions = {},
): Promise<IotSetupResult> {
  const state = await observeIotSetup(input, deps);
  const plan = planIotSetup(state, input);
  const certificate = state.certificate && {
    certificateId: state.certificate.certificateId,
    arn: state.certificate.arn,
  };
  options.onEvent?.({ type: 'plan', plan });
  if (options.dryRun) return { plan, outcome: 'dry-run', applied: [], certificate };
  if (pendingIotSteps(plan).length === 0) return { plan, outcome: 'nothing-to-do', applied: [], certificate };
  if (options.confirm && !(await options.confirm(plan)))
    return { plan, outcome: 'declined', applied: [], certificate };
  const done = await applyIotSetup(plan, input, state, deps, options.onEvent);
  return { plan, outcome: 'applied', ...done };
}
