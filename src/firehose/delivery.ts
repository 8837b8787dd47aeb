/**
 * The delivery engine that `firehose put` and the agent share: batches in, PutRecordBatch calls
 * out, several under way (a pluggable concurrency policy), only the failed entries sent again,
 * backoff with full jitter on throttling, 5xx and network errors, a credentials refresh on an
 * expired token, and every record's outcome handed back through awaited callbacks. It never
 * drops a record silently: each one taken from the source ends delivered, refused, unknown (the
 * answer was lost: it may have arrived) or not sent. What a refusal of the call itself does
 * (stream deleted, AccessDenied) is the caller's choice: stop the run, or retry later.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import { explainAwsError } from '../aws/explain.js';
import { TempcredsError } from '../errors.js';
import {
  afterAnswer,
  afterError,
  afterFatal,
  afterWait,
  beforeCall,
  firstState,
  type BatchState,
  type UndeliveredStatus,
} from './batchSteps.js';
import type { ConcurrencyPolicy } from '../aws/concurrency.js';
import { backoffDelay, DEFAULT_BACKOFF, errorCodeOf, type BackoffPolicy } from './retry.js';

export type { UndeliveredStatus } from './batchSteps.js';

/** One call's worth of records (at most 500 and 4 MiB), each with the caller's reference to it. */
export interface DeliveryBatch<Ref> {
  /** The records' bytes, as sent. */
  readonly records: readonly Uint8Array[];
  /** Each record's reference, in the same order. */
  readonly refs: readonly Ref[];
}

/** Where batches come from: `next()` resolves with the next one, or undefined at the end. */
export interface BatchSource<Ref> {
  /** Asked only when the engine can take a batch; may wait for records. Undefined ends the run. */
  next(): Promise<DeliveryBatch<Ref> | undefined>;
}

/** Records one call delivered. */
export interface DeliveredRecords<Ref> {
  /** Their references (the agent's spool row ids: delete these). */
  refs: Ref[];
  /** Their bytes, in the same order. */
  records: Uint8Array[];
  /** The sum of their sizes. */
  bytes: number;
}

/** A record given up on, with why. */
export interface UndeliveredRecord<Ref> {
  /** The record's bytes. */
  data: Uint8Array;
  /** Its reference. */
  ref: Ref;
  /** Refused, unknown (it may have arrived) or not sent. */
  status: UndeliveredStatus;
  /** The last reason, in AWS's words (`ServiceUnavailableException`), Node's (`ECONNRESET`), or `Interrupted`. */
  errorCode: string;
  /** AWS's or Node's message with it. */
  errorMessage?: string;
}

/** The PutRecordBatch calls of a run, counted the same way by the engine and by `putRecords`. */
export interface CallCounts {
  /** PutRecordBatch calls made, retries included. */
  calls: number;
  /** Calls that repeated records of an earlier call (whole calls or their failed entries). */
  retries: number;
  /** Records those calls sent again (only the failed entries of a partly failed call; a whole call's records otherwise). */
  resent: number;
  /** Records sent again after the answer to their call was lost (at-least-once: each may be in the stream twice). */
  retriedAfterUnknown: number;
}

/** The engine's counters; `onProgress` gets a copy after every call and every record given up. */
export interface DeliveryStats extends CallCounts {
  /** Records taken from the source, and their bytes. */
  records: number;
  /** Bytes of the records taken. */
  bytes: number;
  /** Records Firehose accepted, and their bytes. */
  delivered: number;
  /** Bytes of the records delivered. */
  deliveredBytes: number;
  /** Records given up as refused (see `UndeliveredStatus`). */
  refused: number;
  /** Records given up as unknown: they may have arrived. */
  unknown: number;
  /** Records given up as not sent. */
  notSent: number;
}

/** The caller's answer to a refusal of the call itself. */
export type FatalAction = { stop: true } | { retryAfterMs: number };

