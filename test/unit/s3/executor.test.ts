import { describe, expect, it } from 'vitest';
import { PartedRun, type PartedTransfer } from '../../../src/s3/parted.js';
import {
  fixedConcurrency,
  mapAhead,
  runPool,
  weighed,
  type ConcurrencyPolicy,
  type Task,
} from '../../../src/s3/pool.js';
import { linkConcurrency } from '../../../src/s3/linkConcurrency.js';
import { isThrottling, retrying } from '../../../src/s3/retry.js';

/**
 * A transfer that records what happened. Parts listed in `failing` fail once with a retryable
 * error, or with `always` every time with an error that is not worth retrying.
 */
function fakeTransfer(partCount: number, failing: number[] = [], always = false) {
  const log: string[] = [];
  const failedOnce = new Set<number>();
  const transfer: PartedTransfer = {
    partCount,
    partBytes: () => 1,
    begin: async () => void log.push('begin'),
    part: async (i) => {
      await new Promise((r) => setTimeout(r, 1));
      if (failing.includes(i) && (always || !failedOnce.has(i))) {
        failedOnce.add(i);
        if (always) throw new Error(`part ${i} broke`);
        throw Object.assign(new Error(`part ${i} broke`), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      log.push(`part ${i}`);
    },
    commit: async () => void log.push('commit'),
    rollback: async () => void log.push('rollback'),
  };
  return { transfer, log };
}

async function* from(tasks: Iterable<Task>) {
  yield* tasks;
}

describe('PartedRun in the pool', () => {
  it('runs every part once, in parallel, and commits once', async () => {
    const { transfer, log } = fakeTransfer(7);
    const outcome: string[] = [];
    const run = new PartedRun(transfer, {
      done: () => outcome.push('done'),
      failed: () => outcome.push('failed'),
    });
    await runPool(from(run.tasks()), 3, new AbortController().signal);
    expect(log.filter((l) => l === 'begin')).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('part')).sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => `part ${i}`),
    );
    expect(log.at(-1)).toBe('commit');
    expect(outcome).toEqual(['done']);
  });

  it('retries a part that fails once (re-running it from the top)', async () => {
    const { transfer, log } = fakeTransfer(3, [1]);
    const outcome: string[] = [];
    const run = new PartedRun(transfer, {
      done: () => outcome.push('done'),
      failed: () => outcome.push('failed'),
    });
    await runPool(from(run.tasks()), 2, new AbortController().signal);
    expect(outcome).toEqual(['done']);
    expect(log).toContain('part 1');
  });

  it('rolls back once, after the parts in flight settle, when a part keeps failing', async () => {
    const { transfer, log } = fakeTransfer(20, [2], true);
    const errors: unknown[] = [];
    const run = new PartedRun(transfer, { done: () => errors.push('done?!'), failed: (e) => errors.push(e) });
    await runPool(from(run.tasks()), 4, new AbortController().signal);
    expect(log.filter((l) => l === 'rollback')).toHaveLength(1);
    expect(log).not.toContain('commit');
    expect(log.at(-1)).toBe('rollback');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('part 2 broke');
    // Parts not yet started when the failure came were never run.
    expect(log.filter((l) => l.startsWith('part')).length).toBeLessThan(19);
  });

  it('abandon() rolls back a begun run whose remaining parts will never run', async () => {
    const { transfer, log } = fakeTransfer(5);
    const outcome: string[] = [];
    const run = new PartedRun(transfer, {
      done: () => outcome.push('done'),
      failed: () => outcome.push('failed'),
    });
    const tasks = run.tasks();
    await tasks.next().value!(new AbortController().signal); // one part, then the pool stops
    await run.abandon(new Error('stopped'));
    expect(log).toEqual(['begin', 'part 0', 'rollback']);
    expect(outcome).toEqual(['failed']);
  });

  it('abandon() drops a run that never began: nothing to undo, nothing reported', async () => {
    const { transfer, log } = fakeTransfer(5);
    const outcome: string[] = [];
    const run = new PartedRun(transfer, {
      done: () => outcome.push('done'),
      failed: () => outcome.push('failed'),
    });
    await run.abandon(new Error('stopped'));
    expect(log).toEqual([]);
    expect(outcome).toEqual([]);
  });

  it('names a failed rollback in the error, never hides it', async () => {
    const { transfer } = fakeTransfer(2, [0], true);
    transfer.rollback = async () => {
      throw new Error('AbortMultipartUpload refused');
    };
    const errors: Error[] = [];
    const run = new PartedRun(transfer, { done: () => {}, failed: (e) => errors.push(e as Error) });
    await runPool(from(run.tasks()), 1, new AbortController().signal);
    expect(errors[0]?.message).toMatch(/part 0 broke.*cleaning up failed too: AbortMultipartUpload refused/);
  });
});

