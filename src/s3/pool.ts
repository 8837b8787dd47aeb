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
