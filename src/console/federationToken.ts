import type { STSClient } from '@aws-sdk/client-sts';
import { explainAwsError } from '../aws/explain.js';
import { stsSdk } from '../aws/sdk.js';
import { TempcredsError } from '../errors.js';
import { sessionCredentialsOf, type SessionCredentials } from '../aws/stsCredentials.js';

/**
 * The session policy of the federation token: everything, so the console session can do exactly
 * what the IAM user may (a federated session gets the intersection of the two), as aws-vault does.
 */
export const FEDERATION_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** What sts:GetFederationToken gave: the session and who it is. */
export interface FederationToken {
  /** The federated user's session credentials. */
  credentials: SessionCredentials;
  /** `arn:aws:sts::123456789012:federated-user/NAME`. */
  federatedUserArn: string;
}

/** A federated user name (2..32 of `[\w+=,.@-]`) from the IAM user's ARN. */
export function federatedUserName(userArn: string): string {
  const name = (userArn.split('/').pop() ?? '').replace(/[^\w+=,.@-]/g, '-').slice(0, 32);
  return name.length >= 2 ? name : 'tempcreds';
}

/**
 * sts:GetFederationToken, signed with an IAM user's long-term keys: the only way AWS signs such a
 * user into the console (getSigninToken takes role sessions and federation tokens only). Its
 * `DurationSeconds` is the console session's length.
 */
export async function getFederationToken(
  sts: Pick<STSClient, 'send'>,
  input: { userArn: string; durationSeconds: number; profile?: string; region?: string },
): Promise<FederationToken> {
  const { GetFederationTokenCommand } = stsSdk();
  let out;
  try {
    out = await sts.send(
      new GetFederationTokenCommand({
        Name: federatedUserName(input.userArn),
        Policy: FEDERATION_POLICY,
        DurationSeconds: input.durationSeconds,
      }),
    );
  } catch (err) {
    const explained = explainAwsError(err, {
      action: 'GetFederationToken',
      profile: input.profile,
      region: input.region,
    });
    if (explained.awsCode !== 'AccessDenied') throw explained;
    throw new TempcredsError(explained.message, {
      kind: 'aws',
      awsCode: 'AccessDenied',
      fix: `Long-lived keys sign in to the console through sts:GetFederationToken: allow it to ${input.userArn}, or sign in to a role instead: tempcreds console ROLE${input.profile ? ` --source-profile ${input.profile}` : ''}`,
      cause: err,
    });
  }
  return {
    credentials: sessionCredentialsOf(out.Credentials, 'GetFederationToken'),
    federatedUserArn: out.FederatedUser?.Arn ?? '',
  };
}
