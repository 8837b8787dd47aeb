/**
 * The Firehose world of the integration tests, on moto with IAM enforcement on: a bucket and a
 * delivery stream (made by the administrator), the runbook's `sts_user` that may only assume, and a
 * role that may only put records. The AWS files live in a temporary HOME.
 */
import { writeFile } from 'node:fs/promises';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  FirehoseClient,
} from '@aws-sdk/client-firehose';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  startAwsProxy,
  type AwsProxy,
  type ErrorFault,
  type NetworkFault,
  type PartialFailureFault,
} from '../../support/awsProxy.js';
import { makeTempHome, type TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws, type StaticKeys } from '../../support/localAws.js';

export const STREAM = 'iot-data-collector';
export const BUCKET = 'serverless-hands-on';
export const ROLE = 'firehose-writer';
export const REGION = 'us-east-1';

export interface FirehoseWorld {
  aws: LocalAws;
  proxy: AwsProxy;
  home: TempHome;
  stsUser: StaticKeys;
  roleArn: string;
  /** Environment for the CLI: the temp HOME, `sts_user` in its files, nothing else. */
  env: NodeJS.ProcessEnv;
  /** Every record delivered so far, split on the newlines `--append-newline` added. */
  deliveredLines(): Promise<string[]>;
  /** Every S3 object's bytes, in no particular order. */
  deliveredObjects(): Promise<Buffer[]>;
  /** Deletes the delivery stream (as a user might, mid-run), and makes it again. */
  deleteStream(): Promise<void>;
  createStream(): Promise<void>;
  /** Empties the bucket and the proxy's faults, log and session lifetime. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFirehoseWorld(): Promise<FirehoseWorld> {
  const aws = await startLocalAws({ region: REGION });
  const admin = aws.adminClientConfig();
  const iam = new IAMClient(admin);
  const s3 = new S3Client(admin);
  const firehose = new FirehoseClient(admin);

  await iam.send(new CreateUserCommand({ UserName: 'sts_user' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'sts_user',
      PolicyName: 'STSAssumeRolePolicy',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: '*' }],
      }),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'sts_user' }));
  const stsUser = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::123456789012:user/sts_user` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: 'put-records-only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: '*' },
        ],
      }),
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const createStream = async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: STREAM,
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::123456789012:role/firehose_delivery_role',
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: 'iot/',
        },
      }),
    );
  };
  await createStream();

  const proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: REGION });
  const home = await makeTempHome();
  await writeFile(
    home.credentialsFile,
    `[sts_user]\naws_access_key_id = ${stsUser.accessKeyId}\naws_secret_access_key = ${stsUser.secretAccessKey}\n`,
  );
  await writeFile(
    home.configFile,
    `[profile sts_user]\nregion = ${REGION}\n\n[profile target-role-profile]\nrole_arn = ${Role!.Arn}\nsource_profile = sts_user\nregion = ${REGION}\n`,
  );

  const keys = async () => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };
  const deliveredObjects = async () =>
    Promise.all(
      (await keys()).map(async (Key) => {
        const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
        return Buffer.from(await body.Body!.transformToByteArray());
      }),
    );

  return {
    aws,
    proxy,
    home,
    stsUser,
    roleArn: Role!.Arn!,
    env: home.env({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }),
    deliveredObjects,
    createStream,
    async deleteStream() {
      await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: STREAM }));
    },
    async deliveredLines() {
      const objects = await deliveredObjects();
      return objects.flatMap((body) => {
        const text = body.toString('utf8');
        if (!text.endsWith('\n'))
          throw new Error(`an object does not end with a newline: ${JSON.stringify(text.slice(-40))}`);
        return text.slice(0, -1).split('\n');
      });
    },
    async clear() {
      proxy.clearFaults();
      proxy.clearLog();
      proxy.setSessionLifetime(undefined);
      const all = await keys();
      for (let i = 0; i < all.length; i += 1000) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: BUCKET,
            Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })) },
          }),
        );
      }
    },
    async stop() {
      iam.destroy();
      s3.destroy();
      firehose.destroy();
      await proxy.stop();
      await home.cleanup();
      await aws.stop();
    },
  };
}

/** `n` distinct lines, `tag-00001 ...`, some with multibyte text, for multiset comparison. */
export function numberedLines(n: number, tag = 'rec'): string[] {
  return Array.from(
    { length: n },
    (_, i) => `${tag}-${String(i + 1).padStart(5, '0')} {"t":${(i % 97) / 4},"s":"ü€${i % 13}"}`,
  );
}

/** Sorted copies, so two multisets of lines compare with toEqual (duplicates and losses both show). */
export const sorted = (lines: readonly string[]) => [...lines].sort();

/** Whole PutRecordBatch calls refused as Firehose does when throttling (503 ServiceUnavailableException by default). */
export const throttled = (times: number, code = 'ServiceUnavailableException'): ErrorFault => ({
  kind: 'error',
  service: 'firehose',
  action: 'PutRecordBatch',
  code,
  times,
});

/** Whole PutRecordBatch calls refused for good, as when the role lost firehose:PutRecordBatch. */
export const accessDenied = (times: number): ErrorFault => ({
  kind: 'error',
  service: 'firehose',
  action: 'PutRecordBatch',
  code: 'AccessDeniedException',
  status: 400,
  message: `User: arn:aws:sts::123456789012:assumed-role/${ROLE}/session is not authorized to perform: firehose:PutRecordBatch`,
  times,
});

/** PutRecordBatch calls that succeed but fail (and do not deliver) the chosen entries. */
export const partlyFailing = (
  failing: PartialFailureFault['failing'],
  times: number,
  errorCode?: string,
): PartialFailureFault => ({ kind: 'partialFailure', service: 'firehose', failing, times, errorCode });

/** PutRecordBatch calls carried out by moto (their records delivered) whose answer is then lost: the connection is reset. */
export const answersLost = (times: number): NetworkFault => ({
  kind: 'network',
  service: 'firehose',
  action: 'PutRecordBatch',
  answerLost: true,
  times,
});

/** PutRecordBatch connections dropped without an answer. */
export const dropped = (times: number): NetworkFault => ({
  kind: 'network',
  service: 'firehose',
  action: 'PutRecordBatch',
  times,
});
