import type { STSClient } from '@aws-sdk/client-sts';
import { parseArn, roleArnOf } from '../aws/arn.js';
import type { AwsContext } from '../aws/clients.js';
import { defaultRegionOf, partitionOfRegion } from '../aws/partition.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { usageError } from '../errors.js';
import { assumeRole, type AssumedRole } from './assumeRole.js';
import type { AssumeRoleRequest } from './assumeRoleRequest.js';
import { refreshing, type RefreshingProvider } from './refreshing.js';
import { defaultSessionName } from './sessionName.js';
import { refuseOtherPartitionPolicies } from './sessionOptions.js';
import type { Source } from './sources/types.js';

/** Makes the STS client that signs with the source's credentials. */
export type StsClientFactory = (ctx: AwsContext) => Pick<STSClient, 'send'>;

/** What {@link startRoleSession} assumes, from which credentials, and its side effects. */
export interface RoleSessionOptions {
  /** The credentials that sign AssumeRole (see `resolveSource`), and their region. */
  source: Source;
  /** What to assume, checked once by `parseAssumeRoleRequest`. */
  request: AssumeRoleRequest;
  /** Default: the SDK's STS client on the regional endpoint (`createStsClient`). */
  createSts?: StsClientFactory;
  /** Asks for the MFA code when the request has a serial and no code. */
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  /** Told when AWS grants less than asked (role chaining's one hour). */
  warn?: (message: string) => void;
  /** `--endpoint-url`: wins over `AWS_ENDPOINT_URL(_STS)`. */
  endpointUrl?: string;
  /** Read for `AWS_ENDPOINT_URL*`. */
  env: NodeJS.ProcessEnv;
  /** Refresh when fewer than this many seconds remain (default 300). */
  minTtlSeconds?: number;
  /** The clock, for the default session name and refresh times (default: the system clock). */
  now?: () => Date;
}

/** A role session that renews itself: the first AssumeRole's answer, and a provider that stays fresh. */
export interface RoleSession {
  /** The role's ARN (completed from the source's account for a bare name). */
  roleArn: string;
  /** The session name sent (given, or `tempcreds-USER-EPOCHSECONDS`). */
  roleSessionName: string;
  /** The region STS was called in: the source's, else the role's partition's home region. */
  region: string;
  /** The first AssumeRole's answer. */
  first: AssumedRole;
  /** Credentials that stay fresh: a new AssumeRole (of the length first granted) 5 minutes before expiry. */
  provider: RefreshingProvider;
  /** The source identity, when it had to be looked up (role given by name, or session source keys). */
  sourceIdentity?: CallerIdentity;
}

/**
 * Assumes a role and returns a refreshing provider for it. STS is called in the source's region
 * (or the role ARN's partition's home region), never the global endpoint; a role ARN of another
 * partition than that region's is refused before any call. Refreshes reuse the session length AWS
 * granted the first time, so `max` is searched once per process.
 */
export async function startRoleSession(options: RoleSessionOptions): Promise<RoleSession> {
  const { request, source } = options;
  const ref = request.role;
  const roleSessionName = request.roleSessionName ?? defaultSessionName(options.now?.());
  const arnPartition = ref.roleArn ? parseArn(ref.roleArn)?.partition : undefined;
  const region = source.region ?? defaultRegionOf(arnPartition ?? 'aws');
  refuseOtherPartition(ref.roleArn, region, source.profile);
  refuseOtherPartitionPolicies(request.policyArns, region);
  const createSts = options.createSts ?? createStsClient;
  const sts = createSts({
    region,
    endpointUrl: options.endpointUrl,
    credentials: source.credentials,
    env: options.env,
  });

  const sourceCredentials = await source.credentials();
  let sourceIdentity: CallerIdentity | undefined;
  // Look the caller up only when we must: a bare role name, or session keys that may be a role session.
  if (!ref.roleArn || (!source.roleSession && sourceCredentials.sessionToken)) {
    sourceIdentity = await getCallerIdentity(sts, source.profile, region);
  }
  const roleArn = ref.roleArn ?? roleArnOf(ref.roleName, sourceIdentity!.partition, sourceIdentity!.account);
  const roleChaining = source.roleSession || /:assumed-role\//.test(sourceIdentity?.arn ?? '');
  const deps = {
    sts,
    roleChaining,
    promptTokenCode: options.promptTokenCode,
    warn: options.warn,
    sourceProfile: source.profile,
    region,
  };
  const input = {
    roleArn,
    roleSessionName,
    externalId: request.externalId,
    serialNumber: request.serialNumber,
    tags: request.tags,
    transitiveTagKeys: request.transitiveTagKeys,
    sourceIdentity: request.sourceIdentity,
    policy: request.policy,
    policyArns: request.policyArns,
  };
  const first = await assumeRole(
    { ...input, tokenCode: request.tokenCode, durationSeconds: request.durationSeconds },
    deps,
  );
  const provider = refreshing(
    async () => (await assumeRole({ ...input, durationSeconds: first.durationSeconds }, deps)).credentials,
    { minTtlSeconds: options.minTtlSeconds, initial: first.credentials },
  );
  return { roleArn, roleSessionName, region, first, provider, sourceIdentity };
}

/** Keys of one partition are unknown in every other: say so before STS answers InvalidClientTokenId. */
function refuseOtherPartition(
  roleArn: string | undefined,
  region: string,
  profile: string | undefined,
): void {
  const rolePartition = roleArn ? parseArn(roleArn)?.partition : undefined;
  const sourcePartition = partitionOfRegion(region);
  if (rolePartition === undefined || rolePartition === sourcePartition) return;
  const source = profile ? `profile ${profile}` : 'the environment keys';
  throw usageError(
    `${roleArn} is a role of partition ${rolePartition}, but ${source} calls STS in ${region} (partition ${sourcePartition}): a role can only be assumed with keys of its own partition.`,
    `Use the role's ${sourcePartition} ARN (arn:${sourcePartition}:iam::...), or a source profile whose region is in ${rolePartition}.`,
  );
}