/** One PutRecordBatch call (`firehoseSender(client).send`; a fake in tests). */
export type PutRecordBatchSend = (
  input: { DeliveryStreamName: string; Records: Array<{ Data: Uint8Array }> },
  abortSignal: AbortSignal | undefined,
) => Promise<PutRecordBatchOutput>;

/** What `deliverBatches` sends with, and what it tells the caller. */
export interface DeliveryOptions<Ref> {
  /** The Firehose delivery stream, by name. */
  deliveryStreamName: string;
  /** Makes one PutRecordBatch call: `firehoseSender(client).send`. */
  send: PutRecordBatchSend;
  /** New credentials after AWS said the session token expired (the next call uses them). */
  refreshCredentials: () => Promise<unknown>;
  /**
   * How many batches are under way at once (a batch holds its turn through its retries and
   * waits, so throttling slows the flow down): `fixedConcurrency(n)`, or an adaptive policy,
   * which is told when each batch settles and when a call is throttled.
   */
  concurrency: ConcurrencyPolicy;
  /** Calls per batch, the first included, before failing records are given up (`Infinity`: never). */
  maxAttempts: number;
  /** Exponential backoff with full jitter between attempts (default 100 ms doubling to 20 s). */
  backoff?: BackoffPolicy;
  /** Wait this long before every call (pacing). */
  pauseMs?: number;
  /** Records a call delivered; awaited before the batch goes on (the agent deletes them from its spool here). */
  onDelivered?: (delivered: DeliveredRecords<Ref>) => void | Promise<void>;
  /** Records given up on; awaited before the batch counts as done. */
  onUndelivered?: (records: UndeliveredRecord<Ref>[]) => void | Promise<void>;
  /** A copy of the counters after every call and every record given up. */
  onProgress?: (stats: DeliveryStats) => void;
  /**
   * AWS refused a call itself (stream deleted, AccessDenied; the error says so in AWS's words, with
   * a fix). Default `{ stop: true }`: that batch's records are refused, nothing more is sent, calls
   * in flight finish, and the records still coming from the source are not sent. `{ retryAfterMs }`:
   * the batch keeps its records and is sent again after that long (the agent's slow schedule).
   */
  onFatal?: (refusal: TempcredsError) => FatalAction | Promise<FatalAction>;
  /** The engine will send nothing more (a stop on a refusal, an error from the source, `signal`): end the source there. Called once. */
  onHalt?: () => void;
  /** Winds down: nothing is retried from then on, calls in flight finish, batches still coming go out once each. */
  stopSignal?: AbortSignal;
  /** Stops at once: calls in flight are aborted (their records: unknown), nothing more is sent. */
  signal?: AbortSignal;
  /** Injectable for tests: a wait that `signal` cuts short. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injectable for tests: the jitter's draws, in [0, 1). */
  random?: () => number;
  /** Injectable for tests: the clock, in ms. */
  now?: () => number;
}

