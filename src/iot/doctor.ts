/**
 * `tempcreds doctor --source-profile P` for an IoT profile: why the device gets no session,
 * check by check, ending with a real request to the credentials provider (the only way doctor
 * passes). It never changes anything. With `--admin-profile`, it reads AWS IoT and IAM as well.
 */
import type { AwsContext } from '../aws/clients.js';
import { dnsSuffix, partitionOfRegion } from '../aws/partition.js';
import { createStsClient, getCallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { readProfile } from '../config/profiles.js';
import { TempcredsError } from '../errors.js';
import { fail, ok, skip, type DoctorCheck } from '../iam/doctorKeys.js';
import { createIamClient, type Iam } from '../iam/iamReads.js';
import {
  credentialsUrl,
  explainUnanswered,
  requestIotCredentials,
  type IotHttpOptions,
} from './credentialsEndpoint.js';
import { readDeviceFiles, type DeviceFiles } from './deviceFiles.js';
import { checkIotWithAdmin } from './doctorAdmin.js';
import { createIotClient, describeCredentialsEndpoint, type Iot } from './iotReads.js';
import { isIotProfile, parseIotProfile, regionOfEndpoint, type IotProfile } from './profile.js';
import { classifyAnswer, explainIotAnswer } from './refusals.js';

/** What the IoT doctor needs from outside: the AWS files, the environment, and optionally the administrator. */
export interface IotDoctorDeps {
  /** The AWS files holding the IoT profile. */
  files: AwsFiles;
  /** Read for `TEMPCREDS_IOT_ENDPOINT_URL` and `TEMPCREDS_IOT_CA_FILE` (a local provider and its CA). */
  env: NodeJS.ProcessEnv;
  /** `--region`. */
  region?: string;
  /** Administrator credentials (`--admin-profile`): enables the AWS IoT and IAM checks. */
  admin?: AwsContext;
  /** The administrator's profile, named in fixes (default `ADMIN`). */
  adminProfile?: string;
  /** The AWS IoT client for the administrator's checks (default: one for `admin`). */
  iot?: Iot;
  /** The IAM client for the administrator's checks (default: one for `admin`). */
  iam?: Iam;
  /** How to reach the credentials provider: DNS lookup and timeout (default: the system's DNS, 10 s). */
  http?: IotHttpOptions;
  /** Each check as soon as it is known. */
  onCheck?: (check: DoctorCheck) => void;
}

/** Every check, in order, and whether the credentials provider issued a session. */
export interface IotDoctorReport {
  /** Every check, in the order run, skipped ones included. */
  checks: DoctorCheck[];
  /** The credentials provider issued a session. */
  issued: boolean;
}

const ADMIN_CHECKS = ['certificate', 'thing', 'iot policy', 'role alias', 'role trust', 'duration'];

function why(err: unknown): { cause: string; fix?: string } {
  return err instanceof TempcredsError ? { cause: err.message, fix: err.fix } : { cause: String(err) };
}

async function profileCheck(
  name: string,
  deps: IotDoctorDeps,
): Promise<{ check: DoctorCheck; device?: IotProfile }> {
  let profile: Awaited<ReturnType<typeof readProfile>>;
  try {
    profile = await readProfile(deps.files, name);
  } catch (err) {
    return { check: fail('iot profile', `profile ${name} cannot be read`, why(err).cause, why(err).fix) };
  }
  if (!profile || !isIotProfile(profile.settings))
    return {
      check: fail(
        'iot profile',
        `profile ${name} is ${profile ? 'not an IoT profile' : 'missing'}`,
        `it has no tempcreds_iot_* settings in ${deps.files.configFile}.`,
        `tempcreds iot configure --dir DIR --profile-name ${name} (DIR: what iot setup wrote)`,
      ),
    };
  try {
    const device = parseIotProfile(name, profile.settings, deps.files.configFile);
    const region = deps.region ?? device.region;
    const detail = `endpoint ${device.endpoint}, role alias ${device.roleAlias}, thing ${device.thingName ?? '(none sent)'}, region ${region ?? '(none)'}`;
    return { check: ok('iot profile', detail), device: { ...device, region } };
  } catch (err) {
    return { check: fail('iot profile', `profile ${name} is incomplete`, why(err).cause, why(err).fix) };
  }
}

/** The endpoint's name: a credentials-provider host of the profile's region and partition. */
function endpointCheck(device: IotProfile, accountEndpoint: string | undefined): DoctorCheck {
  const region = device.region;
  const host = device.endpoint.replace(/:\d+$/, '');
  if (accountEndpoint !== undefined && accountEndpoint !== host)
    return fail(
      'endpoint',
      `${host} is not this account's`,
      `AWS IoT gives ${accountEndpoint} for iot:CredentialProvider in ${region}.`,
      `Set tempcreds_iot_endpoint = ${accountEndpoint}`,
    );
  if (!region)
    return fail(
      'endpoint',
      `${host}: no region`,
      'the profile has no region and the endpoint names none.',
      'Add region = REGION to the profile.',
    );
  const suffix = dnsSuffix(partitionOfRegion(region));
  if (regionOfEndpoint(host) !== region || !host.endsWith(`.${suffix}`))
    return fail(
      'endpoint',
      `${host} is not a credentials endpoint of ${region}`,
      `it should look like PREFIX.credentials.iot.${region}.${suffix} (the ${partitionOfRegion(region)} partition).`,
      `aws iot describe-endpoint --endpoint-type iot:CredentialProvider --region ${region} (administrator credentials)`,
    );
  return ok('endpoint', `${host}${accountEndpoint ? " is the account's" : ''}`);
}

/** The account's endpoint (as AWS IoT gives it) and the admin checks. */
async function adminChecks(
  device: IotProfile,
  files: DeviceFiles | undefined,
  name: string,
  deps: IotDoctorDeps,
): Promise<{ accountEndpoint?: string; checks: DoctorCheck[] }> {
  if (!deps.admin)
    return {
      checks: ADMIN_CHECKS.map((n) => skip(n, 'needs --admin-profile (the device cannot read AWS IoT)')),
    };
  if (!files) return { checks: ADMIN_CHECKS.map((n) => skip(n, 'needs the device files')) };
  const iot = deps.iot ?? createIotClient(deps.admin);
  try {
    const admin = await getCallerIdentity(createStsClient(deps.admin));
    const region = device.region ?? deps.admin.region;
    const checks = await checkIotWithAdmin({
      iot,
      iam: deps.iam ?? createIamClient(deps.admin),
      profile: name,
      device,
      files,
      accountId: admin.account,
      partition: admin.partition,
      region,
      adminProfile: deps.adminProfile ?? 'ADMIN',
    });
    return { accountEndpoint: await describeCredentialsEndpoint(iot), checks };
  } catch (err) {
    const failed = fail(
      'certificate',
      'the --admin-profile credentials cannot read AWS IoT',
      why(err).cause,
      why(err).fix,
    );
    return {
      checks: [failed, ...ADMIN_CHECKS.slice(1).map((n) => skip(n, 'needs administrator credentials'))],
    };
  }
}

/** The real request, its answer read against the checks before it. */
async function credentialsCheck(
  name: string,
  device: IotProfile,
  files: DeviceFiles,
  deps: IotDoctorDeps,
  earlier: DoctorCheck[],
): Promise<DoctorCheck> {
  const url = credentialsUrl(device.endpoint, deps.env);
  const ctx = {
    profile: name,
    endpoint: url.host,
    roleAlias: device.roleAlias,
    thingName: device.thingName,
    certificateId: files.certificateId,
    region: device.region,
  };
  const outcome = await requestIotCredentials(url, files, ctx, deps.http);
  if (outcome.kind === 'credentials')
    return ok(
      'credentials',
      `AWS IoT issued ${outcome.credentials.accessKeyId} until ${outcome.credentials.expiration.toISOString()}`,
    );
  const failed = earlier.filter((c) => c.status === 'fail');
  const error =
    outcome.kind === 'refused'
      ? explainIotAnswer(outcome.answer, ctx)
      : explainUnanswered(outcome.error, { ...ctx, caSource: files.caSource }, url).error;
  const detail =
    outcome.kind === 'refused'
      ? `AWS IoT refused: ${outcome.answer.status} ${outcome.answer.message} (${classifyAnswer(outcome.answer)})`
      : 'no answer from the credentials provider';
  const hint = failed.length
    ? `see the failed ${failed.map((c) => c.name).join(', ')} check${failed.length > 1 ? 's' : ''} above.`
    : earlier.some((c) => c.status === 'skip')
      ? 'run doctor again with --admin-profile to see which.'
      : 'none of the checks above explains it.';
  return fail('credentials', detail, `${error.message} — ${hint}`, failed[0]?.fix ?? error.fix);
}

/** The checks for IoT profile `name`, in order; a check whose premise failed is skipped. */
export async function iotDoctor(name: string, deps: IotDoctorDeps): Promise<IotDoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (...more: DoctorCheck[]) => {
    for (const c of more) {
      checks.push(c);
      deps.onCheck?.(c);
    }
  };
  const profile = await profileCheck(name, deps);
  add(profile.check);
  const device = profile.device;
  if (!device) {
    add(
      ...['device files', 'endpoint', ...ADMIN_CHECKS, 'credentials'].map((n) =>
        skip(n, 'needs a usable IoT profile'),
      ),
    );
    return { checks, issued: false };
  }
  let files: DeviceFiles | undefined;
  try {
    files = await readDeviceFiles(device, { profile: name, env: deps.env });
    add(
      ok(
        'device files',
        `certificate ${files.certificateId} (valid until ${files.validTo.toISOString()}), its key private, CA ${files.caSource}`,
      ),
    );
  } catch (err) {
    add(fail('device files', 'the certificate, key or CA cannot be used', why(err).cause, why(err).fix));
  }
  const admin = await adminChecks(device, files, name, deps);
  add(endpointCheck(device, admin.accountEndpoint), ...admin.checks);
  add(
    files
      ? await credentialsCheck(name, device, files, deps, [...checks])
      : skip('credentials', 'needs the device files'),
  );
  return { checks, issued: checks.some((c) => c.name === 'credentials' && c.status === 'ok') };
}
