/**
 * The agent's delivery step on the shared engine: every record taken settles once with its spool
 * reference, retried records are counted, a refusal of the stream rejects after everything
 * settled, and a stop takes no more records. Against the fake PutRecordBatch.
 */
import { describe, expect, it } from 'vitest';
import { fixedConcurrency } from '../../../src/aws/concurrency.js';
import { senderDelivery, type OutgoingRecord, type SettledRecord } from '../../../src/agent/delivery.js';
import { TempcredsError } from '../../../src/errors.js';
import { fakeFirehose, partly, refusedWith, type FakeFirehose } from '../firehose/fakeFirehose.js';
import { feed } from '../firehose/helpers.js';

const record = (ref: number, text = `r${ref}`): OutgoingRecord => ({ ref, data: Buffer.from(text) });

async function* listed(records: OutgoingRecord[]): AsyncGenerator<OutgoingRecord> {
  yield* records;
}

function run(firehose: FakeFirehose, records: AsyncIterable<OutgoingRecord>, stop = new AbortController()) {
  const settled: SettledRecord[] = [];
  const retried: number[] = [];
  const deliver = senderDelivery(
    { send: firehose.send, refreshCredentials: async () => undefined },
    { maxAttempts: 2, backoff: { baseMs: 1, capMs: 1 }, limits: { maxRecords: 2 } },
  );
  const done = deliver(records, {
    deliveryStream: 'iot-data-collector',
    flushIntervalMs: 10,
    concurrency: fixedConcurrency(2),
    onSettled: (s) => void settled.push(...s),
    onRetried: (n) => void retried.push(n),
    stopSignal: stop.signal,
    signal: new AbortController().signal,
  });
  return { done, settled, retried };
}

const byRef = (settled: SettledRecord[]) => [...settled].sort((a, b) => a.ref - b.ref);

describe('agent delivery on the shared engine', () => {
  it('settles every record once by its reference: delivered, or refused after every attempt; counts what was sent again', async () => {
    const firehose = fakeFirehose(
      [],
      partly((r) => r === 'r3'),
    );
    const { done, settled, retried } = run(firehose, listed([1, 2, 3, 4, 5].map((i) => record(i))));
    await done;
    expect(byRef(settled).map((s) => [s.ref, s.outcome, s.bytes])).toEqual([
      [1, 'delivered', 2],
      [2, 'delivered', 2],
      [3, 'refused', 2],
      [4, 'delivered', 2],
      [5, 'delivered', 2],
    ]);
    expect(settled.find((s) => s.ref === 3)).toMatchObject({ errorCode: 'ServiceUnavailableException' });
    expect(retried.reduce((a, b) => a + b, 0)).toBe(1); // r3, once more (maxAttempts 2)
  });

  it('a refused stream: rejects with AWS words and the fix once every record taken has settled, none delivered', async () => {
    const firehose = fakeFirehose([], refusedWith('ResourceNotFoundException', 400));
    const { done, settled } = run(firehose, listed([1, 2, 3, 4, 5, 6].map((i) => record(i))));
    const err = (await done.catch((e: unknown) => e)) as TempcredsError;
    expect(err).toBeInstanceOf(TempcredsError);
    expect(err.awsCode).toBe('ResourceNotFoundException');
    expect(err.fix).toMatch(/list-delivery-streams/);
    expect(settled.length).toBeGreaterThan(0);
    expect(new Set(settled.map((s) => s.ref)).size).toBe(settled.length); // each once
    expect(settled.every((s) => s.outcome !== 'delivered')).toBe(true);
    expect(
      settled
        .filter((s) => s.outcome === 'refused')
        .every((s) => s.errorCode === 'ResourceNotFoundException'),
    ).toBe(true);
  });

  it('a stop takes no more records: what was taken goes out once, the rest stays with the caller', async () => {
    const firehose = fakeFirehose();
    firehose.hold();
    const input = feed<OutgoingRecord>();
    const stop = new AbortController();
    const { done, settled } = run(firehose, input.records, stop);
    input.push(record(1), record(2));
    while (firehose.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    input.push(record(3));
    while (input.pulled < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    input.push(record(4), record(5));
    firehose.release();
    await done;
    expect(firehose.calls).toEqual([['r1', 'r2'], ['r3']]);
    expect(byRef(settled).map((s) => [s.ref, s.outcome])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
      [3, 'delivered'],
    ]);
    // r4, pulled by the read pending at the stop, is not taken: it stays in the spool, unsettled.
  });
});
