import { weighed, type Task } from './pool.js';
import { retrying } from './retry.js';

/**
 * A file moved in parts (a multipart upload, a ranged download): begin once, parts in any order
 * and in parallel, then commit, or roll back when anything failed or the sync was stopped.
 */
export interface PartedTransfer {
  readonly partCount: number;
  /** The length of part `index` (what it moves, and holds in memory while it runs). */
  partBytes(index: number): number;
  /** CreateMultipartUpload / open the temporary file. Runs once, before the first part. */
  begin(): Promise<void>;
  /** One part, from the top (re-reading its bytes): safe to call again after a failure. */
  part(index: number, signal: AbortSignal): Promise<void>;
  /** CompleteMultipartUpload / move the temporary file into place. */
  commit(): Promise<void>;
  /** AbortMultipartUpload / remove the temporary file. Never given the sync's signal: it must run. */
  rollback(): Promise<void>;
}

export interface PartedOutcome {
  /** Every part went and the commit succeeded. */
  done(): void;
  /** The transfer failed (and was rolled back; a failed rollback is in the error). */
  failed(error: unknown): void;
  /** Told of each part that failed and will be tried again. */
  onRetry?: (err: unknown) => void;
}

/** Tracks the parts of one transfer so the last part to settle commits or rolls back, exactly once. */
export class PartedRun {
  private begun: Promise<void> | undefined;
  private inFlight = 0;
  private left: number;
  private error: unknown;
  private settled = false;

  constructor(
    private readonly transfer: PartedTransfer,
    private readonly outcome: PartedOutcome,
  ) {
    this.left = transfer.partCount;
  }

  /** Whether the run has ended (committed or rolled back). */
  get finished(): boolean {
    return this.settled;
  }

  /** One task per part, to be handed to the pool in order. */
  *tasks(): Generator<Task> {
    for (let i = 0; i < this.transfer.partCount; i++) {
      if (this.error !== undefined || this.settled) return;
      yield weighed(this.transfer.partBytes(i), (signal) => this.runPart(i, signal));
    }
  }

  private async runPart(index: number, signal: AbortSignal): Promise<void> {
    if (this.error !== undefined || this.settled) return;
    this.inFlight++;
    try {
      if (signal.aborted) throw signal.reason;
      this.begun ??= this.transfer.begin();
      await this.begun;
      await retrying(() => this.transfer.part(index, signal), { signal, onRetry: this.outcome.onRetry });
      this.left--;
    } catch (err) {
      this.error ??= err;
    } finally {
      this.inFlight--;
    }
    if (this.inFlight === 0 && (this.error !== undefined || this.left === 0)) await this.finish();
  }

  /**
   * Ends a run that can make no more progress: the pool stopped before all its parts ran. A run
   * that never began has nothing to undo and is dropped quietly (the file was simply not reached).
   */
  async abandon(reason: unknown): Promise<void> {
    if (this.settled) return;
    if (!this.begun) {
      this.settled = true;
      return;
    }
    this.error ??= reason;
    if (this.inFlight === 0) await this.finish();
  }

  private async finish(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (this.error === undefined) {
      try {
        await this.transfer.commit();
        return this.outcome.done();
      } catch (err) {
        this.error = err;
      }
    }
    try {
      // Only if begin ran: there is nothing to roll back otherwise.
      if (this.begun) await this.rollback();
    } finally {
      this.outcome.failed(this.error);
    }
  }

  private async rollback(): Promise<void> {
    const begun = await this.begun!.then(
      () => true,
      () => false,
    );
    if (!begun) return;
    try {
      await this.transfer.rollback();
    } catch (err) {
      this.error = new AggregateError(
        [this.error, err],
        `${describe(this.error)}; and cleaning up failed too: ${describe(err)}`,
      );
    }
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
