/** A unit of work for the pool. It records its own outcome; a throw means a bug or a fatal error. */
export type Task = (signal: AbortSignal) => Promise<void>;

/**
 * Runs tasks with `concurrency` workers that all pull from one shared async iterator, so files and
 * the parts of large files share one bound. Stops pulling when `signal` aborts, and always waits
 * for every running task to settle (they clean up: abort multipart uploads, remove temporary
 * files) before it resolves or rethrows the first error.
 */
export async function runPool(
  tasks: AsyncIterator<Task>,
  concurrency: number,
  signal: AbortSignal,
): Promise<void> {
  const worker = async () => {
    while (!signal.aborted) {
      const next = await tasks.next();
      if (next.done) return;
      await next.value(signal);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, concurrency) }, worker));
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
