/**
 * IoT doctor checks that need administrator credentials (`--admin-profile`): what AWS IoT and IAM
 * hold for the device's certificate, thing, IoT policies, role alias and role. A device cannot
 * read any of it (it has no IAM credentials), which is why these checks exist: AWS's answers to
 * the device are terse. Reads only; evaluation is local (iotPolicy.ts).
 */
import { X509Certificate } from 'node:crypto';
import { fail, ok, type DoctorCheck } from '../iam/doctorKeys.js';
import { getRole, type Iam } from '../iam/iamReads.js';
import {
  CREDENTIALS_PROVIDER_PRINCIPAL,
  evaluateAliasPermission,
  roleAliasArn,
  trustsCredentialsProvider,
} from './iotPolicy.js';
import {
  describeCertificate,
  describeRoleAlias,
  getIotPolicy,
  listAttachedPolicyNames,
  listPrincipalThings,
  listThingPrincipals,
  type CertificateInfo,
  type Iot,
} from './iotReads.js';
import type { DeviceFiles } from './deviceFiles.js';
import type { IotProfile } from './profile.js';
import type { Partition } from '../aws/partition.js';

export interface IotAdminCheckInput {
  iot: Iot;
  iam: Iam;
  profile: string;
  device: IotProfile;
  files: DeviceFiles;
  accountId: string;
  partition: Partition;
  region: string;
  adminProfile: string;
}

/** The device's certificate in AWS IoT: among the thing's (compared by DER: moto names it otherwise), else by AWS's id. */
async function findCertificate(input: IotAdminCheckInput): Promise<CertificateInfo | undefined> {
  const raw = new X509Certificate(input.files.certificate).raw;
  const principals = input.device.thingName
    ? ((await listThingPrincipals(input.iot, input.device.thingName)) ?? [])
    : [];
  const ids = [
    ...principals.filter((p) => p.includes(':cert/')).map((p) => p.split('/').pop() ?? ''),
    input.files.certificateId,
  ];
  for (const id of [...new Set(ids)]) {
    const info = await describeCertificate(input.iot, id);
    if (info?.pem && new X509Certificate(info.pem).raw.equals(raw)) return info;
  }
  return undefined;
}

function certificateCheck(input: IotAdminCheckInput, cert: CertificateInfo | undefined): DoctorCheck {
  const id = input.files.certificateId;
  const where = `account ${input.accountId}, ${input.region}`;
  if (!cert)
    return fail(
      'certificate',
      `certificate ${id} is not registered in AWS IoT (${where})`,
      'AWS IoT answers "Certificate is invalid on this endpoint" for a certificate it does not know: another account or region, or deleted.',
      `Issue one here: tempcreds iot setup --thing ${input.device.thingName ?? 'THING'} --role ROLE --csr FILE --out DIR --profile ${input.adminProfile}`,
    );
  if (cert.status === 'ACTIVE') return ok('certificate', `${cert.arn} is ACTIVE`);
  return fail(
    'certificate',
    `certificate ${cert.certificateId} is ${cert.status}`,
    'AWS IoT only accepts ACTIVE certificates ("Certificate is invalid on this endpoint").',
    cert.status === 'INACTIVE'
      ? `aws iot update-certificate --certificate-id ${cert.certificateId} --new-status ACTIVE --region ${input.region}`
      : `A ${cert.status} certificate does not come back: issue a new one (tempcreds iot setup --thing ${input.device.thingName ?? 'THING'} --role ROLE --csr FILE --out DIR).`,
  );
}

async function thingCheck(input: IotAdminCheckInput, cert: CertificateInfo): Promise<DoctorCheck> {
  const thing = input.device.thingName;
  const things = await listPrincipalThings(input.iot, cert.arn);
  if (!thing) return ok('thing', `no thing name is sent (attached to: ${things.join(', ') || 'none'})`);
  if (things.includes(thing)) return ok('thing', `the certificate is attached to thing ${thing}`);
  const exists = (await listThingPrincipals(input.iot, thing)) !== undefined;
  return fail(
    'thing',
    exists ? `the certificate is not attached to thing ${thing}` : `there is no thing ${thing}`,
    `AWS IoT answers "Invalid thing name passed" when the thing in x-amzn-iot-thingname is not one the certificate is attached to${things.length ? ` (it is attached to ${things.join(', ')})` : ''}.`,
    exists
      ? `aws iot attach-thing-principal --thing-name ${thing} --principal ${cert.arn} --region ${input.region}`
      : things.length
        ? `Set tempcreds_iot_thing_name of profile ${input.profile} to ${things[0]}`
        : `tempcreds iot setup --thing ${thing} --role ROLE --out DIR (it attaches the certificate in DIR)`,
  );
}

