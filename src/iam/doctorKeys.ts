/** Doctor checks 1–3: the source profile, whether AWS accepts its keys, and partitions. */
import type { AwsCredentialIdentity } from '@smithy/types';
import { defaultRegionOf, partitionOfRegion } from '../aws/partition.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { AwsFiles } from '../config/paths.js';
import { resolveSource, type Source } from '../credentials/sources.js';
import { TempcredsError } from '../errors.js';

/** One doctor check: passed, failed (with the cause in plain words and the fix), or not run. */
export interface DoctorCheck {
  /** Which check, as the CLI prints it: `keys`, `trust`, `assume role` for a role; `iot profile`, `role alias` for IoT. */
  name: string;
  /** `skip`: the check could not run (its premise failed, or it needs administrator credentials). */
  status: 'ok' | 'fail' | 'skip';
  /** What was found, in one line. */
  detail: string;
  /** For `fail`: why, in AWS's terms (the refusal, the statement or condition that decided). */
  cause?: string;
  /** For `fail`: what to do, ideally a command to run; absent when there is nothing to suggest. */
  fix?: string;
}

export const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'ok', detail });
export const skip = (name: string, detail: string): DoctorCheck => ({ name, status: 'skip', detail });
export const fail = (name: string, detail: string, cause: string, fix?: string): DoctorCheck => ({
  name,
  status: 'fail',
  detail,
  cause,
  fix,
});

/** Where the doctor finds the source profile and how it reaches AWS, as the CLI would. */
export interface SourceEnvironment {
  /** The AWS config and credentials files holding the source profile. */
  files: AwsFiles;
  /** Read for `AWS_PROFILE`, `AWS_REGION` and `AWS_ENDPOINT_URL*`, as the AWS CLI reads them. */
  env: NodeJS.ProcessEnv;
  /** `--region`: wins over the profile's region and `AWS_REGION`. */
  region?: string;
  /** `--endpoint-url`: wins over `AWS_ENDPOINT_URL(_<SERVICE>)`. */
  endpointUrl?: string;
  /** The administrator's profile, named in fixes. */
  adminProfile?: string;
}

export interface ResolvedSource {
  source: Source;
  region: string;
  keys: AwsCredentialIdentity;
}

/** Check 1: the profile exists, has credentials tempcreds can use, and a region. */
export async function checkProfile(
  profile: string | undefined,
  where: SourceEnvironment,
): Promise<{ check: DoctorCheck; resolved?: ResolvedSource }> {
  const name = profile ?? where.env.AWS_PROFILE ?? 'default';
  let source: Source;
  let keys: AwsCredentialIdentity;
  try {
    source = await resolveSource({
      profile,
      region: where.region,
      endpointUrl: where.endpointUrl,
      env: where.env,
      files: where.files,
    });
    keys = await source.credentials();
  } catch (err) {
    const e = err instanceof TempcredsError ? err : undefined;
    return { check: fail('profile', `profile ${name} is not usable`, e?.message ?? String(err), e?.fix) };
  }
  const label = source.profile ? `profile ${source.profile}` : 'the environment (AWS_ACCESS_KEY_ID)';
  if (!source.region) {
    return {
      check: fail(
        'profile',
        `${label} has no region`,
        `${label} has keys but no region, and tempcreds never guesses one (China keys are unknown to us-east-1).`,
        `aws configure set region cn-northwest-1 --profile ${name} (or the region of your account), or pass --region`,
      ),
    };
  }
  return {
    check: ok('profile', `${label}: access key ${keys.accessKeyId}, region ${source.region}`),
    resolved: { source, region: source.region, keys },
  };
}

const SKEW_MS = 5 * 60 * 1000;

function minutes(ms: number): string {
  return `${Math.round(Math.abs(ms) / 60000)} minutes ${ms > 0 ? 'behind' : 'ahead of'}`;
}

/** Check 2: GetCallerIdentity with the keys, failures told apart by what AWS answered. */
export async function checkKeys(
  resolved: ResolvedSource,
  where: SourceEnvironment,
): Promise<{ check: DoctorCheck; identity?: CallerIdentity }> {
  const { source, region, keys } = resolved;
  const sts = createStsClient({
    region,
    endpointUrl: where.endpointUrl,
    credentials: source.credentials,
    env: where.env,
  });
  const profile = source.profile ?? 'default';
  const admin = where.adminProfile ?? 'ADMIN';
  try {
    const identity = await getCallerIdentity(sts, source.profile, region);
    const offset = sts.config.systemClockOffset ?? 0;
    const clock =
      Math.abs(offset) > SKEW_MS
        ? ` (this clock is ${minutes(offset)} AWS; the SDK corrected it, other tools may not)`
        : '';
    return { check: ok('keys', `they are ${identity.arn}${clock}`), identity };
  } catch (err) {
    return {
      check: refusedKeys(err, {
        region,
        profile,
        admin,
        accessKeyId: keys.accessKeyId,
        offset: sts.config.systemClockOffset ?? 0,
      }),
    };
  }
}

/** Check 2's failure, told apart by what AWS answered, with the fix for each. */
function refusedKeys(
  err: unknown,
  k: { region: string; profile: string; admin: string; accessKeyId: string; offset: number },
): DoctorCheck {
  const code = err instanceof TempcredsError ? err.awsCode : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const { region, profile, admin, offset, accessKeyId } = k;
  const partition = partitionOfRegion(region);
  switch (code) {
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
      return fail(
        'keys',
        `AWS does not know access key ${accessKeyId}`,
        `the key was deleted (or never existed), or it belongs to another partition than ${region}'s (${partition}): China keys work only with cn-* regions and their endpoints.`,
        partition === 'aws-cn'
          ? `Make a new key: tempcreds rotate-key --source-profile ${profile} --user USER --profile ${admin}`
          : `If it is a China key: --region cn-northwest-1; else make a new key: tempcreds rotate-key --source-profile ${profile} --user USER --profile ${admin}`,
      );
    case 'SignatureDoesNotMatch':
      if (Math.abs(offset) > SKEW_MS) {
        return fail(
          'keys',
          'AWS refused the signature: clock skew',
          `this machine's clock is ${minutes(offset)} AWS's; signatures are valid for 5 minutes.`,
          'Synchronise the clock (e.g. sudo timedatectl set-ntp true).',
        );
      }
      return fail(
        'keys',
        `AWS refused the signature of access key ${accessKeyId}: wrong secret`,
        `the secret access key in profile ${profile} is not the one of ${accessKeyId} (the clock is fine).`,
        `Paste the right secret (aws configure --profile ${profile}), or make a new key: tempcreds rotate-key --source-profile ${profile} --profile ${admin}`,
      );
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return fail(
        'keys',
        'the session token has expired',
        `profile ${profile} holds session credentials that have expired.`,
        'Get new ones, or use the long-term keys of the user.',
      );
    default:
      return fail(
        'keys',
        'GetCallerIdentity failed',
        message,
        err instanceof TempcredsError ? err.fix : undefined,
      );
  }
}

/** Check 3: the region's partition is the identity's (a China key with a global region never works). */
export function checkPartition(region: string, identity: CallerIdentity): DoctorCheck {
  const partition = partitionOfRegion(region);
  if (partition === identity.partition) {
    return ok('partition', `region ${region} is in ${partition}, like ${identity.arn}`);
  }
  return fail(
    'partition',
    `region ${region} is in ${partition}, the keys in ${identity.partition}`,
    `STS in ${region} cannot assume roles of the ${identity.partition} partition.`,
    `Use a region of ${identity.partition}: --region ${defaultRegionOf(identity.partition)}`,
  );
}