/** How a run of the engine ended. */
export interface DeliveryResult {
  /** The counters at the end. */
  stats: DeliveryStats;
  /** Why it stopped before its source ended: a refusal it was told to stop on, or the source's error. */
  stoppedBy?: { error: unknown; fromInput: boolean };
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Delivers every batch of `source` to `options.deliveryStreamName`, at most as many at once as
 * `options.concurrency` allows, and resolves once each record taken has its outcome and every
 * callback has resolved. It does not reject for AWS's refusals or the source's errors: those end
 * the run early and are in `stoppedBy`; only an error thrown by a callback rejects it (after
 * halting the run and letting the other batches settle).
 */
export async function deliverBatches<Ref>(
  source: Batches<Ref>,
  options: DeliveryOptions<Ref>,
): Promise<DeliveryResult> {
  const run = new DeliveryRun(options);
  const batches = sourceOf(source);
  const underWay = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  try {
    for (let sourceErrors = 0; sourceErrors < 2;) {
      // After a halt, batches are only reported: they take no turn.
      const turn = !run.halted;
      if (turn) await run.turns.enter();
      let batch: DeliveryBatch<Ref> | undefined;
      try {
        batch = await batches.next();
      } catch (err) {
        if (turn) run.turns.leave();
        sourceErrors += 1;
        run.halt(err, true);
        continue; // what the source still holds is reported below, unsent
      }
      if (!batch) {
        if (turn) run.turns.leave();
        break;
      }
      const bytes = run.take(batch);
      if (turn) await run.turns.admit(bytes);
      const job = new BatchJob(run, batch, turn, bytes);
      // A callback that throws (the caller cannot record outcomes): nothing more is sent, and the run rejects.
      const done = job.drive().then(
        () => undefined,
        (err: unknown) => {
          failure ??= { err };
          run.halt(err);
        },
      );
      underWay.add(done);
      void done.finally(() => underWay.delete(done));
      // Held batches after a halt settle at once, in order; the others run side by side.
      if (!turn) await done;
    }
  } finally {
    await Promise.all(underWay);
    run.dispose();
  }
  if (failure) throw failure.err;
  return { stats: { ...run.stats }, stoppedBy: run.stoppedBy };
}

/** Batches to pull from: a `BatchSource`, or any (async) iterable of batches (an array in tests). */
export type Batches<Ref> =
  BatchSource<Ref> | AsyncIterable<DeliveryBatch<Ref>> | Iterable<DeliveryBatch<Ref>>;

function sourceOf<Ref>(batches: Batches<Ref>): BatchSource<Ref> {
  if (Symbol.asyncIterator in batches) {
    const iterator = batches[Symbol.asyncIterator]();
    return { next: async () => (await iterator.next()).value ?? undefined };
  }
  if (Symbol.iterator in batches) {
    const iterator = batches[Symbol.iterator]();
    return { next: async () => iterator.next().value ?? undefined };
  }
  return batches;
}

/** The state every batch of a run shares: counters, whether it still sends, and how to wake its waits. */
class DeliveryRun<Ref> {
  readonly stats: DeliveryStats = {
    records: 0,
    bytes: 0,
    delivered: 0,
    deliveredBytes: 0,
    refused: 0,
    unknown: 0,
    notSent: 0,
    calls: 0,
    retries: 0,
    resent: 0,
    retriedAfterUnknown: 0,
  };
  stoppedBy: DeliveryResult['stoppedBy'];
  /** `onHalt` was called. */
  private sendingEnded = false;
  /** Cuts every wait short: on `stopSignal`, `signal` and a halt. */
  readonly wake = new AbortController();
  readonly turns: Turns;
  readonly sleep: NonNullable<DeliveryOptions<Ref>['sleep']>;
  readonly random: () => number;
  readonly now: () => number;
  readonly backoff: BackoffPolicy;

  constructor(readonly options: DeliveryOptions<Ref>) {
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.turns = new Turns(options.concurrency);
    options.signal?.addEventListener('abort', this.onAbort);
    options.stopSignal?.addEventListener('abort', this.onStop);
    if (options.signal?.aborted) this.onAbort();
    if (options.stopSignal?.aborted) this.onStop();
  }

  get halted(): boolean {
    return this.stoppedBy !== undefined || this.aborted;
  }

  get aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  view() {
    return {
      maxAttempts: this.options.maxAttempts,
      stopping: this.options.stopSignal?.aborted === true || this.aborted,
      aborted: this.aborted,
      halted: this.stoppedBy !== undefined,
    };
  }

  /** Nothing more is sent: the first reason is kept, the source is told to end, waits end. */
  halt(error: unknown, fromInput = false): void {
    if (this.stoppedBy) return;
    this.stoppedBy = { error, fromInput };
    this.endSending();
  }

  /** Tells the source, once, that nothing more is sent, and ends every wait. */
  private endSending(): void {
    if (!this.sendingEnded) this.options.onHalt?.();
    this.sendingEnded = true;
    this.wake.abort();
  }