async function policyCheck(
  input: IotAdminCheckInput,
  cert: CertificateInfo,
  aliasArn: string,
): Promise<DoctorCheck> {
  const names = await listAttachedPolicyNames(input.iot, cert.arn);
  const policies = (await Promise.all(names.map((n) => getIotPolicy(input.iot, n)))).filter(
    (p) => p !== undefined,
  );
  const evaluation = evaluateAliasPermission(policies, aliasArn);
  const which = (e: (typeof evaluation.deciding)[number]) =>
    `statement ${e.sid ?? e.index + 1} of IoT policy ${e.policy}`;
  if (evaluation.decision === 'allow')
    return ok(
      'iot policy',
      `${which(evaluation.deciding[0]!)} allows iot:AssumeRoleWithCertificate on the alias`,
    );
  const attach = `aws iot attach-policy --policy-name POLICY --target ${cert.arn} --region ${input.region} (tempcreds iot setup makes one for the alias)`;
  if (evaluation.decision === 'explicitDeny')
    return fail(
      'iot policy',
      `${evaluation.deciding.map(which).join('; ')} denies iot:AssumeRoleWithCertificate on the alias`,
      'A Deny wins over every Allow: AWS IoT answers "Access Denied".',
      'Remove or narrow that Deny.',
    );
  return fail(
    'iot policy',
    names.length
      ? `none of ${names.join(', ')} allows iot:AssumeRoleWithCertificate on ${aliasArn}`
      : 'no IoT policy is attached to the certificate',
    'AWS IoT answers "Access Denied" unless an IoT policy of the certificate allows it on the alias.',
    attach,
  );
}

/** The admin checks, in the order the credentials provider itself checks (see refusals.ts). */
export async function checkIotWithAdmin(input: IotAdminCheckInput): Promise<DoctorCheck[]> {
  const alias = input.device.roleAlias;
  const aliasArn = roleAliasArn(input.partition, input.region, input.accountId, alias);
  const cert = await findCertificate(input);
  const checks: DoctorCheck[] = [certificateCheck(input, cert)];
  if (cert) checks.push(await thingCheck(input, cert), await policyCheck(input, cert, aliasArn));
  const found = await describeRoleAlias(input.iot, alias);
  if (!found) {
    checks.push(
      fail(
        'role alias',
        `there is no role alias ${alias} in ${input.region}`,
        'AWS IoT answers "Role alias does not exist".',
        `tempcreds iot setup --thing THING --role ROLE --role-alias ${alias}`,
      ),
    );
    return checks;
  }
  checks.push(
    ok('role alias', `${alias} -> ${found.roleArn}, sessions of ${found.credentialDurationSeconds} s`),
  );
  const roleName = found.roleArn.split('/').pop() ?? '';
  const role = await getRole(input.iam, roleName);
  if (!role || !trustsCredentialsProvider(role.trust)) {
    checks.push(
      fail(
        'role trust',
        role
          ? `role ${roleName} does not trust ${CREDENTIALS_PROVIDER_PRINCIPAL}`
          : `role ${found.roleArn} does not exist`,
        'AWS IoT answers "Unable to assume the role, or the role to assume does not exist".',
        role
          ? `tempcreds iot setup --thing ${input.device.thingName ?? 'THING'} --role ${roleName} --role-alias ${alias} (merges the trust, keeping the rest)`
          : `Point the alias at an existing role: aws iot update-role-alias --role-alias ${alias} --role-arn ROLE_ARN`,
      ),
    );
    return checks;
  }
  checks.push(ok('role trust', `role ${roleName} trusts ${CREDENTIALS_PROVIDER_PRINCIPAL}`));
  checks.push(
    found.credentialDurationSeconds <= role.maxSessionDuration
      ? ok(
          'duration',
          `${found.credentialDurationSeconds} s fits the role's MaxSessionDuration of ${role.maxSessionDuration} s`,
        )
      : fail(
          'duration',
          `the alias asks for ${found.credentialDurationSeconds} s, the role allows ${role.maxSessionDuration} s`,
          'AWS IoT answers "The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role".',
          `tempcreds role set-max-duration ${roleName} ${Math.max(3600, found.credentialDurationSeconds)} --profile ${input.adminProfile}, or aws iot update-role-alias --role-alias ${alias} --credential-duration-seconds ${role.maxSessionDuration}`,
        ),
  );
  return checks;
}
