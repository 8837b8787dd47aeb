import type { STSClient } from '@aws-sdk/client-sts';
import { clientConfig, type AwsContext } from './clients.js';
import { explainAwsError } from './explain.js';
import { parseArn } from './arn.js';
import type { Partition } from './partition.js';
import { stsSdk } from './sdk.js';

const { GetCallerIdentityCommand } = stsSdk();

/**
 * An STS client for `ctx`: the regional endpoint of its partition (or the override) and 3 attempts,
 * so a transient network error is retried but a refusal is reported at once.
 */
export function createStsClient(ctx: AwsContext): STSClient {
  return new (stsSdk().STSClient)({ ...clientConfig('sts', ctx), maxAttempts: 3 });
}

/** Who the credentials belong to, in the words of sts:GetCallerIdentity. */
export interface CallerIdentity {
  /** The 12-digit account the credentials belong to. */
  account: string;
  /** The caller: `arn:aws:iam::1:user/name`, or `arn:aws:sts::1:assumed-role/Role/session` for a session. */
  arn: string;
  /** AWS's unique ID: `AIDA...` for a user, `AROA...:session` for a role session. */
  userId: string;
  /** Read from `arn`; `aws` when AWS returned none. */
  partition: Partition;
}

/**
 * Asks STS who the credentials of `sts` belong to (sts:GetCallerIdentity, which no policy can deny).
 * Throws a {@link TempcredsError} explaining the refusal (an unknown or expired key, a region where STS
 * is not active, no network); `profile` and `region` only name them in that explanation.
 */
export async function getCallerIdentity(
  sts: Pick<STSClient, 'send'>,
  profile?: string,
  region?: string,
): Promise<CallerIdentity> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    return {
      account: out.Account ?? '',
      arn,
      userId: out.UserId ?? '',
      partition: parseArn(arn)?.partition ?? 'aws',
    };
  } catch (err) {
    throw explainAwsError(err, { action: 'GetCallerIdentity', profile, region });
  }
}
