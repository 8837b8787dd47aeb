/**
 * The plan of `tempcreds iot setup`: a pure function from what AWS IoT, IAM and DIR hold now to
 * the steps that give a device a certificate whose only power is to get sessions of one role
 * through one role alias. It refuses (before anything is changed) what AWS would refuse later:
 * a duration longer than the role allows, an alias of another role, a certificate in DIR that
 * AWS no longer accepts.
 */
import { join } from 'node:path';
import type { Partition } from '../aws/partition.js';
import { dnsSuffix } from '../aws/partition.js';
import { TempcredsError, usageError } from '../errors.js';
import { sameDocument, type RawPolicyDocument } from '../iam/policyDocument.js';
import { ownRole } from '../iam/roleRef.js';
import { addTrustedPrincipal } from '../iam/trustMerge.js';
import { DEVICE_FILES, deviceRecordText, type DeviceDirContents, type DeviceRecord } from './deviceDir.js';
import {
  assumeWithCertificatePolicy,
  CREDENTIALS_PROVIDER_PRINCIPAL,
  evaluateAliasPermission,
  roleAliasArn,
} from './iotPolicy.js';
import type { CertificateInfo, IotPolicyInfo, RoleAliasInfo } from './iotReads.js';
import { iotProfileSettings, SHADOWING_KEYS } from './profile.js';

export const MIN_CREDENTIAL_DURATION = 900;
export const MAX_CREDENTIAL_DURATION = 43_200;

/** Where the device's certificate comes from. */
export type CertificateSource =
  | { kind: 'csr'; csrPem: string; file: string }
  | { kind: 'createKeys' }
  /** Neither flag: DIR must already hold one (a second run). */
  | { kind: 'dir' };

/** `iot setup`'s input, already valid (see the CLI's parser). */
export interface IotSetupInput {
  /** The AWS IoT thing the device is (created when missing); its certificate is attached to it. */
  thingName: string;
  /** Role name or ARN. */
  role: string;
  /** The role alias the device asks for (created, or pointed at `role`). */
  roleAlias: string;
  /** The IoT policy allowing iot:AssumeRoleWithCertificate on that alias and nothing else. */
  policyName: string;
  /** Where the certificate comes from: a CSR, a key pair AWS IoT makes, or DIR. */
  certificate: CertificateSource;
  /** Absolute. */
  outDir: string;
  /** The role alias's session length in seconds (900 to 43200, and at most the role's MaxSessionDuration). */
  credentialDurationSeconds: number;
  /** Write this profile (credential_process + the IoT settings) too. */
  profileName?: string;
  /** With `--csr`: where the device keeps the key (for the profile); default DIR/private.pem.key. */
  privateKeyFile?: string;
  /** The CA bundle to write to DIR (default: the embedded Amazon roots). */
  caPem: string;
  /** How AWS tools start tempcreds, absolute paths (node, then the launcher), for credential_process. */
  launcher: string[];
}

/** DIR's certificate as AWS IoT knows it. */
export interface KnownCertificate extends CertificateInfo {
  /** The things it is attached to. */
  things: string[];
  /** The names of the IoT policies attached to it. */
  policies: string[];
}

/** What iot setup observed. */
export interface IotSetupState {
  /** The administrator's account: everything is made there. */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The region of the IoT calls and of the endpoint. */
  region: string;
  /** DescribeEndpoint iot:CredentialProvider. */
  endpoint: string;
  /** The thing and its principals (certificate ARNs); undefined when there is no such thing. */
  thing?: { arn: string; principals: string[] };
  /** What DIR holds now. */
  dir: DeviceDirContents;
  /** DIR's certificate in AWS IoT; undefined when DIR has none or AWS does not know it. */
  certificate?: KnownCertificate;
  /** With --csr and a certificate in DIR: it certifies the CSR's key. */
  certificateMatchesCsr?: boolean;
  /** With --create-keys and a certificate in DIR: DIR's private key is its key. */
  keyMatchesCertificate?: boolean;
  /** The IoT policy; undefined when there is none of that name. */
  policy?: IotPolicyInfo;
  /** The role alias; undefined when there is none of that name. */
  roleAlias?: RoleAliasInfo;
  /** The role, its trust policy and MaxSessionDuration (seconds); undefined when there is no such role. */
  role?: { arn: string; name: string; trust: RawPolicyDocument; maxSessionDuration: number };
  /** The profile's current settings, when `profileName` is given and it exists. */
  profile?: Record<string, string>;
}