  /** Counts a batch taken from the source; returns its bytes. */
  take(batch: DeliveryBatch<Ref>): number {
    const bytes = batch.records.reduce((sum, data) => sum + data.length, 0);
    this.stats.records += batch.records.length;
    this.stats.bytes += bytes;
    return bytes;
  }

  progress(): void {
    this.options.onProgress?.({ ...this.stats });
  }

  dispose(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.options.stopSignal?.removeEventListener('abort', this.onStop);
  }

  private readonly onAbort = () => this.endSending();

  private readonly onStop = () => this.wake.abort();
}

/**
 * Batches under way: at most `policy.current()` at a time, and at most `policy.maxBytes` of them
 * (a batch alone over it still goes, once the others are done). Only the run's loop waits here,
 * one batch at a time, so first come is first served. The policy is told when each batch starts
 * and settles, with the bytes it delivered: an adaptive one measures the link from that.
 */
class Turns {
  private busy = 0;
  private bytes = 0;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly policy: ConcurrencyPolicy) {}

  /** Waits for a free turn. */
  async enter(): Promise<void> {
    while (this.busy >= Math.max(1, this.policy.current())) await this.change();
    this.busy += 1;
  }

  /** Waits until the batch's `bytes` fit beside those in flight, then starts it. */
  async admit(bytes: number): Promise<void> {
    const budget = this.policy.maxBytes ?? Infinity;
    while (this.bytes > 0 && this.bytes + bytes > budget) await this.change();
    this.bytes += bytes;
    this.policy.started?.();
  }

  /** A turn went unused (no batch came). */
  leave(): void {
    this.busy -= 1;
    this.changed();
  }

  /** An admitted batch of `bytes` is done after `ms`, having delivered `delivered` bytes. */
  done(bytes: number, sample: { ms: number; delivered: number }): void {
    this.bytes -= bytes;
    this.busy -= 1;
    this.policy.settled?.({ ms: sample.ms, bytes: sample.delivered });
    this.changed();
  }

  private change(): Promise<void> {
    return new Promise<void>((resume) => (this.wakeUp = resume));
  }

  private changed(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }
}

/** One batch driven through its states (`batchSteps.ts`): one method per step, each returning the next state. */
class BatchJob<Ref> {
  private state: BatchState;
  private deliveredBytes = 0;

  constructor(
    private readonly run: DeliveryRun<Ref>,
    private readonly batch: DeliveryBatch<Ref>,
    /** It took a turn; without one the run had halted before it could be sent, and it is only reported. */
    private readonly turn: boolean,
    /** Its records' bytes. */
    private readonly bytes: number,
  ) {
    this.state = firstState(batch.records.length);
  }

  async drive(): Promise<void> {
    const started = this.run.now();
    try {
      if (!this.turn) this.state = afterWait(this.state, this.run.view());
      while (this.state.step.name !== 'done') this.state = await this.stepOnce();
    } finally {
      if (this.turn) {
        const sample = { ms: this.run.now() - started, delivered: this.deliveredBytes };
        this.run.turns.done(this.bytes, sample);
      }
    }
  }

  private stepOnce(): Promise<BatchState> {
    const step = this.state.step;
    switch (step.name) {
      case 'send':
        return this.send();
      case 'backoff':
        return this.wait(backoffDelay(step.retry, this.run.random, this.run.backoff));
      case 'refresh':
        return this.refresh();
      case 'fatal':
        return this.fatal(step.error);
      case 'retryLater':
        return this.wait(step.ms);
      case 'giveUp':
        return this.giveUp(step.status);
      case 'done':
        return Promise.resolve(this.state);
    }
  }

