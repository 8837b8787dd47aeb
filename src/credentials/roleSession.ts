import { parseRoleRef, roleArnOf, parseArn } from '../aws/arn.js';
import { defaultRegionOf } from '../aws/partition.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { assumeRole, type AssumedRole } from './assumeRole.js';
import type { DurationRequest } from './duration.js';
import { refreshing, type RefreshingProvider } from './refreshing.js';
import { defaultSessionName, validateSessionName } from './sessionName.js';
import type { Source } from './sources.js';

export interface RoleSessionOptions {
  source: Source;
  /** Role name or ARN. A name is completed with the source identity's partition and account. */
  role: string;
  roleSessionName?: string;
  durationSeconds?: DurationRequest;
  externalId?: string;
  serialNumber?: string;
  tokenCode?: string;
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  warn?: (message: string) => void;
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
  /** Refresh when fewer than this many seconds remain (default 300). */
  minTtlSeconds?: number;
  now?: () => Date;
}

/** A role session that renews itself: the first AssumeRole's answer, and a provider that stays fresh. */
export interface RoleSession {
  roleArn: string;
  roleSessionName: string;
  region: string;
  first: AssumedRole;
  provider: RefreshingProvider;
  /** The source identity, when it had to be looked up (role given by name, or session source keys). */
  sourceIdentity?: CallerIdentity;
}

/**
 * Assumes a role and returns a refreshing provider for it. STS is called in the source's region
 * (or the role ARN's partition's home region), never the global endpoint. Refreshes reuse the
 * session length AWS granted the first time, so `max` is searched once per process.
 */
export async function startRoleSession(options: RoleSessionOptions): Promise<RoleSession> {
  const ref = parseRoleRef(options.role);
  const roleSessionName = validateSessionName(options.roleSessionName ?? defaultSessionName(options.now?.()));
  const arnPartition = ref.roleArn ? parseArn(ref.roleArn)?.partition : undefined;
  const region = options.source.region ?? defaultRegionOf(arnPartition ?? 'aws');
  const sts = createStsClient({
    region,
    endpointUrl: options.endpointUrl,
    credentials: options.source.credentials,
    env: options.env,
  });

  const sourceCredentials = await options.source.credentials();
  let sourceIdentity: CallerIdentity | undefined;
  // Look the caller up only when we must: a bare role name, or session keys that may be a role session.
  if (!ref.roleArn || (!options.source.roleSession && sourceCredentials.sessionToken)) {
    sourceIdentity = await getCallerIdentity(sts, options.source.profile, region);
  }
  const roleArn = ref.roleArn ?? roleArnOf(ref.roleName, sourceIdentity!.partition, sourceIdentity!.account);
  const roleChaining = options.source.roleSession || /:assumed-role\//.test(sourceIdentity?.arn ?? '');
  const deps = {
    sts,
    roleChaining,
    promptTokenCode: options.promptTokenCode,
    warn: options.warn,
    sourceProfile: options.source.profile,
    region,
  };
  const input = {
    roleArn,
    roleSessionName,
    externalId: options.externalId,
    serialNumber: options.serialNumber,
  };
  const first = await assumeRole(
    { ...input, tokenCode: options.tokenCode, durationSeconds: options.durationSeconds },
    deps,
  );
  const provider = refreshing(
    async () => (await assumeRole({ ...input, durationSeconds: first.durationSeconds }, deps)).credentials,
    { minTtlSeconds: options.minTtlSeconds, initial: first.credentials },
  );
  return { roleArn, roleSessionName, region, first, provider, sourceIdentity };
}
