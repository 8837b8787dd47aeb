/**
 * A fake PutRecordBatch for the delivery engine's unit tests: it answers in Firehose's shapes
 * (per-entry ErrorCode, whole-call errors with `$metadata`, sockets reset after the records
 * arrived) as a test scripts it, and keeps what "arrived". This tests our engine's logic; what AWS
 * itself does is tested against moto and the AWS-fidelity proxy.
 */
import type { PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import type { DeliveryBatch, PutRecordBatchSend } from '../../../src/firehose/delivery.js';

/** One call's fate: an answer, or an error thrown; `arrive` says whether its records reached the stream. */
export type Reply = (records: string[]) => {
  output?: PutRecordBatchOutput;
  error?: unknown;
  arrive?: boolean;
};

const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');

export const accepted: Reply = (records) => ({
  output: { FailedPutCount: 0, RequestResponses: records.map((_, i) => ({ RecordId: `id-${i}` })) },
  arrive: true,
});

/** The records `failing` picks come back with an ErrorCode; the others arrive. */
export const partly =
  (failing: (record: string) => boolean, errorCode = 'ServiceUnavailableException'): Reply =>
  (records) => ({
    output: {
      FailedPutCount: records.filter(failing).length,
      RequestResponses: records.map((r, i) =>
        failing(r) ? { ErrorCode: errorCode, ErrorMessage: 'Slow down.' } : { RecordId: `id-${i}` },
      ),
    },
    arrive: true,
  });

/** The whole call refused as the SDK reports AWS's answer. */
export const refusedWith =
  (name: string, status: number, message = `${name} from the fake`): Reply =>
  () => ({ error: Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } }) });

/** The socket is reset after the request was sent (as the SDK reports it: TimeoutError, ECONNRESET); the records arrived or not. */
export const answerLost =
  (arrive: boolean): Reply =>
  () => ({
    error: Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }),
    arrive,
  });

/** No connection could be made: nothing arrived. */
export const connectionRefused: Reply = () => ({
  error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
});

export interface FakeFirehose {
  send: PutRecordBatchSend;
  /** Every record that reached the stream, in order (duplicates included). */
  readonly arrived: string[];
  /** The records of every call, in the order the calls were made. */
  readonly calls: string[][];
  /** Calls being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Holds every answer until `release()`: calls stay in flight. */
  hold(): void;
  release(): void;
}

/** Answers each call with the next reply of `script`, then with `rest` (default: all accepted), after `latencyMs`. */
export function fakeFirehose(script: Reply[] = [], rest: Reply = accepted, latencyMs = 0): FakeFirehose {
  const arrived: string[] = [];
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let held: Promise<void> | undefined;
  let release: () => void = () => undefined;
  const send: PutRecordBatchSend = async (input, abortSignal) => {
    const records = input.Records.map((r) => text(r.Data));
    calls.push(records);
    const reply = (script.shift() ?? rest)(records);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((resolve) => (latencyMs > 0 ? setTimeout(resolve, latencyMs) : resolve(undefined)));
      if (held) await Promise.race([held, aborted(abortSignal)]);
      if (abortSignal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    } finally {
      inFlight -= 1;
    }
    if (reply.arrive) {
      const entries = reply.output?.RequestResponses;
      records.forEach((r, i) => {
        if (!entries?.[i]?.ErrorCode) arrived.push(r);
      });
    }
    if (reply.error) throw reply.error;
    return reply.output!;
  };
  return {
    send,
    arrived,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    hold() {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      held = undefined;
      release();
    },
  };
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
}

/** Batches of text records, each record's reference its text (`DeliveryBatch<string>`). */
export function batchesOf(...batches: string[][]): DeliveryBatch<string>[] {
  return batches.map((records) => ({ records: records.map((r) => Buffer.from(r)), refs: records }));
}