/** A step's state in the plan: `create`/`update` change something; `exists`/`differs` do not. */
export type IotPlanState = 'exists' | 'create' | 'update' | 'differs';

/** What every {@link IotSetupStep} has. */
export interface IotSetupStepBase {
  /** What the step will do, or that it need not. */
  state: IotPlanState;
}

/** One line of the plan: what, in which state, and what apply needs for it. */
export type IotSetupStep =
  | (IotSetupStepBase & { kind: 'thing'; thingName: string })
  | (IotSetupStepBase & { kind: 'certificate'; source: CertificateSource['kind']; certificateId?: string })
  | (IotSetupStepBase & { kind: 'policy'; policyName: string; document: RawPolicyDocument; aliasArn: string })
  | (IotSetupStepBase & { kind: 'policyAttachment'; policyName: string })
  | (IotSetupStepBase & { kind: 'thingAttachment'; thingName: string })
  | (IotSetupStepBase & { kind: 'trust'; roleName: string; document: RawPolicyDocument })
  | (IotSetupStepBase & {
      kind: 'roleAlias';
      roleAlias: string;
      roleArn: string;
      credentialDurationSeconds: number;
      from?: number;
    })
  | (IotSetupStepBase & {
      kind: 'file';
      file: 'certificate' | 'privateKey' | 'ca' | 'device';
      path: string;
      content?: string;
    })
  | (IotSetupStepBase & { kind: 'profile'; profile: string; settings: Record<string, string | null> });

/** The plan of iot setup: where (account, partition, region, endpoint), its steps and notes, and the device's profile. */
export interface IotSetupPlan {
  /** The account everything is made in (the administrator's). */
  accountId: string;
  /** That account's partition. */
  partition: Partition;
  /** The region of the thing, certificate, policy, alias and endpoint. */
  region: string;
  /** The account's `iot:CredentialProvider` endpoint in that region (DescribeEndpoint). */
  endpoint: string;
  /** The role's ARN. */
  roleArn: string;
  /** The role's name, without its path. */
  roleName: string;
  /** The role alias's ARN: the only resource the IoT policy allows. */
  aliasArn: string;
  /** Every step in order, including those already done (`exists`). */
  steps: IotSetupStep[];
  /** Things setup will not change but the user should know, one line each. */
  notes: string[];
  /** What the device's profile holds (paths absolute). */
  device: Required<Omit<DeviceRecord, 'certificateId' | 'certificateArn'>>;
}

/** The steps that change something. */
export function pendingIotSteps(plan: IotSetupPlan): IotSetupStep[] {
  return plan.steps.filter((s) => s.state === 'create' || s.state === 'update');
}

/** `[what, which]` of a step, e.g. `['thing', 'collector-0001']`, for one line of output. */
export function iotStepLabel(step: IotSetupStep): [string, string] {
  switch (step.kind) {
    case 'thing':
      return ['thing', step.thingName];
    case 'certificate':
      return [
        'certificate',
        step.certificateId ??
          (step.source === 'csr' ? 'from the CSR (the key stays on the device)' : 'with a new key pair'),
      ];
    case 'policy':
      return ['IoT policy', `${step.policyName}: iot:AssumeRoleWithCertificate on ${step.aliasArn}`];
    case 'policyAttachment':
      return ['attachment', `IoT policy ${step.policyName} -> certificate`];
    case 'thingAttachment':
      return ['attachment', `certificate -> thing ${step.thingName}`];
    case 'trust':
      return ['trust', `role ${step.roleName} trusts ${CREDENTIALS_PROVIDER_PRINCIPAL}`];
    case 'roleAlias':
      return [
        'role alias',
        `${step.roleAlias} -> ${step.roleArn}, ${step.from !== undefined ? `${step.from} -> ` : ''}${step.credentialDurationSeconds} s`,
      ];
    case 'file':
      return ['file', step.path];
    case 'profile':
      return ['profile', step.profile];
  }
}

