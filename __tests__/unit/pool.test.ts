import { describe, expect, it } from '@jest/globals';
import { mapAll, mapConcurrent } from '../../src/engine/pool.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A source that records how far it has been pulled. */
function countingSource(count: number) {
  const state = { pulled: 0, closed: false };
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i += 1) {
        state.pulled += 1;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { items: items(), state };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const results: T[] = [];
  for await (const item of iterable) results.push(item);
  return results;
}

describe('mapConcurrent', () => {
  it('maps every item, never running more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const work = async (n: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      running -= 1;
      return n * 2;
    };
    const results = await collect(mapConcurrent(countingSource(100).items, work, 8));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
    expect(peak).toBe(8);
  });

  it('yields results as they finish, not in source order', async () => {
    const delays = [30, 1, 15];
    const work = (i: number) =>
      new Promise<number>((resolve) => setTimeout(() => resolve(i), delays[i]));
    expect(await collect(mapConcurrent(countingSource(3).items, work, 3))).toEqual([1, 2, 0]);
  });

  it('pulls the source only as slots free up', async () => {
    const { items, state } = countingSource(1000);
    const gates: (() => void)[] = [];
    const work = () => new Promise<void>((resolve) => gates.push(resolve));
    const results = mapConcurrent(items, work, 4);
    const first = results.next();
    for (let i = 0; i < 10; i += 1) await tick();
    expect(state.pulled).toBe(4);
    gates.shift()?.();
    await first;
    for (let i = 0; i < 10; i += 1) await tick();
    expect(state.pulled).toBe(5);
    await results.return(undefined);
    expect(state.closed).toBe(true);
  });

  it('finishes the work in flight, then rethrows a source error', async () => {
    const finished: number[] = [];
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('listing broke');
    }
    const work = async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished.push(n);
      return n;
    };
    const seen: number[] = [];
    await expect(async () => {
      for await (const n of mapConcurrent(failing(), work, 4)) seen.push(n);
    }).rejects.toThrow('listing broke');
    expect(seen.sort()).toEqual([1, 2]);
    expect(finished.sort()).toEqual([1, 2]);
  });

  it('stops pulling and rethrows when the work itself throws', async () => {
    const { items, state } = countingSource(100);
    const work = async (n: number) => {
      if (n === 3) throw new Error('bug');
      return n;
    };
    await expect(collect(mapConcurrent(items, work, 2))).rejects.toThrow('bug');
    expect(state.pulled).toBeLessThan(10);
    expect(state.closed).toBe(true);
  });

  it('handles an empty source', async () => {
    expect(await collect(mapConcurrent(countingSource(0).items, async (n) => n, 4))).toEqual([]);
  });
});

describe('mapAll', () => {
  it('works on every item, at most the limit at once, and gives the results in order', async () => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const work = async (n: number) => {
      running += 1;
      peak = Math.max(peak, running);
      // The later items finish first.
      await new Promise((resolve) => setTimeout(resolve, 50 - n));
      running -= 1;
      return `#${n}`;
    };
    expect(await mapAll(items, work, 8)).toEqual(items.map((n) => `#${n}`));
    expect(peak).toBe(8);
    expect(await mapAll([], work, 8)).toEqual([]);
  });
});
