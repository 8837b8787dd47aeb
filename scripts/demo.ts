/**
 * `npm run demo`: the runbook (../shared/seed/runbook.md), done with tempcreds, narrated, on a
 * local AWS (moto) in the China partition. Uses a temporary HOME: nothing touches your ~/.aws,
 * and nothing is left running.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startLocalAws, type LocalAws } from '../test/support/localAws.js';
import { CLI, makeTempHome, type TempHome } from '../test/support/cli.js';
import { agentDemo } from './demoAgent.js';

// The SDK warns about Node 20 when the first client is made; the CLI hides that, and so does its demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'cn-northwest-1';
const ROLE = 'target-role-name';
const STREAM = 'iot-data-collector';
const BUCKET = 'serverless-hands-on';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

let stepNumber = 0;
function step(title: string, why: string): void {
  stepNumber += 1;
  console.log(`\n${bold(`${stepNumber}. ${title}`)}\n${dim(why)}`);
}

/** Runs tempcreds as a user would type it, showing the command; fails the demo on a surprise. */
function tempcreds(home: TempHome, env: NodeJS.ProcessEnv, args: string[], expectCode = 0): string {
  console.log(`$ tempcreds ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
  const result = spawnSync(process.execPath, [CLI, ...args], { env, cwd: home.home, encoding: 'utf8' });
  process.stdout.write(result.stdout);
  process.stdout.write(result.stderr);
  if (result.status !== expectCode) {
    throw new Error(`tempcreds ${args[0]} exited ${result.status}, expected ${expectCode}`);
  }
  return result.stdout;
}

async function adminCreates(aws: LocalAws): Promise<void> {
  const config = aws.adminClientConfig(REGION);
  const iam = new IAMClient(config);
  const s3 = new S3Client(config);
  const firehose = new FirehoseClient(config);
  const trustFirehose = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  const delivery = await iam.send(
    new CreateRoleCommand({
      RoleName: 'firehose_delivery_role',
      AssumeRolePolicyDocument: JSON.stringify(trustFirehose),
    }),
  );
  // The work role: it may put records and sync files; who may assume it is setup's business.
  await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: 'collector',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 's3:*',
            Resource: [`arn:aws-cn:s3:::${BUCKET}`, `arn:aws-cn:s3:::${BUCKET}/*`],
          },
        ],
      }),
    }),
  );
  await s3.send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: STREAM,
      ExtendedS3DestinationConfiguration: {
        RoleARN: delivery.Role!.Arn!,
        BucketARN: `arn:aws-cn:s3:::${BUCKET}`,
        Prefix: 'firehose/',
      },
    }),
  );
  console.log(`role ${ROLE}, bucket ${BUCKET}, delivery stream ${STREAM} -> s3://${BUCKET}/firehose/`);
}

async function objectTexts(aws: LocalAws, prefix: string): Promise<Array<[string, string]>> {
  const s3 = new S3Client(aws.adminClientConfig(REGION));
  // No Prefix: moto's signature check rejects valid listings with "/" in the prefix (aws-facts.md).
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const out: Array<[string, string]> = [];
  for (const { Key } of (listed.Contents ?? []).filter((o) => o.Key!.startsWith(prefix))) {
    const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    out.push([Key!, await body.Body!.transformToString()]);
  }
  return out;
}

async function demo(): Promise<void> {
  console.log(bold('tempcreds: the runbook, on a local AWS in the China partition (cn-northwest-1)'));
  const aws = await startLocalAws({ region: REGION });
  const home = await makeTempHome();
  try {
    // Every AWS call goes to the local AWS; the profiles live in the temporary HOME.
    const env = home.env({ AWS_ENDPOINT_URL: aws.endpoint });
    await writeFile(
      home.credentialsFile,
      `[admin]\naws_access_key_id = ${aws.admin.accessKeyId}\naws_secret_access_key = ${aws.admin.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    await writeFile(home.configFile, `[profile admin]\nregion = ${REGION}\n`);
    console.log(dim(`local AWS (moto) at ${aws.endpoint}, IAM enforcement on; HOME=${home.home}`));

    step(
      'The administrator has a role, a bucket and a delivery stream',
      'What exists before the runbook starts.',
    );
    await adminCreates(aws);

    step(
      'Steps 1-4 in one command: policy, user, key, trust, MaxSessionDuration',
      'Idempotent; the secret goes straight into [sts_user] of the credentials file, never to the screen.',
    );
    tempcreds(home, env, [
      'setup',
      '--profile',
      'admin',
      '--role',
      ROLE,
      '--max-session-duration',
      '43200',
      '--yes',
    ]);
    step('Run it again', 'Nothing left to do.');
    tempcreds(home, env, [
      'setup',
      '--profile',
      'admin',
      '--role',
      ROLE,
      '--max-session-duration',
      '43200',
      '--yes',
    ]);

    step('When AssumeRole fails, doctor says why', 'A role that does not trust sts_user:');
    await new IAMClient(aws.adminClientConfig(REGION)).send(
      new CreateRoleCommand({
        RoleName: 'broken-role',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    tempcreds(
      home,
      env,
      ['doctor', 'broken-role', '--source-profile', 'sts_user', '--admin-profile', 'admin'],
      1,
    );

    step(
      'Step 5: temporary credentials into target-role-profile',
      'max asks AWS for the longest session the role allows (12h here). The region lands in [profile target-role-profile], not [default].',
    );
    tempcreds(home, env, [
      'assume',
      ROLE,
      '--source-profile',
      'sts_user',
      '--duration',
      'max',
      '--write-profile',
      'target-role-profile',
    ]);
    console.log(dim(`--- ${home.configFile}`));
    console.log((await readFile(home.configFile, 'utf8')).trim());
    step(
      'The same keys as exports for any shell',
      'PowerShell, for the Windows collectors (secrets shown here only because this AWS is local):',
    );
    tempcreds(home, env, ['assume', ROLE, '--source-profile', 'sts_user', '--format', 'powershell']);

    step(
      'The runbook firehose put-record, as written',
      `--record '{"Data":"SGVsbG8gd29ybGQ="}' is base64, as in the AWS CLI v2.`,
    );
    tempcreds(home, env, [
      'firehose',
      'put',
      STREAM,
      '--record',
      '{"Data":"SGVsbG8gd29ybGQ="}',
      '--profile',
      'target-role-profile',
    ]);
    for (const [key, text] of await objectTexts(aws, 'firehose/'))
      console.log(`delivered s3://${BUCKET}/${key}: ${JSON.stringify(text)}`);

    step(
      '10,000 sensor readings, batched',
      'One process, PutRecordBatch calls of up to 500 records, retries for failed entries.',
    );
    const readings = join(home.home, 'readings.jsonl');
    await writeFile(
      readings,
      Array.from({ length: 10_000 }, (_, i) =>
        JSON.stringify({ sensor: `s${i % 17}`, t: i, value: (i * 7) % 100 }),
      ).join('\n') + '\n',
    );
    tempcreds(home, env, [
      'firehose',
      'put',
      STREAM,
      '--file',
      readings,
      '--append-newline',
      '--profile',
      'target-role-profile',
    ]);

    step(
      's3 sync of the collector folder',
      `To s3://${BUCKET}/rclone_copy/windows_s3cli/, as in the runbook; a second run copies nothing.`,
    );
    // moto's own S3 signature check rejects valid listings with "/" in the prefix (aws-facts.md).
    await aws.setEnforcement(false);
    const folder = join(home.home, 'rclone_copy');
    await mkdir(join(folder, 'logs', '2026-11-28'), { recursive: true });
    await writeFile(join(folder, 'readme.txt'), 'collector data\n');
    await writeFile(join(folder, 'logs', '2026-11-28', 'edge 01.log'), 'temp=21.5\n'.repeat(1000));
    await writeFile(join(folder, 'logs', '2026-11-28', 'edge+02.log'), 'temp=19.0\n'.repeat(500));
    const destination = `s3://${BUCKET}/rclone_copy/windows_s3cli/`;
    tempcreds(home, env, ['s3', 'sync', folder, destination, '--profile', 'target-role-profile']);
    tempcreds(home, env, ['s3', 'sync', folder, destination, '--profile', 'target-role-profile']);
    await aws.setEnforcement(true);

    step(
      'A profile that refreshes itself',
      'For machines that run for days: every AWS CLI and SDK renews the session from sts_user as needed.',
    );
    tempcreds(home, env, [
      'configure',
      ROLE,
      '--profile-name',
      'iot-collector',
      '--source-profile',
      'sts_user',
      '--duration',
      'max',
    ]);
    tempcreds(home, env, ['whoami', '--profile', 'iot-collector', '--output', 'text']);

    await agentDemo({
      home,
      env,
      endpoint: aws.endpoint,
      region: REGION,
      role: ROLE,
      stream: STREAM,
      step,
      tempcreds: (args, expectCode) => tempcreds(home, env, args, expectCode),
      deliveredTexts: async () => (await objectTexts(aws, 'firehose/')).map(([, text]) => text),
      dim,
    });

    console.log(
      `\n${bold('Done.')} The runbook took ${stepNumber} steps here, with no secret on a command line.`,
    );
  } finally {
    await aws.stop();
    await home.cleanup();
  }
}

demo().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
