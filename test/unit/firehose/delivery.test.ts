/**
 * The delivery engine's logic against a fake PutRecordBatch (fakeFirehose.ts): outcomes per
 * record, awaited callbacks, retries of only the failed entries, lost answers, refusals of the
 * call itself, stop and abort, and the concurrency seam. AWS's own behaviour is tested against moto.
 */
import { describe, expect, it } from 'vitest';
import type { ConcurrencyChange } from '../../../src/aws/adaptiveConcurrency.js';
import { fixedConcurrency, type ConcurrencyPolicy } from '../../../src/aws/concurrency.js';
import { streamConcurrency } from '../../../src/firehose/concurrency.js';
import {
  deliverBatches,
  type DeliveryBatch,
  type DeliveryOptions,
  type PutRecordBatchSend,
  type UndeliveredRecord,
} from '../../../src/firehose/delivery.js';
import { TempcredsError } from '../../../src/errors.js';
import {
  accepted,
  answerLost,
  batchesOf,
  connectionRefused,
  fakeFirehose,
  partly,
  refusedWith,
  type FakeFirehose,
} from './fakeFirehose.js';
import { feed } from './helpers.js';

const noSleep = async () => undefined;

function engine(firehose: FakeFirehose, extra: Partial<DeliveryOptions<string>> = {}) {
  const undelivered: Array<[string, string, string]> = [];
  const delivered: string[] = [];
  const options: DeliveryOptions<string> = {
    deliveryStreamName: 'iot-data-collector',
    send: firehose.send,
    refreshCredentials: async () => undefined,
    concurrency: fixedConcurrency(4),
    maxAttempts: 8,
    sleep: noSleep,
    onDelivered: ({ refs }) => void delivered.push(...refs),
    onUndelivered: (records: UndeliveredRecord<string>[]) =>
      void undelivered.push(...records.map((r): [string, string, string] => [r.ref, r.status, r.errorCode])),
    ...extra,
  };
  return { options, delivered, undelivered };
}