function certificateStep(input: IotSetupInput, state: IotSetupState): IotSetupStep {
  const source = input.certificate.kind;
  const dirCert = join(input.outDir, DEVICE_FILES.certificate);
  if (state.dir.certificate === undefined) {
    if (source === 'dir') {
      throw usageError(
        `--out ${input.outDir} holds no ${DEVICE_FILES.certificate}: there is no certificate to set up.`,
        'Pass --csr FILE (the device made its key) or --create-keys (AWS IoT makes the key pair).',
      );
    }
    return { kind: 'certificate', state: 'create', source };
  }
  if (source === 'csr' && state.certificateMatchesCsr === false) {
    throw usageError(
      `${dirCert} certifies another key than ${input.certificate.kind === 'csr' ? input.certificate.file : 'the CSR'}.`,
      'Use another --out for this device, or remove the certificate there first.',
    );
  }
  if (source === 'createKeys' && state.keyMatchesCertificate === false) {
    throw usageError(
      `${join(input.outDir, DEVICE_FILES.privateKey)} is missing or not the key of ${dirCert}.`,
      'Use another --out, or pass --csr with the device’s CSR.',
    );
  }
  const cert = state.certificate;
  if (!cert) {
    throw new TempcredsError(
      `${dirCert} is not registered in AWS IoT (account ${state.accountId}, ${state.region}).`,
      {
        kind: 'aws',
        awsCode: 'ResourceNotFoundException',
        fix: 'Use another --out for a new certificate, or remove that file.',
      },
    );
  }
  if (cert.status === 'ACTIVE')
    return { kind: 'certificate', state: 'exists', source, certificateId: cert.certificateId };
  if (cert.status === 'INACTIVE')
    return { kind: 'certificate', state: 'update', source, certificateId: cert.certificateId };
  throw new TempcredsError(
    `Certificate ${cert.certificateId} in ${dirCert} is ${cert.status}: AWS IoT will not accept it again.`,
    {
      kind: 'aws',
      fix: `Issue a new one into another --out (or remove ${dirCert}): --csr FILE or --create-keys.`,
    },
  );
}

function policyStep(
  input: IotSetupInput,
  state: IotSetupState,
  aliasArn: string,
  notes: string[],
): IotSetupStep {
  const wanted = assumeWithCertificatePolicy(aliasArn);
  const base = { kind: 'policy', policyName: input.policyName, aliasArn } as const;
  if (!state.policy) return { ...base, state: 'create', document: wanted };
  if (sameDocument(state.policy.document, wanted)) return { ...base, state: 'exists', document: wanted };
  const allows =
    evaluateAliasPermission([{ name: input.policyName, document: state.policy.document }], aliasArn)
      .decision === 'allow';
  if (!allows) {
    throw usageError(
      `IoT policy ${input.policyName} exists with another document, which does not allow iot:AssumeRoleWithCertificate on ${aliasArn}.`,
      'Use another --policy (setup makes it), or add that permission to the policy yourself.',
    );
  }
  notes.push(
    `IoT policy ${input.policyName} has another document than setup's; it allows the alias and is left as it is.`,
  );
  return { ...base, state: 'differs', document: state.policy.document };
}