describe('runPool', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 30 }, (): Task => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    });
    await runPool(from(tasks), 4, new AbortController().signal);
    expect(peak).toBe(4);
  });

  it('stops pulling when the signal aborts, and waits for the running tasks', async () => {
    const controller = new AbortController();
    let started = 0;
    let finished = 0;
    const tasks = Array.from({ length: 100 }, (): Task => async () => {
      started++;
      if (started === 5) controller.abort();
      await new Promise((r) => setTimeout(r, 5));
      finished++;
    });
    await runPool(from(tasks), 2, controller.signal);
    expect(started).toBeLessThan(10);
    expect(finished).toBe(started);
  });

  it('rethrows a failing task source after the running tasks settle', async () => {
    let finished = 0;
    async function* broken() {
      yield (async () => {
        await new Promise((r) => setTimeout(r, 10));
        finished++;
      }) as Task;
      throw new Error('listing failed');
    }
    await expect(runPool(broken(), 3, new AbortController().signal)).rejects.toThrow('listing failed');
    expect(finished).toBe(1);
  });
});

describe('runPool with a concurrency policy (the seam for one that adapts)', () => {
  /** Tasks that note how many run at once; each takes `ms`. */
  function tracked(count: number, ms = 2) {
    const seen = { running: 0, peak: 0, inFlight: [] as number[] };
    const tasks = Array.from({ length: count }, (): Task => async () => {
      seen.running++;
      seen.peak = Math.max(seen.peak, seen.running);
      seen.inFlight.push(seen.running);
      await new Promise((r) => setTimeout(r, ms));
      seen.running--;
    });
    return { tasks, seen };
  }

  it('a fixed policy is the number: exactly n in flight', async () => {
    const { tasks, seen } = tracked(40);
    await runPool(from(tasks), fixedConcurrency(5), new AbortController().signal);
    expect(seen.peak).toBe(5);
  });

  it('asks current() before each task: a policy that shrinks and grows is followed, never above max', async () => {
    const { tasks, seen } = tracked(60);
    let done = 0;
    const samples: number[] = [];
    const policy: ConcurrencyPolicy = {
      max: 8,
      // 8 at first, 2 after 20 tasks, 6 after 40.
      current: () => (done < 20 ? 8 : done < 40 ? 2 : 6),
      settled: ({ ms }) => {
        done++;
        samples.push(ms);
      },
    };
    await runPool(from(tasks), policy, new AbortController().signal);
    expect(done).toBe(60);
    expect(samples.every((ms) => ms >= 1)).toBe(true);
    expect(seen.peak).toBe(8);
    // Once 2 is the limit (and the 8 already running have drained), no more than 2 start at once.
    expect(Math.max(...seen.inFlight.slice(30, 40))).toBeLessThanOrEqual(2);
    expect(Math.max(...seen.inFlight.slice(45))).toBeGreaterThan(2);
  });

  it('a waiting worker sees the end of the tasks and the pool resolves', async () => {
    const { tasks } = tracked(3);
    const policy: ConcurrencyPolicy = { max: 4, current: () => 1 };
    await expect(runPool(from(tasks), policy, new AbortController().signal)).resolves.toBeUndefined();
  });
});

