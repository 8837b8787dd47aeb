/**
 * The runbook's world, built with plain administrator SDK calls: an assume-only policy, the user
 * `sts_user` with a key, and a role that trusts it. Tests of assume/exec/configure start from here.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { appendFile, writeFile } from 'node:fs/promises';
import type { LocalAws, StaticKeys } from './localAws.js';
import type { TempHome } from './cli.js';

export const ASSUME_ONLY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'VisualEditor0',
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'],
      Resource: '*',
    },
  ],
};

export interface World {
  accountId: string;
  partition: string;
  userName: string;
  userArn: string;
  userKeys: StaticKeys;
  roleName: string;
  roleArn: string;
}

export interface WorldOptions {
  userName?: string;
  roleName?: string;
  maxSessionDuration?: number;
  /** Trust policy Condition for the user's statement (e.g. sts:ExternalId). */
  trustCondition?: Record<string, unknown>;
  /** More principals the role trusts besides the user (e.g. another role, for chaining). */
  alsoTrusted?: string[];
  /** Extra permissions for the role itself (e.g. assume another role, for chaining). */
  rolePolicy?: Record<string, unknown>;
}

let counter = 0;

export async function createWorld(aws: LocalAws, options: WorldOptions = {}): Promise<World> {
  counter += 1;
  const iam = new IAMClient(aws.adminClientConfig());
  const userName = options.userName ?? `sts_user${counter}`;
  const roleName = options.roleName ?? `target-role-name${counter}`;
  const partition = aws.region.startsWith('cn-')
    ? 'aws-cn'
    : aws.region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  const accountId = '123456789012';
  const userArn = `arn:${partition}:iam::${accountId}:user/${userName}`;

  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `STSAssumeRolePolicy${counter}`,
      PolicyDocument: JSON.stringify(ASSUME_ONLY_POLICY),
    }),
  );
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: Policy!.Arn! }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: options.alsoTrusted ? [userArn, ...options.alsoTrusted] : userArn },
        Action: 'sts:AssumeRole',
        ...(options.trustCondition ? { Condition: options.trustCondition } : {}),
      },
    ],
  };
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify(trust),
      MaxSessionDuration: options.maxSessionDuration,
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'work',
      PolicyDocument: JSON.stringify(
        options.rolePolicy ?? {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['firehose:*', 's3:*', 'sts:GetCallerIdentity', 'sts:AssumeRole'],
              Resource: '*',
            },
          ],
        },
      ),
    }),
  );
  iam.destroy();
  return {
    accountId,
    partition,
    userName,
    userArn,
    userKeys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
    roleName,
    roleArn: Role!.Arn!,
  };
}

/** `aws configure --profile NAME`, done by hand: keys in credentials, region in config. */
export async function writeKeysProfile(
  home: TempHome,
  name: string,
  keys: StaticKeys,
  region?: string,
): Promise<void> {
  await appendFile(
    home.credentialsFile,
    `[${name}]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    {
      mode: 0o600,
    },
  );
  if (region) {
    const section = name === 'default' ? 'default' : `profile ${name}`;
    await appendFile(home.configFile, `[${section}]\nregion = ${region}\n`);
  }
}

export async function writeFiles(home: TempHome, config: string, credentials: string): Promise<void> {
  await writeFile(home.configFile, config);
  await writeFile(home.credentialsFile, credentials, { mode: 0o600 });
}
