import { setTimeout as delay } from 'node:timers/promises';
import type { ConcurrencyPolicy } from '../aws/concurrency.js';
import { firehoseConcurrency } from '../firehose/concurrency.js';
import { TempcredsError } from '../errors.js';
import type { FlowConfig } from './config.js';
import { deadLetterDir } from './deadLetter.js';
import type { Deliver, OutgoingRecord, SettledRecord } from './delivery.js';
import type { AgentEvent } from './events.js';
import type { Spool } from './spool.js';
import { FlowTailer } from './tail.js';

export interface FlowDeps {
  spool: Spool;
  deliver: Deliver;
  stateDir: string;
  pollIntervalMs: number;
  /** How long a flow whose stream AWS refuses waits before trying again. */
  refusalRetryMs: number;
  /** Bytes the spool takes before it is full (0 while full: reading pauses). */
  spoolRoom: () => number;
  onEvent: (event: AgentEvent) => void;
  now?: () => number;
  /** For tests: smaller reads and records than Firehose's. */
  maxRecordBytes?: number;
}

/** What a flow reports for `/health`, `/metrics` and `agent status`. */
export interface FlowState {
  name: string;
  healthy: boolean;
  /** Why not, in AWS's words and with the fix. */
  reason?: string;
  filesFollowed: number;
  unreadBytes: number;
}

/** Records sent again wait this long at first, doubling while they keep failing. */
const REQUEUE_BASE_MS = 500;
const REQUEUE_CAP_MS = 10_000;
/** Records taken from the spool per read. */
const PUMP_ROWS = 500;

/**
 * One flow: its files are tailed into the spool (records and checkpoint in one transaction), and
 * the spool is delivered to its stream (a record leaves the spool only once Firehose accepted it).
 * Records refused after every attempt, or whose fate is unknown, wait and go again; a refusal of
 * the stream itself marks the flow unhealthy and is retried every `refusalRetryMs`. Nothing is dropped.
 */
export class Flow {
  private readonly tailer: FlowTailer;
  private timer: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();
  private readonly abort = new AbortController();
  private delivering: Promise<void> | undefined;
  private cursor = 0;
  private requeued: { record: OutgoingRecord; dueMs: number }[] = [];
  private failureStreak = 0;
  private lastDeliveredMs: number;
  private wake: (() => void) | undefined;
  private refusal: string | undefined;
  private readonly now: () => number;
  /** Calls under way at once, across the flow's runs of the engine. */
  private readonly concurrency: ConcurrencyPolicy;

  constructor(
    readonly config: FlowConfig,
    private readonly deps: FlowDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.concurrency = firehoseConcurrency(config.concurrency, ({ from, to, reason }) =>
      deps.onEvent({ type: 'flow.concurrency', flow: config.name, from, to, reason }),
    );
    this.lastDeliveredMs = this.now();
    const firstStart = deps.spool.registerFlow(config.name);
    this.refusal = deps.spool.flowHealth(config.name).reason;
    this.tailer = new FlowTailer({
      flow: config,
      spool: deps.spool,
      firstStart,
      deadLetterDir: deadLetterDir(deps.stateDir, config.name),
      room: deps.spoolRoom,
      maxRecordBytes: deps.maxRecordBytes,
      onEvent: (e) => deps.onEvent({ ...e, flow: config.name }),
    });
  }

  /** Starts tailing and delivering. */
  start(): void {
    this.deps.onEvent({
      type: 'flow.started',
      flow: this.config.name,
      deliveryStream: this.config.deliveryStream,
    });
    this.tick();
    this.timer = setInterval(() => this.tick(), this.deps.pollIntervalMs);
    this.delivering = this.deliverLoop();
  }

  state(): FlowState {
    const { files, unreadBytes } = this.tailer.stats();
    return {
      name: this.config.name,
      healthy: this.refusal === undefined,
      reason: this.refusal,
      filesFollowed: files,
      unreadBytes,
    };
  }

  /** How long records have been failing without one accepted (0 while deliveries succeed). */
  stalledSince(now = this.now()): number {
    return this.failureStreak > 0 ? now - this.lastDeliveredMs : 0;
  }

