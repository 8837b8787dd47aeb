/**
 * A device with a certificate and no access key, end to end: the administrator runs `iot setup`,
 * the device gets the directory and runs `iot configure`, then `whoami`, `credential-process`,
 * `exec -- aws sts get-caller-identity` (the AWS CLI v2), `firehose put` and `s3 sync` through
 * the local credentials provider, as the role. Sessions of a few seconds (the AWS-fidelity proxy
 * refuses them afterwards) prove a long put survives refreshes; revoking the certificate mid-run
 * proves the next refresh fails with the explanation and loses nothing.
 */
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIdOf } from '../../../src/iot/deviceFiles.js';
import { startAgent, waitFor, writeConfig } from '../agent/agentWorld.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { ACCOUNT, startIotWorld, type IotWorld } from '../../support/iot/world.js';

const REGION = 'cn-northwest-1';
const ROLE = 'collector';
const STREAM = 'iot-data-collector';
const BUCKET = 'serverless-hands-on';

/** Every file under a directory, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath ?? dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('a device with only its certificate (aws-cn)', () => {
  let world: IotWorld;
  let admin: TempHome;
  let device: TempHome;
  let deviceEnv: NodeJS.ProcessEnv;
  let certificateId: string;
  let s3: S3Client;

  const onDevice = (args: string[], timeoutMs?: number) =>
    runCli([...args, '--profile', 'device'], { env: deviceEnv, cwd: device.home, timeoutMs });
  const objects = async (prefix: string) => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return Promise.all(
      (page.Contents ?? []).map(async (o) => ({
        key: o.Key!,
        body: await (
          await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }))
        ).Body!.transformToString(),
      })),
    );
  };
  const deliveredLines = async () =>
    (await objects('readings/')).flatMap((o) => o.body.split('\n').filter(Boolean));

  beforeAll(async () => {
    world = await startIotWorld({ region: REGION, awsProxy: true });
    const config = world.aws.adminClientConfig();
    s3 = new S3Client(config);
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await new FirehoseClient(config).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: STREAM,
        ExtendedS3DestinationConfiguration: {
          RoleARN: `arn:aws-cn:iam::${ACCOUNT}:role/firehose_delivery_role`,
          BucketARN: `arn:aws-cn:s3:::${BUCKET}`,
          Prefix: 'readings/',
        },
      }),
    );
    await world.iam().send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    // The administrator's side.
    admin = await world.adminHome();
    const setup = await world.adminCli(admin)([
      'iot',
      'setup',
      '--thing',
      'collector-0001',
      '--role',
      ROLE,
      '--create-keys',
      '--out',
      'collector-0001',
    ]);
    expect(setup.code, setup.stderr).toBe(0);
    // The device's side: the directory, and a profile written from it. Nothing else.
    device = await makeTempHome();
    await cp(join(admin.home, 'collector-0001'), join(device.home, 'tempcreds-device'), { recursive: true });
    deviceEnv = device.env({
      ...(await world.deviceEnv(join(device.home, 'test-provider'))),
      AWS_ENDPOINT_URL: world.awsProxy!.endpoint,
    });
    const configured = await runCli(
      ['iot', 'configure', '--dir', 'tempcreds-device', '--profile-name', 'device'],
      {
        env: deviceEnv,
        cwd: device.home,
      },
    );
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(
      /^Wrote \[profile device\] \(IoT, thing collector-0001, role alias collector-alias\) to .*; checked: AWS IoT issued a session until /,
    );
    // AWS's certificateId (SHA-256 of the DER), what the device computes itself; moto's differs (motoVsAws.test.ts).
    certificateId = certificateIdOf(
      await readFile(join(device.home, 'tempcreds-device', 'certificate.pem.crt'), 'utf8'),
    );
  });
  afterAll(async () => {
    s3?.destroy();
    await admin?.cleanup();
    await device?.cleanup();
    await world?.stop();
  });

  it('holds no access key anywhere: a certificate, its key (0600), the CA, device.json and the profile', async () => {
    const files = await filesUnder(device.home);
    for (const file of files)
      expect(await readFile(file, 'utf8'), file).not.toMatch(/aws_access_key_id|AKIA|ASIA/);
    expect((await stat(join(device.home, 'tempcreds-device', 'private.pem.key'))).mode & 0o777).toBe(0o600);
    const config = await readFile(device.configFile, 'utf8');
    expect(config).toContain(
      `tempcreds_iot_key = ${join(device.home, 'tempcreds-device', 'private.pem.key')}`,
    );
    expect(config).toContain('credential_process = ');
  });

  it('whoami: the role, in a session named after the certificate', async () => {
    const r = await onDevice(['whoami', '--output', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      Arn: `arn:aws-cn:sts::${ACCOUNT}:assumed-role/${ROLE}/${certificateId}`,
      Region: REGION,
      Partition: 'aws-cn',
    });
  });

  it('credential-process --profile: credential_process JSON, the second call from the cache', async () => {
    world.provider.clearLog();
    const first = await onDevice(['credential-process']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      Version: 1,
      AccessKeyId: expect.any(String),
      SessionToken: expect.any(String),
    });
    const second = await onDevice(['credential-process']);
    expect(second.stdout).toBe(first.stdout);
    expect(world.provider.log.length).toBe(1);
  });

  it('exec -- the AWS CLI v2: the child runs as the role', async () => {
    // --profile goes before `--`: what follows is the child's command line.
    // AWS CLI 2.9 reads no AWS_ENDPOINT_URL: the local AWS is named on its command line.
    const local = ['--endpoint-url', world.awsProxy!.endpoint];
    const command = ['/usr/bin/aws', 'sts', 'get-caller-identity', '--output', 'json', ...local];
    const r = await runCli(['exec', '--profile', 'device', '--', ...command], {
      env: deviceEnv,
      cwd: device.home,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Arn).toBe(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/${ROLE}/${certificateId}`);
  });

  it('exec --server: the child reads refreshing credentials from the local endpoint, as the role', async () => {
    const local = ['--endpoint-url', world.awsProxy!.endpoint];
    const command = ['/usr/bin/aws', 'sts', 'get-caller-identity', '--output', 'json', ...local];
    const r = await runCli(['exec', '--server', '--profile', 'device', '--', ...command], {
      env: deviceEnv,
      cwd: device.home,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Arn).toBe(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/${ROLE}/${certificateId}`);
  });

  it('firehose put and s3 sync, as the role', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => `{"reading":${i}}`);
    await writeFile(join(device.home, 'readings.jsonl'), lines.join('\n'));
    const put = await onDevice(['firehose', 'put', STREAM, '--file', 'readings.jsonl', '--append-newline']);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stderr).toMatch(/1200 records/);
    expect((await deliveredLines()).sort()).toEqual([...lines].sort());

    await mkdir(join(device.home, 'out', 'day1'), { recursive: true });
    await writeFile(join(device.home, 'out', 'day1', 'a.csv'), 'a,b\n1,2\n');
    await writeFile(join(device.home, 'out', 'b.txt'), 'hello\n');
    const sync = await onDevice(['s3', 'sync', 'out', `s3://${BUCKET}/rclone_copy/`]);
    expect(sync.code, sync.stderr).toBe(0);
    expect((await objects('rclone_copy/')).map((o) => o.key).sort()).toEqual([
      'rclone_copy/b.txt',
      'rclone_copy/day1/a.csv',
    ]);
  });

  it('the agent with credentials: { profile: device } ships a log through the IoT session', async () => {
    const dir = join(device.home, 'agent');
    await mkdir(join(dir, 'logs'), { recursive: true });
    const log = join(dir, 'logs', 'collector.log');
    await writeFile(log, '{"agent":1}\n{"agent":2}\n');
    const config = await writeConfig(
      dir,
      [
        'credentials: { profile: device }',
        `region: ${REGION}`,
        `endpointUrl: ${world.awsProxy!.endpoint}`,
        `stateDir: ${join(dir, 'state')}`,
        'pollInterval: 50ms',
        'drainTimeout: 5s',
        'flows:',
        `  - { name: readings, files: [${JSON.stringify(join(dir, 'logs', '*.log'))}], deliveryStream: ${STREAM}, startAt: beginning, flushInterval: 200ms }`,
        '',
      ].join('\n'),
    );
    const agent = await startAgent(config, deviceEnv);
    await waitFor(
      '2 agent lines',
      async () => (await deliveredLines()).filter((l) => l.includes('agent')).length >= 2,
    );
    expect(await agent.stop()).toBe(0);
  });

  it('sessions of 4 seconds: a long firehose put refreshes through the provider and loses nothing', async () => {
    world.awsProxy!.setSessionLifetime(4);
    world.provider.clearLog();
    try {
      const lines = Array.from({ length: 6000 }, (_, i) => `{"long":${i}}`);
      await writeFile(join(device.home, 'long.jsonl'), lines.join('\n'));
      const before = (await deliveredLines()).length;
      // 12 calls of 500, one at a time, 1 s apart: three lifetimes and more.
      const r = await onDevice([
        'firehose',
        'put',
        STREAM,
        '--file',
        'long.jsonl',
        '--append-newline',
        '--concurrency',
        '1',
        '--pause-ms',
        '1000',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/6000 records, \d+ bytes, 12 calls, 0 retries, 0 failed/);
      expect((await deliveredLines()).length - before).toBe(6000);
      expect(world.provider.log.filter((e) => e.status === 200).length).toBeGreaterThanOrEqual(3);
    } finally {
      world.awsProxy!.setSessionLifetime(undefined);
    }
  });

  it('the certificate revoked mid-run: the next refresh fails with AWS’s words and the fix, and nothing read is lost', async () => {
    world.awsProxy!.setSessionLifetime(4);
    try {
      const lines = Array.from({ length: 6000 }, (_, i) => `{"revoked":${i}}`);
      await writeFile(join(device.home, 'revoked.jsonl'), lines.join('\n'));
      const before = new Set(await deliveredLines());
      const running = onDevice(
        [
          'firehose',
          'put',
          STREAM,
          '--file',
          'revoked.jsonl',
          '--append-newline',
          '--concurrency',
          '1',
          '--pause-ms',
          '1000',
          '--failed-file',
          'unsent.jsonl',
        ],
        90_000,
      );
      await new Promise((r) => setTimeout(r, 2500));
      const motoId = JSON.parse(
        await readFile(join(device.home, 'tempcreds-device', 'device.json'), 'utf8'),
      ).certificateId;
      await world.iot().send(new UpdateCertificateCommand({ certificateId: motoId, newStatus: 'REVOKED' }));
      const r = await running;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Certificate is invalid on this endpoint');
      expect(r.stderr).toContain(`the certificate (id ${certificateId}) is not ACTIVE`);
      expect(r.stderr).toContain(
        `fix: Check it: aws iot describe-certificate --certificate-id ${certificateId} --region ${REGION}`,
      );
      const delivered = (await deliveredLines()).filter((l) => !before.has(l));
      const unsent = (await readFile(join(device.home, 'unsent.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => Buffer.from(JSON.parse(l).Data, 'base64').toString().trim());
      // What was read and not delivered is in the failed file; what was not read yet, the message says.
      const from =
        /Lines from ([\d,]+) of revoked\.jsonl on were not read; send them with: tail -n \+\d+ /.exec(
          r.stderr,
        );
      const unread = from ? lines.slice(Number(from[1]!.replace(/,/g, '')) - 1) : [];
      expect(delivered.length).toBeGreaterThan(0);
      expect(unsent.length).toBeGreaterThan(0);
      expect([...delivered, ...unsent, ...unread].sort()).toEqual([...lines].sort());
    } finally {
      world.awsProxy!.setSessionLifetime(undefined);
    }
  });
});
