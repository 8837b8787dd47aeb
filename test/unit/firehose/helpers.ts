import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Small helpers for the firehose unit tests. */

export async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

export const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');

export async function* recordsOfSizes(sizes: number[]): AsyncGenerator<Uint8Array> {
  for (const size of sizes) yield new Uint8Array(size);
}

/** A temporary folder for the tests of one file, removed after them. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}

/** An input the test feeds item by item, open until `end()`: a pipe such as `tail -f | tempcreds`. */
export interface Feed<T> {
  records: AsyncIterable<T>;
  push(...items: T[]): void;
  end(): void;
  /** Items the consumer has taken so far. */
  readonly pulled: number;
  /** The consumer closed the input (its `finally` ran). */
  readonly closed: boolean;
}

export function feed<T>(): Feed<T> {
  const queue: T[] = [];
  let ended = false;
  let pulled = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  async function* records(): AsyncGenerator<T> {
    try {
      for (;;) {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        if (queue.length === 0) return;
        pulled += 1;
        yield queue.shift()!;
      }
    } finally {
      closed = true;
    }
  }
  return {
    records: records(),
    push(...items) {
      queue.push(...items);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    get pulled() {
      return pulled;
    },
    get closed() {
      return closed;
    },
  };
}

/** A feed of records pushed as text (their UTF-8 bytes). */
export interface PushSource extends Omit<Feed<Uint8Array>, 'push'> {
  push(...texts: string[]): void;
}

export function pushSource(): PushSource {
  const input = feed<Uint8Array>();
  return {
    records: input.records,
    push: (...texts) => input.push(...texts.map((t) => Buffer.from(t, 'utf8'))),
    end: input.end,
    get pulled() {
      return input.pulled;
    },
    get closed() {
      return input.closed;
    },
  };
}