describe('runPool: the byte budget and the hooks an adaptive policy reads', () => {
  /** Tasks of `bytes` each that note the bytes in flight. */
  function weighedTasks(sizes: number[], ms = 3) {
    const seen = { bytes: 0, peakBytes: 0, running: 0, peak: 0 };
    const tasks = sizes.map((bytes) =>
      weighed(bytes, async () => {
        seen.bytes += bytes;
        seen.running++;
        seen.peakBytes = Math.max(seen.peakBytes, seen.bytes);
        seen.peak = Math.max(seen.peak, seen.running);
        await new Promise((r) => setTimeout(r, ms));
        seen.bytes -= bytes;
        seen.running--;
      }),
    );
    return { tasks, seen };
  }

  it('keeps the bytes in flight within maxBytes, however many slots are free', async () => {
    const { tasks, seen } = weighedTasks(Array(30).fill(8));
    await runPool(from(tasks), { max: 20, maxBytes: 24, current: () => 20 }, new AbortController().signal);
    expect(seen.peakBytes).toBe(24);
    expect(seen.peak).toBe(3);
  });

  it('a task larger than the budget still runs, alone', async () => {
    const { tasks, seen } = weighedTasks([4, 100, 4, 4]);
    await runPool(from(tasks), { max: 4, maxBytes: 10, current: () => 4 }, new AbortController().signal);
    expect(seen.peakBytes).toBe(100);
  });

  it('small tasks are not held back by the budget', async () => {
    const { tasks, seen } = weighedTasks(Array(40).fill(1));
    await runPool(from(tasks), { max: 16, maxBytes: 1000, current: () => 16 }, new AbortController().signal);
    expect(seen.peak).toBe(16);
  });

  it('tells started() and settled() of every task, with its bytes', async () => {
    const { tasks } = weighedTasks([5, 7, 0, 3]);
    let started = 0;
    const settled: number[] = [];
    const policy: ConcurrencyPolicy = {
      max: 2,
      current: () => 2,
      started: () => started++,
      settled: ({ bytes }) => settled.push(bytes ?? -1),
    };
    await runPool(from(tasks), policy, new AbortController().signal);
    expect(started).toBe(4);
    expect(settled.sort((x, y) => x - y)).toEqual([0, 3, 5, 7]);
  });

  it('linkConcurrency in the pool: starts at its initial limit, grows on a latency-bound run, within the budget', async () => {
    const changes: string[] = [];
    const policy = linkConcurrency({
      initial: 4,
      max: 64,
      maxBytes: 48,
      onChange: (c) => changes.push(`${c.from}->${c.to} ${c.reason}`),
    });
    const { tasks, seen } = weighedTasks(Array(300).fill(1), 60);
    await runPool(from(tasks), policy, new AbortController().signal);
    expect(changes[0]).toBe('4->16 growing');
    expect(seen.peak).toBeGreaterThan(16);
    expect(seen.peakBytes).toBeLessThanOrEqual(48);
  });
});

describe('retries tell the policy about throttling', () => {
  const slowDown = Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $metadata: { httpStatusCode: 503 },
  });
  const internal = Object.assign(new Error('oops'), {
    name: 'InternalError',
    $metadata: { httpStatusCode: 500 },
  });

  it('isThrottling: SlowDown and 503 are, other retryable errors are not', () => {
    expect(isThrottling(slowDown)).toBe(true);
    expect(isThrottling({ name: 'X', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isThrottling(internal)).toBe(false);
    expect(isThrottling(undefined)).toBe(false);
  });

  it('onRetry hears each failure that is tried again, not the last one', async () => {
    const heard: unknown[] = [];
    let calls = 0;
    const result = await retrying(
      async () => {
        calls++;
        if (calls < 3) throw calls === 1 ? slowDown : internal;
        return 'ok';
      },
      { attempts: 3, baseDelayMs: 1, onRetry: (err) => heard.push(err) },
    );
    expect(result).toBe('ok');
    expect(heard).toEqual([slowDown, internal]);
    await expect(
      retrying(
        async () => {
          throw slowDown;
        },
        { attempts: 2, baseDelayMs: 1, onRetry: (err) => heard.push(err) },
      ),
    ).rejects.toBe(slowDown);
    expect(heard).toHaveLength(3);
  });
});

describe('mapAhead', () => {
  it('keeps the input order while running a window ahead', async () => {
    let running = 0;
    let peak = 0;
    async function* items() {
      yield* [50, 1, 30, 2, 10, 3];
    }
    const out: number[] = [];
    for await (const v of mapAhead(items(), 3, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms;
    })) {
      out.push(v);
    }
    expect(out).toEqual([50, 1, 30, 2, 10, 3]);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });
});
