import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { startLocalAws, type LocalAws } from '../support/localAws.js';
import { startAwsProxy, type AwsProxy } from '../support/awsProxy.js';

const ACCOUNT = '123456789012';
const MAX_SESSION_MESSAGE = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
const CHAINING_MESSAGE =
  'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';

describe('AWS-fidelity proxy in front of moto (enforcement on)', () => {
  let aws: LocalAws;
  let proxy: AwsProxy;
  let iam: IAMClient; // straight to moto, as the administrator: setup and checks
  let roleCount = 0;

  /** SDK client config that goes through the proxy; one attempt unless told, so the log counts calls. */
  const viaProxy = (credentials: AwsCredentialIdentity = aws.admin, maxAttempts = 1) => ({
    region: aws.region,
    endpoint: proxy.endpoint,
    credentials,
    forcePathStyle: true,
    maxAttempts,
  });

  /** A role anyone in the account may assume, allowed to do everything. */
  async function createRole(maxSessionDuration = 3600): Promise<string> {
    const RoleName = `role${++roleCount}`;
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName,
        MaxSessionDuration: maxSessionDuration,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            // moto matches trust principals literally: the account root would not cover its users.
            { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    return Role!.Arn!;
  }

  async function assumeRole(
    roleArn: string,
    durationSeconds?: number,
    as: AwsCredentialIdentity = aws.admin,
  ) {
    const sts = new STSClient(viaProxy(as));
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's', DurationSeconds: durationSeconds }),
    );
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
      expiration: c.Expiration!,
    };
  }

  /** A bucket and a Firehose stream that delivers into it (moto writes one object per call, at once). */
  async function createStream(name: string): Promise<void> {
    await new S3Client(aws.adminClientConfig()).send(new CreateBucketCommand({ Bucket: name }));
    await new FirehoseClient(aws.adminClientConfig()).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        ExtendedS3DestinationConfiguration: {
          RoleARN: await createRole(),
          BucketARN: `arn:aws:s3:::${name}`,
        },
      }),
    );
  }

  /** Every object in the bucket, read straight from moto (prefix-less listing: see aws-facts.md). */
  async function delivered(bucket: string): Promise<string[]> {
    const s3 = new S3Client(aws.adminClientConfig());
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return Promise.all(
      Contents.map(async ({ Key }) =>
        (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString(),
      ),
    );
  }

  const records = (...data: string[]) => data.map((d) => ({ Data: Buffer.from(d) }));
  const byProxy = () => proxy.log.filter((e) => e.answeredByProxy).length;

  beforeAll(async () => {
    aws = await startLocalAws();
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: aws.region });
    iam = new IAMClient(aws.adminClientConfig());
  });
  afterAll(async () => {
    await proxy?.stop();
    await aws?.stop();
  });
  beforeEach(() => {
    proxy.clearLog();
    proxy.clearFaults();
    proxy.setSessionLifetime(undefined);
  });

  describe('pass-through', () => {
    it('forwards signed STS and IAM calls untouched, so moto verifies the client signature', async () => {
      const me = await new STSClient(viaProxy()).send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/admin`);
      await new IAMClient(viaProxy()).send(
        new CreateRoleCommand({ RoleName: 'through-proxy', AssumeRolePolicyDocument: '{}' }),
      );
      expect((await iam.send(new GetRoleCommand({ RoleName: 'through-proxy' }))).Role?.RoleName).toBe(
        'through-proxy',
      );
      expect(proxy.log).toEqual([
        {
          service: 'sts',
          action: 'GetCallerIdentity',
          accessKeyId: aws.admin.accessKeyId,
          status: 200,
          answeredByProxy: false,
          params: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        },
        {
          service: 'iam',
          action: 'CreateRole',
          accessKeyId: aws.admin.accessKeyId,
          status: 200,
          answeredByProxy: false,
          params: {
            Action: 'CreateRole',
            Version: '2010-05-08',
            RoleName: 'through-proxy',
            AssumeRolePolicyDocument: '{}',
          },
        },
      ]);
    });

    it('passes moto refusals on: a wrong secret is still SignatureDoesNotMatch', async () => {
      const forged = { accessKeyId: aws.admin.accessKeyId, secretAccessKey: 'wrong' };
      await expect(
        new STSClient(viaProxy(forged)).send(new GetCallerIdentityCommand({})),
      ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
      expect(proxy.log).toMatchObject([{ status: 403, answeredByProxy: false }]);
    });

    it('streams S3 bodies both ways and names S3 actions by method and path', async () => {
      const s3 = new S3Client(viaProxy());
      await s3.send(new CreateBucketCommand({ Bucket: 'passthrough' }));
      const body = 'x'.repeat(300_000);
      await s3.send(new PutObjectCommand({ Bucket: 'passthrough', Key: 'big', Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'passthrough', Key: 'big' }));
      expect(await got.Body!.transformToString()).toBe(body);
      await s3.send(new ListObjectsV2Command({ Bucket: 'passthrough' }));
      expect(proxy.log.map((e) => `${e.service}:${e.action}:${e.status}`)).toEqual([
        's3:CreateBucket:200',
        's3:PutObject:200',
        's3:GetObject:200',
        's3:ListObjectsV2:200',
      ]);
    });
  });

  describe('AssumeRole limits moto does not enforce', () => {
    it('refuses DurationSeconds above the role MaxSessionDuration, as AWS does', async () => {
      const roleArn = await createRole(7200);
      const refused = await assumeRole(roleArn, 7201).catch((e: unknown) => e);
      expect(refused).toMatchObject({
        name: 'ValidationError',
        message: MAX_SESSION_MESSAGE,
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(assumeRole(roleArn, 7200)).resolves.toMatchObject({ accessKeyId: expect.any(String) });
      await expect(assumeRole(roleArn, 900)).resolves.toBeDefined();
      expect(proxy.log.map((e) => [e.action, e.status, e.answeredByProxy])).toEqual([
        ['AssumeRole', 400, true],
        ['AssumeRole', 200, false],
        ['AssumeRole', 200, false],
      ]);
    });

    it('reads MaxSessionDuration afresh: UpdateRole takes effect at once', async () => {
      const roleArn = await createRole(3600);
      await expect(assumeRole(roleArn, 5000)).rejects.toMatchObject({ message: MAX_SESSION_MESSAGE });
      await iam.send(new UpdateRoleCommand({ RoleName: roleArn.split('/').pop(), MaxSessionDuration: 5000 }));
      await expect(assumeRole(roleArn, 5000)).resolves.toBeDefined();
    });

    it('caps role chaining at one hour', async () => {
      const first = await createRole(43200);
      const second = await createRole(43200);
      const session = await assumeRole(first, 7200); // from a user: not chaining
      await expect(assumeRole(second, 3601, session)).rejects.toMatchObject({
        name: 'ValidationError',
        message: CHAINING_MESSAGE,
      });
      await expect(assumeRole(second, 3600, session)).resolves.toBeDefined();
      await expect(assumeRole(second, undefined, session)).resolves.toBeDefined();
      // The same duration from a user is fine: only role sessions are capped.
      await expect(assumeRole(second, 7200)).resolves.toBeDefined();
    });
  });

  describe('credential expiry', () => {
    it('rewrites Expiration and refuses expired keys in each service own shape, without retries', async () => {
      await createStream('expiry');
      const roleArn = await createRole();
      proxy.setSessionLifetime(2);
      const before = Date.now();
      const session = await assumeRole(roleArn, 3600);
      const lifetime = session.expiration.getTime() - before;
      expect(lifetime).toBeGreaterThanOrEqual(2000);
      expect(lifetime).toBeLessThanOrEqual(3500); // moto said 3600 s
      expect(session.expiration.getTime() % 1000).toBe(0); // whole seconds, as AWS writes it

      const sts = new STSClient(viaProxy(session, 3));
      const firehose = new FirehoseClient(viaProxy(session, 3));
      const s3 = new S3Client(viaProxy(session, 3));
      await sts.send(new GetCallerIdentityCommand({}));
      await firehose.send(
        new PutRecordCommand({ DeliveryStreamName: 'expiry', Record: { Data: Buffer.from('a') } }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'expiry', Key: 'k', Body: 'v' }));

      await new Promise((r) => setTimeout(r, session.expiration.getTime() - Date.now() + 50));
      proxy.clearLog();
      await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        firehose.send(
          new PutRecordCommand({ DeliveryStreamName: 'expiry', Record: { Data: Buffer.from('b') } }),
        ),
      ).rejects.toMatchObject({
        name: 'ExpiredTokenException',
        message: 'The security token included in the request is expired',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(s3.send(new GetObjectCommand({ Bucket: 'expiry', Key: 'k' }))).rejects.toMatchObject({
        name: 'ExpiredToken',
        message: 'The provided token has expired.',
        $metadata: { httpStatusCode: 400 },
      });
      // HEAD errors have no body: the SDK has only the status to go by.
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'expiry', Key: 'k' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 400 },
      });
      // Four calls with three attempts allowed each: four requests, so nothing was retried.
      expect(proxy.log.map((e) => [e.service, e.accessKeyId, e.status, e.answeredByProxy])).toEqual([
        ['sts', session.accessKeyId, 400, true],
        ['firehose', session.accessKeyId, 400, true],
        ['s3', session.accessKeyId, 400, true],
        ['s3', session.accessKeyId, 400, true],
      ]);
      // Only the one object from before expiry was delivered.
      expect(await delivered('expiry')).toContain('a');
      expect((await delivered('expiry')).join('')).not.toContain('b');
      // Keys issued without a lifetime (moto's own hour) and the administrator keep working.
      proxy.setSessionLifetime(undefined);
      const fresh = await assumeRole(roleArn, 3600);
      expect(fresh.expiration.getTime() - Date.now()).toBeGreaterThan(3500_000);
      await new STSClient(viaProxy(fresh)).send(new GetCallerIdentityCommand({}));
      await new STSClient(viaProxy()).send(new GetCallerIdentityCommand({}));
    });
  });

  describe('injected faults', () => {
    it('answers STS Throttling exactly `times` times, then passes through', async () => {
      proxy.inject({
        service: 'sts',
        action: 'GetCallerIdentity',
        kind: 'error',
        code: 'Throttling',
        times: 2,
      });
      const sts = new STSClient(viaProxy());
      for (let i = 0; i < 2; i++) {
        await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
          name: 'Throttling',
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
      expect(proxy.log.map((e) => [e.status, e.answeredByProxy])).toEqual([
        [400, true],
        [400, true],
        [200, false],
      ]);
    });

    it('lets the SDK retry throttling the way it does against AWS', async () => {
      proxy.inject({ service: 'sts', kind: 'error', code: 'Throttling', times: 2 });
      await new STSClient(viaProxy(aws.admin, 3)).send(new GetCallerIdentityCommand({}));
      expect(proxy.log.map((e) => e.status)).toEqual([400, 400, 200]);
    });

    it('matches the action: a fault for AssumeRole leaves other calls alone', async () => {
      proxy.inject({ service: 'sts', action: 'AssumeRole', kind: 'error', code: 'Throttling' });
      await new STSClient(viaProxy()).send(new GetCallerIdentityCommand({}));
      await expect(assumeRole(await createRole())).rejects.toMatchObject({ name: 'Throttling' });
      expect(byProxy()).toBe(1);
    });

    it('answers Firehose ServiceUnavailableException (503) and S3 SlowDown / InternalError', async () => {
      await createStream('faults');
      proxy.inject({
        service: 'firehose',
        action: 'PutRecordBatch',
        kind: 'error',
        code: 'ServiceUnavailableException',
      });
      proxy.inject({ service: 's3', action: 'PutObject', kind: 'error', code: 'SlowDown' });
      const firehose = new FirehoseClient(viaProxy());
      const s3 = new S3Client(viaProxy());
      const put = () =>
        firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'faults', Records: records('x') }));
      await expect(put()).rejects.toMatchObject({
        name: 'ServiceUnavailableException',
        message: 'Slow down.',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      });
      await expect(
        s3.send(new PutObjectCommand({ Bucket: 'faults', Key: 'k', Body: 'v' })),
      ).rejects.toMatchObject({
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      });
      await expect(s3.send(new GetObjectCommand({ Bucket: 'faults', Key: 'k' }))).rejects.toMatchObject({
        name: 'NoSuchKey', // the failed PutObject never reached moto
      });
      proxy.inject({ service: 's3', action: 'GetObject', kind: 'error', code: 'InternalError' });
      await expect(s3.send(new GetObjectCommand({ Bucket: 'faults', Key: 'k' }))).rejects.toMatchObject({
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      });
      expect(await delivered('faults')).toEqual([]);
      await expect(put()).resolves.toMatchObject({ FailedPutCount: 0 });
      expect(await delivered('faults')).toEqual(['x']);
    });

    it('takes any code with an explicit status, and refuses an unknown code without one', async () => {
      expect(() => proxy.inject({ service: 'iam', kind: 'error', code: 'LimitExceeded' })).toThrow(
        /needs a status/,
      );
      proxy.inject({
        service: 'iam',
        kind: 'error',
        code: 'LimitExceeded',
        status: 409,
        message: 'Too many',
      });
      await expect(
        new IAMClient(viaProxy()).send(new GetRoleCommand({ RoleName: 'through-proxy' })),
      ).rejects.toMatchObject({
        name: 'LimitExceededException', // the SDK maps IAM's wire code to its modeled exception
        message: 'Too many',
        $metadata: { httpStatusCode: 409 },
      });
    });

    it('drops the connection for a network fault', async () => {
      proxy.inject({ service: 'sts', kind: 'network' });
      const refused = await new STSClient(viaProxy())
        .send(new GetCallerIdentityCommand({}))
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
      expect(proxy.log).toMatchObject([{ service: 'sts', status: undefined, answeredByProxy: true }]);
      // The SDK treats a reset socket as transient and retries.
      proxy.inject({ service: 'sts', kind: 'network', times: 2 });
      await new STSClient(viaProxy(aws.admin, 3)).send(new GetCallerIdentityCommand({}));
      expect(proxy.log.slice(1).map((e) => e.status)).toEqual([undefined, undefined, 200]);
    });
  });

  describe('outage', () => {
    it('refuses every connection for the time asked, then serves on the same port again', async () => {
      const sts = new STSClient(viaProxy());
      await sts.send(new GetCallerIdentityCommand({})); // a keep-alive connection is open now
      const started = Date.now();
      const back = proxy.outage(700);
      await new Promise((r) => setTimeout(r, 100));
      const refused = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ECONNRESET/) });
      await back;
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    });
  });

  describe('Firehose partial failure', () => {
    it('reports the chosen records failed and delivers only the others', async () => {
      await createStream('partial');
      const session = await assumeRole(await createRole()); // re-sent as this caller
      const firehose = new FirehoseClient(viaProxy(session));
      proxy.inject({ service: 'firehose', kind: 'partialFailure', failing: [1, 4] });
      const data = ['r0\n', 'r1\n', 'r2\n', 'r3\n', 'r4\n', 'r5\n'];
      const out = await firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'partial', Records: records(...data) }),
      );
      expect(out.FailedPutCount).toBe(2);
      expect(out.RequestResponses).toHaveLength(6);
      out.RequestResponses!.forEach((entry, i) => {
        if (i === 1 || i === 4) {
          expect(entry).toEqual({ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' });
        } else {
          expect(entry).toEqual({ RecordId: expect.any(String) });
        }
      });
      expect((await delivered('partial')).join('')).toBe('r0\nr2\nr3\nr5\n');

      // Resending just the failed ones completes the set, each record exactly once.
      const retry = await firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'partial', Records: records('r1\n', 'r4\n') }),
      );
      expect(retry.FailedPutCount).toBe(0);
      const lines = (await delivered('partial')).join('').split('\n').filter(Boolean).sort();
      expect(lines).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
      expect(proxy.log.filter((e) => e.action === 'PutRecordBatch').map((e) => e.answeredByProxy)).toEqual([
        true,
        false,
      ]);
    });

    it('chooses records by a test on the index, for `times` calls, and passes whole-call errors on', async () => {
      await createStream('partial2');
      const firehose = new FirehoseClient(viaProxy());
      proxy.inject({
        service: 'firehose',
        kind: 'partialFailure',
        failing: (i) => i % 2 === 0,
        errorCode: 'InternalFailure',
        errorMessage: 'Internal service failure.',
        times: 2,
      });
      const put = (stream: string, ...data: string[]) =>
        firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records(...data) }));
      expect(
        (await put('partial2', 'a', 'b', 'c')).RequestResponses?.map((r) => r.ErrorCode ?? 'ok'),
      ).toEqual(['InternalFailure', 'ok', 'InternalFailure']);
      await expect(put('missing', 'a', 'b')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect((await put('partial2', 'd', 'e')).FailedPutCount).toBe(0);
      expect((await delivered('partial2')).sort()).toEqual(['b', 'de']);
    });

    it('answerLost: moto carries the call out, then the connection is reset before the answer', async () => {
      await createStream('lostanswer');
      const firehose = new FirehoseClient(viaProxy());
      proxy.inject({ service: 'firehose', action: 'PutRecordBatch', kind: 'network', answerLost: true });
      const lost = await firehose
        .send(new PutRecordBatchCommand({ DeliveryStreamName: 'lostanswer', Records: records('x\n', 'y\n') }))
        .catch((e: unknown) => e);
      expect(lost).toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
      expect((await delivered('lostanswer')).join('')).toBe('x\ny\n');
      expect(proxy.log.filter((e) => e.action === 'PutRecordBatch')).toMatchObject([
        { status: undefined, answeredByProxy: true },
      ]);
    });

    it('sends nothing to moto when every record fails', async () => {
      await createStream('partial3');
      proxy.inject({ service: 'firehose', kind: 'partialFailure', failing: () => true });
      const out = await new FirehoseClient(viaProxy()).send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'partial3', Records: records('a', 'b') }),
      );
      expect(out.FailedPutCount).toBe(2);
      expect(await delivered('partial3')).toEqual([]);
    });
  });
});