function roleSteps(input: IotSetupInput, state: IotSetupState): IotSetupStep[] {
  const role = state.role;
  const placed = ownRole(input.role, { accountId: state.accountId, partition: state.partition });
  if (!role) {
    throw new TempcredsError(`Role ${placed.roleName} does not exist in account ${state.accountId}.`, {
      kind: 'aws',
      awsCode: 'NoSuchEntity',
      fix: `Check the name (aws iam get-role --role-name ${placed.roleName}); iot setup gives an existing role to devices.`,
    });
  }
  if (input.credentialDurationSeconds > role.maxSessionDuration) {
    const raise =
      input.credentialDurationSeconds <= MAX_CREDENTIAL_DURATION && input.credentialDurationSeconds >= 3600;
    throw usageError(
      `--credential-duration ${input.credentialDurationSeconds} is longer than role ${role.name} allows (MaxSessionDuration ${role.maxSessionDuration}): AWS would refuse every credentials request.`,
      raise
        ? `Raise the role's limit: tempcreds role set-max-duration ${role.name} ${input.credentialDurationSeconds} (administrator), or pass --credential-duration ${role.maxSessionDuration}.`
        : `Pass --credential-duration ${role.maxSessionDuration} or less.`,
    );
  }
  const merged = addTrustedPrincipal(role.trust, CREDENTIALS_PROVIDER_PRINCIPAL, 'Service');
  const alias = state.roleAlias;
  if (alias && alias.roleArn !== role.arn) {
    throw usageError(
      `Role alias ${input.roleAlias} points at ${alias.roleArn}, not at ${role.arn}: other devices may rely on it.`,
      `Use another --role-alias, or repoint it yourself: aws iot update-role-alias --role-alias ${input.roleAlias} --role-arn ${role.arn}`,
    );
  }
  const aliasStep: IotSetupStep = {
    kind: 'roleAlias',
    state: !alias
      ? 'create'
      : alias.credentialDurationSeconds === input.credentialDurationSeconds
        ? 'exists'
        : 'update',
    roleAlias: input.roleAlias,
    roleArn: role.arn,
    credentialDurationSeconds: input.credentialDurationSeconds,
    from:
      alias && alias.credentialDurationSeconds !== input.credentialDurationSeconds
        ? alias.credentialDurationSeconds
        : undefined,
  };
  return [
    {
      kind: 'trust',
      state: merged.changed ? 'update' : 'exists',
      roleName: role.name,
      document: merged.document,
    },
    aliasStep,
  ];
}

function fileStep(
  kind: 'certificate' | 'privateKey' | 'ca' | 'device',
  dir: string,
  current: string | undefined,
  wanted: string | undefined,
): IotSetupStep {
  const path = join(dir, DEVICE_FILES[kind]);
  const state: IotPlanState =
    current === undefined ? 'create' : wanted === undefined || current === wanted ? 'exists' : 'update';
  return { kind: 'file', file: kind, path, content: wanted, state };
}

/** device.json: rewritten whenever the certificate is new, else compared with what it should record. */
function deviceFileStep(
  input: IotSetupInput,
  state: IotSetupState,
  record: DeviceRecord | undefined,
  newCertificate: boolean,
): IotSetupStep {
  const current = state.dir.device && deviceRecordText(state.dir.device);
  const step = fileStep('device', input.outDir, current, record && deviceRecordText(record));
  return newCertificate && current !== undefined ? { ...step, state: 'update' } : step;
}

/** The device's profile (absolute paths), and what device.json records once the certificate is known. */
function deviceOf(
  input: IotSetupInput,
  state: IotSetupState,
): { device: IotSetupPlan['device']; record?: DeviceRecord } {
  const csr = input.certificate.kind === 'csr';
  const device = {
    endpoint: state.endpoint,
    region: state.region,
    roleAlias: input.roleAlias,
    thingName: input.thingName,
    certificateFile: join(input.outDir, DEVICE_FILES.certificate),
    privateKeyFile: (csr && input.privateKeyFile) || join(input.outDir, DEVICE_FILES.privateKey),
    caFile: join(input.outDir, DEVICE_FILES.ca),
  };
  const known = state.certificate;
  const record: DeviceRecord | undefined = known && {
    ...device,
    certificateId: known.certificateId,
    certificateArn: known.arn,
    certificateFile: DEVICE_FILES.certificate,
    privateKeyFile: csr ? input.privateKeyFile : DEVICE_FILES.privateKey,
    caFile: DEVICE_FILES.ca,
  };
  return { device, record };
}

