import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/s3/pool.js';

/** A source that counts how far it has been pulled and can be told to fail or to pause. */
function source<T>(items: T[], options: { failAfter?: number; gate?: Promise<void> } = {}) {
  const state = { pulled: 0, closed: false };
  async function* generate(): AsyncGenerator<T> {
    try {
      for (const item of items) {
        if (options.failAfter !== undefined && state.pulled === options.failAfter)
          throw new Error('disk gone');
        if (options.gate && state.pulled === 1) await options.gate;
        state.pulled++;
        yield item;
      }
    } finally {
      state.closed = true;
    }
  }
  return { items: generate(), state };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readAhead', () => {
  it('yields every item in order', async () => {
    const values = Array.from({ length: 50 }, (_, i) => i);
    expect(await collect(readAhead(source(values).items, 7))).toEqual(values);
  });

  it('works with an empty source and with a window of one', async () => {
    expect(await collect(readAhead(source([]).items, 3))).toEqual([]);
    expect(await collect(readAhead(source(['a', 'b', 'c']).items, 1))).toEqual(['a', 'b', 'c']);
  });

  it('pulls ahead while the consumer has not asked yet, but never more than the window', async () => {
    const s = source(Array.from({ length: 100 }, (_, i) => i));
    const ahead = readAhead(s.items, 10);
    const first = await ahead.next();
    expect(first.value).toBe(0);
    await tick();
    // One handed out, ten buffered, and the source may be one item into its next pull.
    expect(s.state.pulled).toBeGreaterThanOrEqual(10);
    expect(s.state.pulled).toBeLessThanOrEqual(12);
    await ahead.return(undefined);
  });

  it('delivers the items before a failure, then the failure', async () => {
    const s = source([1, 2, 3, 4], { failAfter: 2 });
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(s.items, 10)) out.push(item);
      })(),
    ).rejects.toThrow('disk gone');
    expect(out).toEqual([1, 2]);
  });

  it('closes the source when the consumer stops early', async () => {
    const s = source(Array.from({ length: 100 }, (_, i) => i));
    for await (const item of readAhead(s.items, 5)) if (item === 3) break;
    expect(s.state.closed).toBe(true);
    expect(s.state.pulled).toBeLessThan(100);
  });

  it('closes a source that is waiting when the consumer stops', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const s = source([1, 2, 3], { gate });
    const ahead = readAhead(s.items, 5);
    expect((await ahead.next()).value).toBe(1);
    const stopping = ahead.return(undefined);
    open();
    await stopping;
    expect(s.state.closed).toBe(true);
  });
});
