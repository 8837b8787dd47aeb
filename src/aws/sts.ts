import type { STSClient } from '@aws-sdk/client-sts';
import { clientConfig, type AwsContext } from './clients.js';
import { explainAwsError } from './explain.js';
import { parseArn } from './arn.js';
import type { Partition } from './partition.js';
import { stsSdk } from './sdk.js';

const { GetCallerIdentityCommand } = stsSdk();

export function createStsClient(ctx: AwsContext): STSClient {
  return new (stsSdk().STSClient)({ ...clientConfig('sts', ctx), maxAttempts: 3 });
}

/** Who the credentials belong to, in the words of sts:GetCallerIdentity. */
export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
  partition: Partition;
}

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