describe('deliverBatches', () => {
  it('delivers every batch, handing back each record by its reference', async () => {
    const firehose = fakeFirehose();
    const { options, delivered } = engine(firehose);
    const { stats, stoppedBy } = await deliverBatches(batchesOf(['a', 'b'], ['c']), options);
    expect(stoppedBy).toBeUndefined();
    expect(delivered.sort()).toEqual(['a', 'b', 'c']);
    expect(stats).toMatchObject({
      records: 3,
      bytes: 3,
      delivered: 3,
      deliveredBytes: 3,
      calls: 2,
      retries: 0,
      resent: 0,
    });
    expect(firehose.arrived.sort()).toEqual(['a', 'b', 'c']);
  });

  it('awaits onDelivered before the batch counts as done: its slot is not given to the next batch until then', async () => {
    const firehose = fakeFirehose();
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const order: string[] = [];
    const { options } = engine(firehose, {
      concurrency: fixedConcurrency(1),
      onDelivered: async ({ refs }) => {
        order.push(`delivered ${refs.join()}`);
        if (refs[0] === 'a') await committed;
        order.push(`committed ${refs.join()}`);
      },
    });
    let finished = false;
    const run = deliverBatches(batchesOf(['a'], ['b']), options).then(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(firehose.calls).toEqual([['a']]);
    expect(finished).toBe(false);
    commit();
    await run;
    expect(order).toEqual(['delivered a', 'committed a', 'delivered b', 'committed b']);
  });

  it('sends again only the entries that failed, and gives them up as refused after maxAttempts', async () => {
    const firehose = fakeFirehose(
      [partly((r) => r === 'b' || r === 'c'), partly((r) => r === 'c')],
      partly((r) => r === 'c', 'InternalFailure'),
    );
    const { options, undelivered } = engine(firehose, { maxAttempts: 3 });
    const { stats } = await deliverBatches(batchesOf(['a', 'b', 'c', 'd']), options);
    expect(firehose.calls).toEqual([['a', 'b', 'c', 'd'], ['b', 'c'], ['c']]);
    expect(undelivered).toEqual([['c', 'refused', 'InternalFailure']]);
    expect(stats).toMatchObject({ delivered: 3, refused: 1, unknown: 0, calls: 3, retries: 2, resent: 3 });
  });

  it('waits with exponential backoff and full jitter between attempts', async () => {
    const waits: number[] = [];
    const firehose = fakeFirehose([
      refusedWith('ServiceUnavailableException', 503),
      refusedWith('ThrottlingException', 400),
      refusedWith('InternalFailure', 500),
    ]);
    const { options, delivered } = engine(firehose, {
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    await deliverBatches(batchesOf(['a']), options);
    expect(waits).toEqual([50, 100, 200]);
    expect(delivered).toEqual(['a']);
  });

  it('a lost answer is retried (at-least-once) and counted: the records arrived twice, and the stats say it may be so', async () => {
    const firehose = fakeFirehose([answerLost(true)]);
    const { options, delivered, undelivered } = engine(firehose);
    const { stats } = await deliverBatches(batchesOf(['a', 'b']), options);
    expect(delivered).toEqual(['a', 'b']);
    expect(undelivered).toEqual([]);
    expect(firehose.arrived).toEqual(['a', 'b', 'a', 'b']);
    expect(stats).toMatchObject({
      delivered: 2,
      unknown: 0,
      calls: 2,
      retries: 1,
      resent: 2,
      retriedAfterUnknown: 2,
    });
  });

  it('out of attempts after a lost answer: the records are unknown, not refused, even if a later call refused them', async () => {
    const lostOnly = fakeFirehose([answerLost(true)]);
    const once = engine(lostOnly, { maxAttempts: 1 });
    expect((await deliverBatches(batchesOf(['a']), once.options)).stats).toMatchObject({
      unknown: 1,
      refused: 0,
    });
    expect(once.undelivered).toEqual([['a', 'unknown', 'ECONNRESET']]);
    expect(lostOnly.arrived).toEqual(['a']);

    const lostThenRefused = fakeFirehose([answerLost(true), refusedWith('ServiceUnavailableException', 503)]);
    const twice = engine(lostThenRefused, { maxAttempts: 2 });
    await deliverBatches(batchesOf(['b']), twice.options);
    expect(twice.undelivered).toEqual([['b', 'unknown', 'ServiceUnavailableException']]);
  });

  it('a connection never made is not a lost answer: out of attempts, the records are refused, not unknown', async () => {
    const firehose = fakeFirehose([connectionRefused, connectionRefused]);
    const { options, undelivered } = engine(firehose, { maxAttempts: 2 });
    const { stats } = await deliverBatches(batchesOf(['a']), options);
    expect(undelivered).toEqual([['a', 'refused', 'ECONNREFUSED']]);
    expect(stats).toMatchObject({ retriedAfterUnknown: 0 });
  });

  it('an expired token refreshes the credentials and resends at once; still expired after maxAttempts, the run stops', async () => {
    let refreshed = 0;
    const waits: number[] = [];
    const firehose = fakeFirehose([refusedWith('ExpiredTokenException', 400)]);
    const { options, delivered } = engine(firehose, {
      refreshCredentials: async () => void (refreshed += 1),
      sleep: async (ms) => void waits.push(ms),
    });
    await deliverBatches(batchesOf(['a']), options);
    expect([refreshed, waits, delivered]).toEqual([1, [], ['a']]);

    const always = fakeFirehose([], refusedWith('ExpiredTokenException', 400));
    const stuck = engine(always, { maxAttempts: 2 });
    const result = await deliverBatches(batchesOf(['b']), stuck.options);
    expect(result.stoppedBy?.error).toMatchObject({ awsCode: 'ExpiredTokenException' });
    expect(stuck.undelivered).toEqual([['b', 'refused', 'ExpiredTokenException']]);
  });

  it('a refusal of the call stops the run by default: its records refused, calls in flight finished, the rest not sent and not read', async () => {
    const firehose = fakeFirehose([
      accepted,
      refusedWith('ResourceNotFoundException', 400, 'Stream iot-data-collector not found.'),
    ]);
    const batches = feed<DeliveryBatch<string>>();
    batches.push(...batchesOf(['a'], ['b'], ['c'], ['d']));
    let halted = 0;
    const { options, delivered, undelivered } = engine(firehose, {
      concurrency: fixedConcurrency(1),
      onHalt: () => {
        halted += 1;
        batches.end();
      },
    });
    const { stats, stoppedBy } = await deliverBatches(batches.records, options);
    expect(delivered).toEqual(['a']);
    expect(undelivered).toEqual([
      ['b', 'refused', 'ResourceNotFoundException'],
      ['c', 'notSent', 'Interrupted'],
      ['d', 'notSent', 'Interrupted'],
    ]);
    expect(firehose.calls).toEqual([['a'], ['b']]);
    expect(halted).toBe(1);
    expect(stoppedBy).toMatchObject({ fromInput: false });
    expect(stoppedBy!.error).toBeInstanceOf(TempcredsError);
    expect(stoppedBy!.error).toMatchObject({
      kind: 'aws',
      message:
        'PutRecordBatch to iot-data-collector failed: ResourceNotFoundException: Stream iot-data-collector not found.',
      fix: expect.stringContaining('list-delivery-streams'),
    });
    expect(stats).toMatchObject({ records: 4, delivered: 1, refused: 1, notSent: 2 });
  });

  it('after a stop, a batch waiting to retry is not sent again: not sent, or unknown if its answer was lost', async () => {
    let refuse!: () => void;
    const refusing = new Promise<void>((resolve) => (refuse = resolve));
    const firehose = fakeFirehose([
      partly((r) => r === 'a2'),
      answerLost(false),
      refusedWith('AccessDeniedException', 400),
    ]);
    const { options, undelivered } = engine(firehose, {
      concurrency: fixedConcurrency(3),
      // The retries wait until the third batch has been refused.
      sleep: () => refusing,
      onHalt: () => refuse(),
    });
    const { stoppedBy } = await deliverBatches(batchesOf(['a1', 'a2'], ['b'], ['c']), options);
    expect(stoppedBy?.error).toMatchObject({ awsCode: 'AccessDeniedException' });
    expect(undelivered.sort()).toEqual([
      ['a2', 'notSent', 'ServiceUnavailableException'],
      ['b', 'unknown', 'ECONNRESET'],
      ['c', 'refused', 'AccessDeniedException'],
    ]);
  });

  it('onFatal may keep the records and retry on a slow schedule instead (the agent): attempts start afresh', async () => {
    const waits: number[] = [];
    const refusals: TempcredsError[] = [];
    const firehose = fakeFirehose([
      refusedWith('AccessDeniedException', 400),
      refusedWith('AccessDeniedException', 400),
    ]);
    const { options, delivered } = engine(firehose, {
      maxAttempts: 1,
      sleep: async (ms) => void waits.push(ms),
      onFatal: (refusal) => {
        refusals.push(refusal);
        return { retryAfterMs: 60_000 };
      },
    });
    const { stats, stoppedBy } = await deliverBatches(batchesOf(['a']), options);
    expect(stoppedBy).toBeUndefined();
    expect(delivered).toEqual(['a']);
    expect(waits).toEqual([60_000, 60_000]);
    expect(refusals.map((r) => [r.awsCode, r.fix])).toEqual([
      ['AccessDeniedException', expect.stringContaining('tempcreds doctor')],
      ['AccessDeniedException', expect.stringContaining('tempcreds doctor')],
    ]);
    expect(stats).toMatchObject({ calls: 3, delivered: 1 });
  });

  it('stopSignal: nothing is retried, calls in flight finish, batches still coming go out once', async () => {
    const firehose = fakeFirehose([partly((r) => r === 'b')]);
    const stop = new AbortController();
    const batches = feed<DeliveryBatch<string>>();
    const { options, delivered, undelivered } = engine(firehose, {
      stopSignal: stop.signal,
      concurrency: fixedConcurrency(1),
    });
    batches.push(...batchesOf(['a', 'b']));
    firehose.hold();
    const run = deliverBatches(batches.records, options);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    batches.push(...batchesOf(['c']));
    batches.end();
    firehose.release();
    const { stats } = await run;
    expect(delivered).toEqual(['a', 'c']);
    expect(undelivered).toEqual([['b', 'notSent', 'ServiceUnavailableException']]);
    expect(stats).toMatchObject({ calls: 2, retries: 0 });
  });

  it('signal: the call in flight is aborted (its records unknown), what comes after is not sent, the source is told to end', async () => {
    const firehose = fakeFirehose();
    const abort = new AbortController();
    const batches = feed<DeliveryBatch<string>>();
    const { options, undelivered } = engine(firehose, {
      signal: abort.signal,
      concurrency: fixedConcurrency(1),
      onHalt: () => batches.end(),
    });
    batches.push(...batchesOf(['a'], ['b']));
    firehose.hold();
    const run = deliverBatches(batches.records, options);
    await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    const { stats, stoppedBy } = await run;
    expect(stoppedBy).toBeUndefined();
    expect(undelivered).toEqual([
      ['a', 'unknown', 'Interrupted'],
      ['b', 'notSent', 'Interrupted'],
    ]);
    expect(stats).toMatchObject({ calls: 1, unknown: 1, notSent: 1 });
  });

  it("an error from the source halts the run as the input's; what the source still yields is reported, unsent", async () => {
    const firehose = fakeFirehose();
    const [first, held] = batchesOf(['a'], ['b']);
    const steps: Array<() => Promise<unknown>> = [
      async () => first,
      async () => Promise.reject(new Error('line 3 is bad')),
      async () => held,
      async () => undefined,
    ];
    const { options, delivered, undelivered } = engine(firehose, { concurrency: fixedConcurrency(1) });
    const source = { next: () => steps.shift()!() as Promise<typeof first> };
    const { stoppedBy } = await deliverBatches(source, options);
    expect(stoppedBy).toEqual({ error: new Error('line 3 is bad'), fromInput: true });
    expect(delivered).toEqual(['a']);
    expect(undelivered).toEqual([['b', 'notSent', 'Interrupted']]);
  });

  it('never has more batches under way than the policy allows now, and tells it when each settles and when a call is throttled', async () => {
    const settled: number[] = [];
    let throttled = 0;
    // AIMD-like: two at a time until Firehose throttles, then one.
    const policy: ConcurrencyPolicy = {
      max: 4,
      current: () => (throttled > 0 ? 1 : 2),
      settled: ({ ms }) => void settled.push(ms),
      throttled: () => void (throttled += 1),
    };
    const firehose = fakeFirehose(
      [accepted, accepted, refusedWith('ServiceUnavailableException', 503), partly((r) => r === 'd1')],
      accepted,
      5,
    );
    const { options } = engine(firehose, { concurrency: policy });
    const inFlightAfterThrottle: number[] = [];
    const send = options.send;
    options.send = (input, signal) => {
      if (throttled > 0) inFlightAfterThrottle.push(firehose.inFlight);
      return send(input, signal);
    };
    const batches = batchesOf(['a1'], ['b1'], ['c1'], ['d1', 'd2'], ['e1'], ['f1'], ['g1']);
    const { stats } = await deliverBatches(batches, options);
    expect(stats.delivered).toBe(8);
    expect(firehose.maxInFlight).toBe(2);
    expect(throttled).toBe(2); // the whole call, then an entry
    expect(settled).toHaveLength(7); // one per batch, retries included in its time
    expect(settled.every((ms) => ms >= 0)).toBe(true);
    expect(Math.max(...inFlightAfterThrottle)).toBeLessThanOrEqual(1);
  });

  it('fixedConcurrency(n): n batches at once', async () => {
    const firehose = fakeFirehose([], accepted, 5);
    const { options } = engine(firehose, { concurrency: fixedConcurrency(3) });
    await deliverBatches(batchesOf(['a'], ['b'], ['c'], ['d'], ['e'], ['f']), options);
    expect(firehose.maxInFlight).toBe(3);
  });

  it('a byte budget: at most maxBytes of batches in flight, and a batch alone over it still goes, alone', async () => {
    const firehose = fakeFirehose([], accepted, 5);
    const started: number[] = [];
    const inFlightBytes: number[] = [];
    let bytes = 0;
    const policy: ConcurrencyPolicy = { max: 10, maxBytes: 10, current: () => 10 };
    const { options } = engine(firehose, { concurrency: policy });
    const send = options.send;
    options.send = async (input, signal) => {
      const size = input.Records.reduce((sum, r) => sum + r.Data.length, 0);
      started.push(size);
      bytes += size;
      inFlightBytes.push(bytes);
      try {
        return await send(input, signal);
      } finally {
        bytes -= size;
      }
    };
    const four = (c: string) => [c.repeat(4)];
    const batches = batchesOf(four('a'), four('b'), four('c'), ['x'.repeat(15)], four('d'), four('e'));
    const { stats } = await deliverBatches(batches, options);
    expect(stats.delivered).toBe(6);
    expect(Math.max(...inFlightBytes.filter((_, i) => started[i] !== 15))).toBe(8); // two of 4, never three
    expect(inFlightBytes[started.indexOf(15)]).toBe(15); // alone
  });

  it('tells the policy when each batch starts and settles, with the bytes it delivered', async () => {
    const firehose = fakeFirehose([
      partly((r) => r === 'bb'),
      refusedWith('ServiceUnavailableException', 503),
    ]);
    const events: string[] = [];
    let inFlight = 0;
    const policy: ConcurrencyPolicy = {
      max: 1,
      current: () => 1,
      started: () => void events.push(`started ${++inFlight}`),
      settled: ({ bytes }) => void events.push(`settled ${inFlight--} ${bytes}`),
      throttled: () => void events.push('throttled'),
    };
    const { options } = engine(firehose, { concurrency: policy });
    await deliverBatches(batchesOf(['a', 'bb'], ['ccc']), options);
    expect(events).toEqual([
      'started 1',
      'throttled', // bb failed as ServiceUnavailableException: an entry throttled
      'throttled', // its retry: the whole call
      'settled 1 3', // a, then bb on the third call: 3 bytes
      'started 1',
      'settled 1 3',
    ]);
  });

  it('streamConcurrency: grows while calls in flight deliver more, comes down when Firehose throttles, and every record arrives once', async () => {
    const changes: ConcurrencyChange[] = [];
    // A stream that takes at most 40 calls at once (each answered in 20 ms) and throttles the rest.
    const inner = fakeFirehose([], accepted, 20);
    let throttledCalls = 0;
    const send: PutRecordBatchSend = async (input, signal) => {
      if (inner.inFlight >= 40) {
        throttledCalls++;
        throw refusedWith('ServiceUnavailableException', 503)([]).error;
      }
      return inner.send(input, signal);
    };
    const records = Array.from({ length: 3000 }, (_, i) => `r${i}`);
    const batches = Array.from({ length: 300 }, (_, i) => records.slice(i * 10, i * 10 + 10));
    const { options } = engine(inner, {
      send,
      concurrency: streamConcurrency((change) => changes.push(change)),
      maxAttempts: Infinity,
      backoff: { baseMs: 1, capMs: 5 },
      sleep: (ms) => new Promise((resume) => setTimeout(resume, ms)),
    });
    const { stats } = await deliverBatches(batchesOf(...batches), options);
    expect(stats.delivered).toBe(3000);
    expect(new Set(inner.arrived).size).toBe(3000);
    expect(inner.arrived).toHaveLength(3000);
    expect(changes[0]).toMatchObject({ from: 32, to: 64, reason: 'growing' });
    expect(throttledCalls).toBeGreaterThan(0);
    const cuts = changes.filter((c) => c.reason === 'throttled');
    expect(cuts[0]).toMatchObject({ from: 64, to: 44 });
    expect(inner.maxInFlight).toBeLessThanOrEqual(40);
  });

  it('a callback that throws halts the run and rejects it, once every batch has settled', async () => {
    const firehose = fakeFirehose();
    const { options } = engine(firehose, {
      onDelivered: ({ refs }) => {
        if (refs[0] === 'a') throw new Error('spool is read-only');
      },
    });
    let halted = false;
    options.onHalt = () => (halted = true);
    await expect(deliverBatches(batchesOf(['a'], ['b'], ['c']), options)).rejects.toThrow(
      'spool is read-only',
    );
    expect(halted).toBe(true);
  });
});
