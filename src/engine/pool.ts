/**
 * Maps `source` through `work` with at most `limit` calls in flight, yielding results in the
 * order they finish. A limit that is a function is read again before each pull, so that it
 * can change while the map runs. The source is pulled only when a slot is free, so a lazy
 * source (pages of a listing) overlaps with the work and nothing piles up. An error from the
 * source or from `work` stops further pulls and is rethrown once the calls in flight have
 * finished.
 */
export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T>,
  work: (item: T) => Promise<R>,
  limit: number | (() => number),
): AsyncGenerator<R> {
  const limitNow = typeof limit === 'number' ? () => limit : limit;
  const iterator = source[Symbol.asyncIterator]();
  const finished: R[] = [];
  let active = 0;
  let pulling = false;
  let sourceEnded = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown): void => {
    failure ??= { error };
  };

  const pull = (): void => {
    pulling = true;
    iterator.next().then(
      (next) => {
        pulling = false;
        if (next.done) {
          sourceEnded = true;
        } else {
          active += 1;
          work(next.value)
            .then((result) => void finished.push(result), fail)
            .finally(() => {
              active -= 1;
              notify();
            });
        }
        notify();
      },
      (error: unknown) => {
        pulling = false;
        sourceEnded = true;
        fail(error);
        notify();
      },
    );
  };

  try {
    for (;;) {
      const canPull = !sourceEnded && !failure && !pulling;
      if (canPull && active < limitNow()) pull();
      if (finished.length > 0) {
        yield finished.shift() as R;
      } else if (!pulling && active === 0 && (sourceEnded || failure)) {
        break;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    // Reached early by a consumer that stopped, or by a failed `work`: close the source.
    if (!sourceEnded) await iterator.return?.();
  }
  if (failure) throw failure.error;
}

/**
 * How many requests of one kind for different buckets (probes, lifecycle reads) are in flight
 * at once: a hundred buckets take two round trips, not a hundred, and ten thousand do not
 * open ten thousand requests at once.
 */
export const BUCKETS_IN_FLIGHT = 64;

/**
 * How many targets are listed at once. Most targets of a fleet hold a few uploads and cost a
 * few round trips each (the listing, the first aborts, the last), so cleaned one after
 * another a fleet costs the sum of its round trips; 64 at once take that many round trips
 * together, as the probes do (measured, 600 targets 40 ms away: 32 at once cost twice one
 * bucket with the same uploads, 64 1.8 times). It is not the bound on aborts, which the run's
 * traffic keeps for all targets; and it bounds the pages held: at most two a target (one
 * being aborted, the next being listed), 128 of 1,000 uploads.
 */
export const TARGETS_AT_ONCE = 64;

/** `work` on every item, at most `limit` at once; the results in the items' order. */
export async function mapAll<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
  limit: number,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  async function* indexes() {
    yield* items.keys();
  }
  const each = async (i: number): Promise<[number, R]> => [i, await work(items[i])];
  for await (const [i, result] of mapConcurrent(indexes(), each, limit)) results[i] = result;
  return results;
}