/** What setup leaves alone or found odd, for the user to know. */
function planNotes(input: IotSetupInput, state: IotSetupState, device: IotSetupPlan['device']): string[] {
  const notes: string[] = [];
  const others = (state.thing?.principals ?? []).filter((arn) => arn !== state.certificate?.arn);
  if (others.length > 0)
    notes.push(
      `Thing ${input.thingName} also has ${others.join(', ')} attached; setup leaves ${others.length > 1 ? 'them' : 'it'} alone.`,
    );
  if (!state.endpoint.endsWith(`.${dnsSuffix(state.partition)}`))
    notes.push(
      `AWS answered endpoint ${state.endpoint}, outside ${dnsSuffix(state.partition)} (the ${state.partition} partition's domain).`,
    );
  if (input.certificate.kind === 'csr' && !input.privateKeyFile)
    notes.push(
      `The device keeps the CSR's private key; the profile expects it at ${device.privateKeyFile} (or pass --key FILE).`,
    );
  return notes;
}

/** The plan. Throws (nothing changed) when setup cannot succeed or AWS would refuse the result. */
export function planIotSetup(state: IotSetupState, input: IotSetupInput): IotSetupPlan {
  const { roleName, roleArn } = ownRole(input.role, {
    accountId: state.accountId,
    partition: state.partition,
  });
  const aliasArn = roleAliasArn(state.partition, state.region, state.accountId, input.roleAlias);
  const cert = certificateStep(input, state);
  const known = state.certificate;
  const { device, record } = deviceOf(input, state);
  const notes = planNotes(input, state, device);
  const createdKeys = input.certificate.kind === 'createKeys' && cert.state === 'create';
  const steps: IotSetupStep[] = [
    { kind: 'thing', state: state.thing ? 'exists' : 'create', thingName: input.thingName },
    cert,
    ...(createdKeys ? [fileStep('privateKey', input.outDir, undefined, undefined)] : []),
    fileStep('certificate', input.outDir, state.dir.certificate, undefined),
    policyStep(input, state, aliasArn, notes),
    {
      kind: 'policyAttachment',
      state: known?.policies.includes(input.policyName) ? 'exists' : 'create',
      policyName: input.policyName,
    },
    {
      kind: 'thingAttachment',
      state: known?.things.includes(input.thingName) ? 'exists' : 'create',
      thingName: input.thingName,
    },
    ...roleSteps(input, state),
    fileStep('ca', input.outDir, state.dir.ca, input.caPem),
    deviceFileStep(input, state, record, cert.state === 'create'),
  ];
  if (input.profileName) {
    const settings = iotProfileSettings(input.profileName, device, input.launcher);
    const profileStep = { kind: 'profile', profile: input.profileName, settings } as const;
    steps.push({ ...profileStep, state: profileState(state.profile, settings) });
  }
  const where = { accountId: state.accountId, partition: state.partition, region: state.region };
  return {
    ...where,
    endpoint: state.endpoint,
    roleArn: state.role?.arn ?? roleArn,
    roleName,
    aliasArn,
    steps,
    notes,
    device,
  };
}

/** exists: every setting as wanted, none of another kind of profile left (nor keys in the credentials file). */
function profileState(
  current: Record<string, string> | undefined,
  wanted: Record<string, string | null>,
): IotPlanState {
  if (!current) return 'create';
  const shadowed = Object.keys(SHADOWING_KEYS).some((key) => current[key] !== undefined);
  const same = Object.entries(wanted).every(([key, value]) =>
    value === null ? current[key] === undefined : current[key] === value,
  );
  return same && !shadowed ? 'exists' : 'update';
}
