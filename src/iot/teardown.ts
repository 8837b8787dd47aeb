/** `tempcreds iot teardown`: observe, plan (teardownPlan.ts), remove in order. */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsContext } from '../aws/clients.js';
import { iotSdk } from '../aws/sdk.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';
import { writeProfile } from '../config/write.js';
import { createIamClient, getRole, type Iam } from '../iam/iamReads.js';
import { updateTrustPolicy } from '../iam/updateTrust.js';
import { DEVICE_FILES, readDeviceDir } from './deviceDir.js';
import { aliasOfSetupPolicy, roleAliasArn } from './iotPolicy.js';
import {
  createIotClient,
  describeCertificate,
  describeRoleAlias,
  getIotPolicy,
  listAttachedPolicyNames,
  listPolicyTargets,
  listPrincipalThings,
  listRoleAliases,
  listThingPrincipals,
  mustIot,
  type Iot,
} from './iotReads.js';
import {
  planIotTeardown,
  type IotTeardownInput,
  type IotTeardownPlan,
  type IotTeardownState,
  type IotTeardownStep,
  type ThingCertificate,
} from './teardownPlan.js';

const {
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleAliasCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListPolicyVersionsCommand,
  UpdateCertificateCommand,
} = iotSdk();

/** What iot teardown needs from outside: the administrator's AWS context and the AWS files. */
export interface IotTeardownDeps {
  /** Administrator credentials, region and endpoint (AWS IoT and IAM calls). */
  aws: AwsContext;
  /** The AWS files, for the device's profile (`profileName`). */
  files: AwsFiles;
  /** The AWS IoT client (default: one for `aws`). */
  iot?: Iot;
  /** The IAM client, for the role's trust (default: one for `aws`). */
  iam?: Iam;
  /** Who `aws` is, when already known (default: sts:GetCallerIdentity). */
  admin?: CallerIdentity;
}

async function thingCertificates(iot: Iot, thingName: string): Promise<ThingCertificate[] | undefined> {
  const principals = await listThingPrincipals(iot, thingName);
  if (!principals) return undefined;
  const certificates: ThingCertificate[] = [];
  for (const arn of principals.filter((p) => p.includes(':cert/'))) {
    const info = await describeCertificate(iot, arn.split('/').pop() ?? '');
    const [things, policies] = await Promise.all([
      listPrincipalThings(iot, arn),
      listAttachedPolicyNames(iot, arn),
    ]);
    certificates.push({
      arn,
      certificateId: info?.certificateId ?? arn.split('/').pop() ?? '',
      status: info?.status ?? '',
      things,
      policies,
    });
  }
  return certificates;
}

/** Setup's policy: the one named, else the first of setup's shape on the thing's certificates (for the alias, when named). */
async function findPolicy(iot: Iot, input: IotTeardownInput, certificates: ThingCertificate[]) {
  const names = input.policyName ? [input.policyName] : [...new Set(certificates.flatMap((c) => c.policies))];
  for (const name of names) {
    const policy = await getIotPolicy(iot, name);
    if (!policy) continue;
    const alias = aliasOfSetupPolicy(policy.document);
    if (!input.policyName && (!alias || (input.roleAlias && alias !== input.roleAlias))) continue;
    return { policy, alias };
  }
  return undefined;
}

async function otherAliasesOf(iot: Iot, roleArn: string, alias: string): Promise<string[]> {
  const others: string[] = [];
  for (const name of await listRoleAliases(iot)) {
    if (name === alias) continue;
    if ((await describeRoleAlias(iot, name))?.roleArn === roleArn) others.push(name);
  }
  return others;
}

/** Reads everything the teardown plan depends on: the thing's certificates, setup's policy, alias and role, DIR and the profile. Changes nothing. */
export async function observeIotTeardown(
  input: IotTeardownInput,
  deps: IotTeardownDeps,
): Promise<IotTeardownState> {
  const iot = deps.iot ?? createIotClient(deps.aws);
  const iam = deps.iam ?? createIamClient(deps.aws);
  const admin = deps.admin ?? (await getCallerIdentity(createStsClient(deps.aws)));
  const region = deps.aws.region;
  const certificates = await thingCertificates(iot, input.thingName);
  const found = await findPolicy(iot, input, certificates ?? []);
  const aliasName = input.roleAlias ?? found?.alias;
  const roleAlias = aliasName ? await describeRoleAlias(iot, aliasName) : undefined;
  const role = roleAlias ? await getRole(iam, roleAlias.roleArn.split('/').pop() ?? '') : undefined;
  const dir = input.outDir ? await readDeviceDir(input.outDir) : undefined;
  const dirFiles = input.outDir
    ? (await readdir(input.outDir).catch(() => [] as string[])).filter((f) =>
        (Object.values(DEVICE_FILES) as string[]).includes(f),
      )
    : [];
  return {
    accountId: admin.account,
    partition: admin.partition,
    region,
    thing: certificates && { certificates },
    policy: found && {
      name: found.policy.name,
      document: found.policy.document,
      targets: await listPolicyTargets(iot, found.policy.name),
      aliasArn: found.alias && roleAliasArn(admin.partition, region, admin.account, found.alias),
    },
    roleAlias: roleAlias && { name: roleAlias.roleAlias, arn: roleAlias.arn, roleArn: roleAlias.roleArn },
    role: role && { name: role.name, trust: role.trust },
    otherAliasesOfRole: roleAlias ? await otherAliasesOf(iot, roleAlias.roleArn, roleAlias.roleAlias) : [],
    dirCertificateId: dir?.device?.certificateId,
    dirFiles,
    profile: input.profileName ? (await readProfile(deps.files, input.profileName))?.settings : undefined,
  };
}