  private tick(): void {
    if (this.stop.signal.aborted) return;
    if (this.tailer.tick() > 0) this.nudge();
  }

  private nudge(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /**
   * Stops reading at once, lets the calls in flight finish within `drainTimeoutMs` (then aborts
   * them), and closes the files. What was not delivered stays in the spool.
   */
  async close(drainTimeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    this.stop.abort();
    this.nudge();
    const timer = setTimeout(() => this.abort.abort(), drainTimeoutMs);
    await this.delivering;
    clearTimeout(timer);
    this.tailer.close();
    this.deps.onEvent({ type: 'flow.stopped', flow: this.config.name });
  }

  private async deliverLoop(): Promise<void> {
    while (!this.stop.signal.aborted) {
      this.cursor = 0;
      this.requeued = [];
      try {
        await this.deps.deliver(this.pending(), {
          deliveryStream: this.config.deliveryStream,
          flushIntervalMs: this.config.flushIntervalMs,
          concurrency: this.concurrency,
          onSettled: (settled) => this.settled(settled),
          onRetried: (n) => this.deps.spool.bump(this.config.name, { retried: n }),
          stopSignal: this.stop.signal,
          signal: this.abort.signal,
        });
      } catch (err) {
        this.refused(err);
        await delay(this.deps.refusalRetryMs, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
  }

  private refused(err: unknown): void {
    const reason =
      err instanceof TempcredsError && err.fix
        ? `${err.message} Fix: ${err.fix}`
        : err instanceof Error
          ? err.message
          : String(err);
    if (this.refusal !== reason) {
      this.deps.onEvent({
        type: 'flow.refused',
        flow: this.config.name,
        reason,
        retryInMs: this.deps.refusalRetryMs,
      });
    }
    this.refusal = reason;
    this.deps.spool.setFlowHealth(this.config.name, false, reason);
  }

  private settled(settled: SettledRecord[]): void {
    const delivered = settled.filter((s) => s.outcome === 'delivered');
    this.deps.spool.remove(
      this.config.name,
      delivered.map((s) => ({ id: s.ref, bytes: s.bytes })),
    );
    if (delivered.length > 0) {
      this.failureStreak = 0;
      this.lastDeliveredMs = this.now();
      if (this.refusal !== undefined) {
        this.refusal = undefined;
        this.deps.spool.setFlowHealth(this.config.name, true, undefined);
        this.deps.onEvent({ type: 'flow.recovered', flow: this.config.name });
      }
    }
    const again = settled.filter((s) => s.outcome !== 'delivered');
    if (again.length === 0 || this.stop.signal.aborted) return;
    this.failureStreak += 1;
    const waitMs = Math.min(REQUEUE_CAP_MS, REQUEUE_BASE_MS * 2 ** Math.min(10, this.failureStreak - 1));
    const first = again[0]!;
    this.deps.onEvent({
      type: 'records.requeued',
      flow: this.config.name,
      records: again.length,
      errorCode: first.errorCode,
      errorMessage: first.errorMessage,
      retryInMs: waitMs,
    });
    this.deps.spool.bump(this.config.name, { retried: again.length });
    const dueMs = this.now() + waitMs;
    const byId = new Map(this.deps.spool.byIds(again.map((s) => s.ref)).map((r) => [r.id, r.data]));
    for (const s of again) {
      const data = byId.get(s.ref);
      if (data) this.requeued.push({ record: { ref: s.ref, data }, dueMs });
    }
    setTimeout(() => this.nudge(), waitMs).unref();
  }

  /** The records to send: those requeued once due, then the spool's from the cursor on; waits when there are none. */
  private async *pending(): AsyncGenerator<OutgoingRecord> {
    while (!this.stop.signal.aborted) {
      const now = this.now();
      const due = this.requeued.filter((r) => r.dueMs <= now);
      if (due.length > 0) {
        this.requeued = this.requeued.filter((r) => r.dueMs > now);
        for (const r of due) yield r.record;
        continue;
      }
      const rows = this.deps.spool.next(this.config.name, this.cursor, PUMP_ROWS);
      if (rows.length > 0) {
        this.cursor = rows[rows.length - 1]!.id;
        for (const row of rows) yield { ref: row.id, data: row.data };
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
