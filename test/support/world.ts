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
import { runbookPolicyDocument } from '../../src/iam/runbookPolicy.js';
import { startLocalAws, type LocalAws, type StaticKeys } from './localAws.js';
import { startAwsProxy, type AwsProxy } from './awsProxy.js';
import { makeTempHome, type TempHome } from './cli.js';

/** Step 1's document, as the product writes it. */
export const ASSUME_ONLY_POLICY = runbookPolicyDocument();

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

/** moto, optionally the AWS-fidelity proxy in front of it, one runbook world, and a HOME with `[sts_user]`. */
export interface RunbookFixture {
  aws: LocalAws;
  /** Present when started with `proxy: true`; then `endpoint` is the proxy's. */
  proxy: AwsProxy | undefined;
  /** Where the CLI under test sends its calls (`AWS_ENDPOINT_URL` in `env()`). */
  endpoint: string;
  home: TempHome;
  world: World;
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startRunbookFixture(options: {
  region: string;
  proxy?: boolean;
  world?: WorldOptions;
}): Promise<RunbookFixture> {
  const aws = await startLocalAws({ region: options.region });
  const proxy = options.proxy
    ? await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: options.region })
    : undefined;
  const world = await createWorld(aws, options.world);
  const home = await makeTempHome();
  await writeKeysProfile(home, 'sts_user', world.userKeys, options.region);
  const endpoint = proxy?.endpoint ?? aws.endpoint;
  return {
    aws,
    proxy,
    endpoint,
    home,
    world,
    // Children here are Node programs using the SDK: keep its Node 20 notice out of their stderr.
    env: (extra = {}) =>
      home.env({
        AWS_ENDPOINT_URL: endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...extra,
      }),
    async stop() {
      await proxy?.stop();
      await aws.stop();
      await home.cleanup();
    },
  };
}