async function deletePolicy(iot: Iot, policyName: string): Promise<void> {
  // AWS refuses to delete a policy that has versions other than the default.
  const versions = await mustIot(`ListPolicyVersions ${policyName}`, () =>
    iot.send(new ListPolicyVersionsCommand({ policyName })),
  );
  for (const v of versions.policyVersions ?? []) {
    if (v.isDefaultVersion || !v.versionId) continue;
    await mustIot(`DeletePolicyVersion ${policyName} ${v.versionId}`, () =>
      iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: v.versionId })),
    );
  }
  await mustIot(`DeletePolicy ${policyName}`, () => iot.send(new DeletePolicyCommand({ policyName })));
}

async function removeLocalFiles(dir: string, files: string[]): Promise<void> {
  for (const file of files) await rm(join(dir, file), { force: true });
  // The directory goes only when nothing else is in it.
  await rmdir(dir).catch(() => undefined);
}

async function removeStep(step: IotTeardownStep, deps: IotTeardownDeps, iot: Iot, iam: Iam): Promise<void> {
  switch (step.kind) {
    case 'policyAttachment':
      await mustIot(`DetachPolicy ${step.policyName}`, () =>
        iot.send(new DetachPolicyCommand({ policyName: step.policyName, target: step.certificateArn })),
      );
      return;
    case 'thingAttachment':
      await mustIot(`DetachThingPrincipal ${step.thingName}`, () =>
        iot.send(
          new DetachThingPrincipalCommand({ thingName: step.thingName, principal: step.certificateArn }),
        ),
      );
      return;
    case 'certificate':
      // AWS deletes only a certificate that is not ACTIVE.
      if (step.status === 'ACTIVE')
        await mustIot(`UpdateCertificate ${step.certificateId}`, () =>
          iot.send(
            new UpdateCertificateCommand({ certificateId: step.certificateId, newStatus: 'INACTIVE' }),
          ),
        );
      await mustIot(`DeleteCertificate ${step.certificateId}`, () =>
        iot.send(new DeleteCertificateCommand({ certificateId: step.certificateId })),
      );
      return;
    case 'thing':
      await mustIot(`DeleteThing ${step.thingName}`, () =>
        iot.send(new DeleteThingCommand({ thingName: step.thingName })),
      );
      return;
    case 'policy':
      await deletePolicy(iot, step.policyName);
      return;
    case 'roleAlias':
      await mustIot(`DeleteRoleAlias ${step.roleAlias}`, () =>
        iot.send(new DeleteRoleAliasCommand({ roleAlias: step.roleAlias })),
      );
      return;
    case 'trust':
      await updateTrustPolicy(iam, step.roleName, step.document!);
      return;
    case 'files':
      await removeLocalFiles(step.dir, step.files);
      return;
    case 'profile':
      await writeProfile(deps.files, step.profile, {
        config: Object.fromEntries([...step.keys, 'region'].map((k) => [k, null])),
      });
  }
}

/** Removes, in plan order (attachments first, the trust last), what the plan marks `remove`. */
export async function applyIotTeardown(
  plan: IotTeardownPlan,
  deps: IotTeardownDeps,
  onRemoved?: (step: IotTeardownStep) => void,
): Promise<void> {
  const iot = deps.iot ?? createIotClient(deps.aws);
  const iam = deps.iam ?? createIamClient(deps.aws);
  for (const step of plan.steps) {
    if (step.state !== 'remove') continue;
    await removeStep(step, deps, iot, iam);
    onRemoved?.(step);
  }
}

/** Observe and plan. */
export async function planTeardownOfThing(
  input: IotTeardownInput,
  deps: IotTeardownDeps,
): Promise<IotTeardownPlan> {
  return planIotTeardown(await observeIotTeardown(input, deps), input);
}
