import { fixedConcurrency, type ConcurrencyPolicy } from '../aws/concurrency.js';

// The policy is shared with the Firehose delivery engine; its home is src/aws/concurrency.ts.
export { fixedConcurrency, type ConcurrencyPolicy };

/** A unit of work for the pool. It records its own outcome; a throw means a bug or a fatal error. */
export type Task = (signal: AbortSignal) => Promise<void>;

/**
 * Runs tasks with `policy.max` workers (a number is a fixed policy) that all pull from one shared
 * async iterator, so files and the parts of large files share one bound; a worker waits while
 * `policy.current()` tasks run. Stops pulling when `signal` aborts, and always waits for every running task to settle (they
 * clean up: abort multipart uploads, remove temporary files) before it resolves or rethrows the
 * first error.
 */
export async function runPool(
  tasks: AsyncIterator<Task>,
  concurrency: ConcurrencyPolicy | number,
  signal: AbortSignal,
): Promise<void> {
  const policy = typeof concurrency === 'number' ? fixedConcurrency(concurrency) : concurrency;
  // Slots taken: a worker holds one from pulling a task until that task settles.
  let busy = 0;
  const waiting: Array<() => void> = [];
  const settled = policy.settled?.bind(policy);
  const release = () => {
    busy--;
    // Wake as many as may start now (a woken worker checks again, so waking one too many is harmless).
    for (let free = policy.current() - busy; free > 0 && waiting.length > 0; free--) waiting.shift()!();
  };
  const worker = async () => {
    while (!signal.aborted) {
      // A fixed policy never waits here: each of its `max` workers holds one slot at a time.
      while (busy >= policy.current()) await new Promise<void>((resume) => waiting.push(resume));
      busy++;
      try {
        const next = await tasks.next();
        if (next.done) return;
        const started = settled ? performance.now() : 0;
        await next.value(signal);
        settled?.({ ms: performance.now() - started });
      } finally {
        // Also when leaving: a worker waiting behind this one may pull (and see the end) now.
        release();
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, policy.max) }, worker));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Ordered map with a window: runs `fn` on up to `window` items ahead of the consumer and yields
 * the results in input order. Used to resolve `--checksum` comparisons in parallel.
 */
export async function* mapAhead<T, R>(
  items: AsyncIterable<T>,
  window: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const queue: Promise<R>[] = [];
  for await (const item of items) {
    const result = fn(item);
    result.catch(() => {}); // observed below, in order; never unhandled meanwhile
    queue.push(result);
    if (queue.length >= window) yield await queue.shift()!;
  }
  while (queue.length > 0) yield await queue.shift()!;
}

/**
 * Pulls up to `max` items from `items` ahead of the consumer, so a slow producer and a slow
 * consumer overlap: the local walk runs while the first S3 listing page is on its way. Items and
 * a failure come out in the order the source produced them; stopping early closes the source.
 */
export async function* readAhead<T>(items: AsyncIterable<T>, max: number): AsyncGenerator<T> {
  const source = items[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;

  const producer = (async () => {
    try {
      while (!stopped) {
        if (buffer.length >= max) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          continue;
        }
        const next = await source.next();
        if (next.done) break;
        buffer.push(next.value);
        wakeConsumer?.();
      }
      ended = !stopped;
    } catch (error) {
      failure = { error };
      ended = true;
    }
    wakeConsumer?.();
  })();

  try {
    for (;;) {
      if (buffer.length > 0) {
        const item = buffer.shift()!;
        wakeProducer?.();
        yield item;
      } else if (ended) {
        if (failure) throw failure.error;
        return;
      } else {
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    }
  } finally {
    stopped = true;
    wakeProducer?.();
    await producer;
    if (!ended) await source.return?.(undefined);
  }
}