  /** One PutRecordBatch with the pending records. */
  private async send(): Promise<BatchState> {
    const { run, batch } = this;
    const { pauseMs } = run.options;
    if (pauseMs) await run.sleep(pauseMs, run.wake.signal);
    const state = beforeCall(this.state, run.view());
    if (state.step.name !== 'send') return state;
    run.stats.calls += 1;
    if (state.attempts > 1) {
      run.stats.retries += 1;
      run.stats.resent += state.pending.length;
    }
    if (state.lastAnswerLost) run.stats.retriedAfterUnknown += state.pending.length;
    let output: PutRecordBatchOutput;
    try {
      output = await run.options.send(
        {
          DeliveryStreamName: run.options.deliveryStreamName,
          Records: state.pending.map((i) => ({ Data: batch.records[i]! })),
        },
        run.options.signal,
      );
    } catch (err) {
      if (isThrottling(errorCodeOf(err))) run.options.concurrency.throttled?.();
      const next = afterError(state, err, run.view());
      run.progress();
      return next;
    }
    const answered = afterAnswer(state, output, run.view());
    if (answered.state.errors.some((e) => isThrottling(e.errorCode))) run.options.concurrency.throttled?.();
    await this.delivered(answered.delivered);
    return answered.state;
  }

  /** Counts what a call delivered, then tells the caller (awaited: the batch goes on after). */
  private async delivered(positions: number[]): Promise<void> {
    const { stats, options } = this.run;
    const records = positions.map((i) => this.batch.records[i]!);
    const bytes = records.reduce((sum, data) => sum + data.length, 0);
    stats.delivered += records.length;
    stats.deliveredBytes += bytes;
    this.deliveredBytes += bytes;
    this.run.progress();
    if (records.length > 0 && options.onDelivered) {
      await options.onDelivered({ refs: positions.map((i) => this.batch.refs[i]!), records, bytes });
    }
  }

  private async wait(ms: number): Promise<BatchState> {
    await this.run.sleep(ms, this.run.wake.signal);
    return afterWait(this.state, this.run.view());
  }

  private async refresh(): Promise<BatchState> {
    try {
      await this.run.options.refreshCredentials();
    } catch (err) {
      return { ...this.state, step: { name: 'fatal', error: err } };
    }
    return afterWait(this.state, this.run.view());
  }

  /** AWS refused the call itself: explain it, and let the caller choose. */
  private async fatal(err: unknown): Promise<BatchState> {
    const refusal = explainCallError(err, this.run.options.deliveryStreamName);
    const action = (await this.run.options.onFatal?.(refusal)) ?? { stop: true };
    const error = { errorCode: refusal.awsCode ?? errorCodeOf(err), errorMessage: refusal.message };
    if ('stop' in action) {
      this.run.halt(refusal);
      return afterFatal(this.state, error, undefined);
    }
    return afterFatal(this.state, error, action.retryAfterMs);
  }

  private async giveUp(status: UndeliveredStatus): Promise<BatchState> {
    const { pending, errors } = this.state;
    const records = pending.map((i, k) => ({
      data: this.batch.records[i]!,
      ref: this.batch.refs[i]!,
      status,
      ...errors[k]!,
    }));
    this.run.stats[status] += records.length;
    this.run.progress();
    await this.run.options.onUndelivered?.(records);
    return { ...this.state, pending: [], errors: [], step: { name: 'done' } };
  }
}

const THROTTLING = new Set(['ServiceUnavailableException', 'ThrottlingException', 'Throttling']);
const isThrottling = (code: string) => THROTTLING.has(code);

/** AWS's refusal in tempcreds' words; an unknown stream gets a fix that says how to list them. */
export function explainCallError(err: unknown, deliveryStreamName: string): TempcredsError {
  const explained = explainAwsError(err, { action: `PutRecordBatch to ${deliveryStreamName}` });
  if (explained.awsCode !== 'ResourceNotFoundException') return explained;
  return new TempcredsError(explained.message, {
    kind: 'aws',
    awsCode: explained.awsCode,
    fix: 'Check the stream name and the region: aws firehose list-delivery-streams --region REGION',
    cause: err,
  });
}
