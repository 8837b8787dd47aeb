/**
 * The library against moto, through the AWS-fidelity proxy where moto differs from AWS: partial
 * failures, throttling, dropped connections and expiring sessions. Backoff sleeps are skipped.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFirehoseClient } from '../../../src/firehose/client.js';
import { putRecords } from '../../../src/firehose/putRecords.js';
import { listRecords } from '../../../src/firehose/sources.js';
import { TempcredsError } from '../../../src/errors.js';
import type { FailedRecord } from '../../../src/firehose/response.js';
import { pushSource } from '../../unit/firehose/helpers.js';
import { startBlackHole, waitFor } from './openPipe.js';
import {
  numberedLines,
  REGION,
  sorted,
  startFirehoseWorld,
  STREAM,
  throttled,
  partlyFailing,
  dropped,
  type FirehoseWorld,
} from './world.js';

const noSleep = async () => undefined;
const recordsOf = (lines: string[]) =>
  listRecords(
    lines.map((l) => Buffer.from(l, 'utf8')),
    true,
  );

describe('putRecords against moto (IAM enforcement on)', () => {
  let world: FirehoseWorld;
  /** Role credentials from a real AssumeRole by sts_user, fetched again only when forced. */
  let fetches = 0;
  let roleCredentials: (options?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;
  let cached: AwsCredentialIdentity | undefined;

  beforeAll(async () => {
    world = await startFirehoseWorld();
    const sts = new STSClient({ region: REGION, endpoint: world.proxy.endpoint, credentials: world.stsUser });
    roleCredentials = async (options) => {
      if (!cached || options?.forceRefresh) {
        fetches += 1;
        const { Credentials: c } = await sts.send(
          new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: `lib-${fetches}` }),
        );
        // No expiration on purpose: nothing refreshes early, so only an ExpiredTokenException can make it refresh.
        cached = {
          accessKeyId: c!.AccessKeyId!,
          secretAccessKey: c!.SecretAccessKey!,
          sessionToken: c!.SessionToken!,
        };
      }
      return cached;
    };
  });
  afterAll(() => world?.stop());
  beforeEach(async () => {
    await world.clear();
    // Each test starts on a session of its own: one left from the expiry test (1 s) would expire
    // during a later test, at a moment load decides, adding a refresh and a retried call.
    cached = undefined;
  });

  const client = () =>
    createFirehoseClient({
      region: REGION,
      endpointUrl: world.proxy.endpoint,
      credentials: roleCredentials,
      env: {},
    });

  it('delivers every record exactly once through partial failures, throttling and dropped connections', async () => {
    const lines = numberedLines(5000, 'faults');
    world.proxy.inject(partlyFailing((i) => i % 10 === 3, 4));
    world.proxy.inject(throttled(2));
    world.proxy.inject(throttled(1, 'ThrottlingException'));
    world.proxy.inject(dropped(2));
    world.proxy.inject(partlyFailing([0, 499], 1, 'InternalFailure'));
    const progress: number[] = [];
    const firehose = client();
    const summary = await putRecords(STREAM, recordsOf(lines), {
      client: firehose,
      concurrency: 3,
      sleep: noSleep,
      onProgress: (p) => progress.push(p.delivered),
    });
    firehose.destroy();
    expect(summary).toMatchObject({ records: 5000, delivered: 5000, failed: 0, failedRecords: [] });
    // 10 full batches, and one extra call per fault at least.
    expect(summary.calls).toBeGreaterThanOrEqual(10 + 4 + 2 + 1 + 2 + 1);
    expect(summary.retries).toBe(summary.calls - 10);
    expect(progress.at(-1)).toBe(5000);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    const batchCalls = world.proxy.log.filter((e) => e.action === 'PutRecordBatch');
    expect(batchCalls.filter((e) => e.answeredByProxy).length).toBe(4 + 2 + 1 + 2 + 1);
  });

  it('gives up on records still failing after maxAttempts and returns them, delivering the rest', async () => {
    const lines = numberedLines(10, 'giveup');
    world.proxy.inject(partlyFailing([0], 3));
    const firehose = client();
    const summary = await putRecords(STREAM, recordsOf(lines), {
      client: firehose,
      maxAttempts: 3,
      sleep: noSleep,
    });
    firehose.destroy();
    expect(summary).toMatchObject({ records: 10, delivered: 9, failed: 1, calls: 3, retries: 2 });
    expect(summary.failedRecords.map((f) => [Buffer.from(f.data).toString(), f.errorCode])).toEqual([
      [`${lines[0]}\n`, 'ServiceUnavailableException'],
    ]);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines.slice(1)));
  });

  it('waits with exponential backoff and full jitter between attempts', async () => {
    world.proxy.inject(throttled(3));
    const waits: number[] = [];
    const firehose = client();
    await putRecords(STREAM, recordsOf(['one']), {
      client: firehose,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    firehose.destroy();
    expect(waits).toEqual([50, 100, 200]);
  });

  it('survives sessions that expire mid-run: ExpiredTokenException, forced refresh, resend', async () => {
    world.proxy.setSessionLifetime(1);
    await roleCredentials({ forceRefresh: true }); // a session that will be dead in a second
    const before = fetches;
    await new Promise((r) => setTimeout(r, 2100)); // the proxy rounds the expiry up to a whole second
    const lines = numberedLines(600, 'expiry');
    const firehose = client();
    const summary = await putRecords(STREAM, recordsOf(lines), {
      client: firehose,
      limits: { maxRecords: 100 },
      sleep: noSleep,
    });
    firehose.destroy();
    expect(summary).toMatchObject({ delivered: 600, failed: 0 });
    const expired = world.proxy.log.filter((e) => e.action === 'PutRecordBatch' && e.status === 400);
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeGreaterThan(before);
    expect(world.proxy.log.filter((e) => e.action === 'AssumeRole').length).toBe(fetches - before + 1);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
  });

  it('stops when AWS refuses the call itself (sts_user may not put records)', async () => {
    const firehose = createFirehoseClient({
      region: REGION,
      endpointUrl: world.aws.endpoint,
      credentials: world.stsUser,
      env: {},
    });
    const run = putRecords(STREAM, recordsOf(numberedLines(1200)), {
      client: firehose,
      concurrency: 1,
      sleep: noSleep,
    });
    await expect(run).rejects.toBeInstanceOf(TempcredsError);
    // moto answers Firehose's AccessDenied in XML (AWS: JSON AccessDeniedException), so the SDK
    // reports a parse error: the code differs from AWS's, the outcome (stop, exit 1) does not.
    await expect(run).rejects.toMatchObject({
      kind: 'aws',
      message: expect.stringMatching(/^PutRecordBatch to iot-data-collector failed: /),
    });
    firehose.destroy();
    expect(await world.deliveredLines()).toEqual([]);
  });

  it('reports an unknown stream with a fix', async () => {
    const firehose = client();
    await expect(putRecords('no-such-stream', recordsOf(['x']), { client: firehose })).rejects.toMatchObject({
      awsCode: 'ResourceNotFoundException',
      fix: expect.stringContaining('list-delivery-streams'),
    });
    firehose.destroy();
  });
  it('sends a partial batch flushIntervalMs after its first record while the input stays open', async () => {
    const input = pushSource();
    const firehose = client();
    const run = putRecords(STREAM, input.records, { client: firehose, flushIntervalMs: 100 });
    input.push('slow-1\n', 'slow-2\n', 'slow-3\n');
    await waitFor('3 records in S3', async () => (await world.deliveredLines()).length === 3);
    input.push('slow-4\n');
    await waitFor('the 4th record', async () => (await world.deliveredLines()).length === 4);
    input.end();
    const summary = await run;
    firehose.destroy();
    expect(summary).toMatchObject({ records: 4, delivered: 4, notSent: 0, interrupted: false });
    // Two batches: the three records read together, then the fourth. (A call retried after a
    // transport error under a loaded CI machine counts as a call too, so retries are taken off.)
    expect(summary.calls - summary.retries).toBe(2);
    expect(sorted(await world.deliveredLines())).toEqual(['slow-1', 'slow-2', 'slow-3', 'slow-4']);
  });

  it('stopSignal: retries nothing, sends once what was read (the open batch too), reports the rest as not sent', async () => {
    const input = pushSource();
    const stop = new AbortController();
    const undelivered: Array<[string, string, string]> = [];
    const firehose = client();
    const run = putRecords(STREAM, input.records, {
      client: firehose,
      concurrency: 1,
      limits: { maxRecords: 2 },
      flushIntervalMs: 60_000,
      // The first retry would wait ~59 s: the stop must cut that wait short.
      backoff: { baseMs: 60_000, capMs: 60_000 },
      random: () => 0.99,
      stopSignal: stop.signal,
      onFailed: (records: FailedRecord[], reason) => {
        for (const r of records) undelivered.push([Buffer.from(r.data).toString(), r.errorCode, reason]);
      },
    });
    input.push('a\n', 'b\n');
    await waitFor('a and b', async () => (await world.deliveredLines()).length === 2);
    world.proxy.inject(throttled(1));
    input.push('c\n', 'd\n');
    await waitFor('the refused call', () => world.proxy.log.some((e) => e.answeredByProxy));
    input.push('e\n');
    await waitFor('e taken into the open batch', () => input.pulled === 5);
    const stopped = Date.now();
    stop.abort();
    input.end(); // as streamChunks does on the same signal
    const summary = await run;
    firehose.destroy();
    // Far less than the ~59 s the retry would have waited (e's one call to moto may take seconds under load).
    expect(Date.now() - stopped).toBeLessThan(30_000);
    expect(summary).toMatchObject({
      records: 5,
      delivered: 3,
      failed: 0,
      notSent: 2,
      calls: 3,
      retries: 0,
      interrupted: true,
      failedRecords: [],
    });
    expect(undelivered).toEqual([
      ['c\n', 'ServiceUnavailableException', 'notSent'],
      ['d\n', 'ServiceUnavailableException', 'notSent'],
    ]);
    expect(sorted(await world.deliveredLines())).toEqual(['a', 'b', 'e']);
  });

  it('a call never answered fails after the request timeout and is retried; out of attempts, its records are unknown', async () => {
    const hole = await startBlackHole();
    const firehose = createFirehoseClient(
      { region: REGION, endpointUrl: hole.endpoint, credentials: world.stsUser, env: {} },
      { connectionTimeoutMs: 1000, requestTimeoutMs: 300 },
    );
    try {
      const started = Date.now();
      const summary = await putRecords(STREAM, recordsOf(['never-answered']), {
        client: firehose,
        maxAttempts: 2,
        sleep: noSleep,
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(hole.requests).toBe(2);
      expect(summary).toMatchObject({
        calls: 2,
        retries: 1,
        delivered: 0,
        failed: 0,
        unknown: 1,
        retriedAfterUnknown: 1,
      });
      expect(summary.failedRecords.map((r) => r.errorCode)).toEqual(['ETIMEDOUT']);
    } finally {
      firehose.destroy();
      await hole.stop();
    }
  });

  it('signal: aborts the call in flight (its records: unknown, they may have arrived) and reports the rest as not sent, at once', async () => {
    const hole = await startBlackHole();
    const firehose = createFirehoseClient({
      region: REGION,
      endpointUrl: hole.endpoint,
      credentials: world.stsUser,
      env: {},
    });
    try {
      const input = pushSource();
      const abort = new AbortController();
      const run = putRecords(STREAM, input.records, {
        client: firehose,
        concurrency: 1,
        limits: { maxRecords: 2 },
        signal: abort.signal,
      });
      input.push('a', 'b', 'c', 'd', 'e');
      await waitFor('the call in flight', () => hole.requests === 1);
      // a, b in flight; c, d batched and waiting for the one worker; e not read (one batch of read-ahead).
      await waitFor('c and d read', () => input.pulled === 4);
      const aborted = Date.now();
      abort.abort();
      const summary = await run;
      expect(Date.now() - aborted).toBeLessThan(1000);
      expect(summary).toMatchObject({
        records: 4,
        delivered: 0,
        unknown: 2,
        notSent: 2,
        calls: 1,
        interrupted: true,
      });
      expect(summary.failedRecords.map((r) => [Buffer.from(r.data).toString(), r.errorCode])).toEqual([
        ['a', 'Interrupted'],
        ['b', 'Interrupted'],
        ['c', 'Interrupted'],
        ['d', 'Interrupted'],
      ]);
      expect(input.pulled).toBe(4);
    } finally {
      firehose.destroy();
      await hole.stop();
    }
  });
});
