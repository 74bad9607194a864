// A stand-in store under load, in real time, for the e2e suite: its answers come a fixed
// time after their request (a region away), or it serves a few hundred requests a second and
// queues the rest (a small self-hosted store), or it refuses aborts beyond a rate with
// SlowDown (a busy prefix of Amazon S3), each bucket on its own count, or only some buckets
// (a hot bucket in a fleet). The simulated-clock versions of the same stores are
// in traffic-sim.ts; these check the bundle as the runner runs it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StandInRequest } from './s3-stand-ins.js';

export interface StoreLoad {
  /** For S3StandIn.load. */
  load: (request: StandInRequest) => Promise<'slow-down' | undefined>;
  /** The most aborts the store held at once. */
  peakAbortsInFlight: number;
  /** Abort requests answered SlowDown, and all abort requests. */
  slowDowns: number;
  abortRequests: number;
  /** Abort requests answered SlowDown, by bucket (buckets never refused are absent). */
  slowDownsByBucket: Map<string, number>;
}

const isAbort = (request: StandInRequest) =>
  request.method === 'DELETE' && request.query.has('uploadId');

/**
 * The store's load: `delayMs` before every answer; with `servePerSecond`, one request after
 * another at that rate, the rest waiting in turn; with `slowDownAbove`, a bucket's aborts
 * beyond that many a second refused (a token bucket of 20 ms for each bucket, as a store
 * throttles a bucket's partition, not its client), refusals using the rate up too when
 * `countRefused`, and only the buckets in `slowDownBuckets` refused when it is given.
 */
export function storeLoad({
  delayMs = 0,
  servePerSecond,
  slowDownAbove,
  countRefused = false,
  slowDownBuckets,
}: {
  delayMs?: number;
  servePerSecond?: number;
  slowDownAbove?: number;
  countRefused?: boolean;
  slowDownBuckets?: string[];
}): StoreLoad {
  let freeAt = 0;
  const capacity = slowDownAbove === undefined ? 0 : Math.max(1, slowDownAbove / 50);
  const allowances = new Map<string, { tokens: number; refilledAt: number }>();
  const throttles = (bucket: string) =>
    slowDownAbove !== undefined && (slowDownBuckets?.includes(bucket) ?? true);
  let inFlight = 0;
  const stats: StoreLoad = {
    peakAbortsInFlight: 0,
    slowDowns: 0,
    abortRequests: 0,
    slowDownsByBucket: new Map(),
    load: async (request) => {
      const abort = isAbort(request);
      if (abort) {
        stats.abortRequests += 1;
        inFlight += 1;
        stats.peakAbortsInFlight = Math.max(stats.peakAbortsInFlight, inFlight);
      }
      try {
        if (abort && slowDownAbove !== undefined && throttles(request.bucket)) {
          const now = performance.now();
          let allowance = allowances.get(request.bucket);
          if (!allowance) {
            allowance = { tokens: capacity, refilledAt: now };
            allowances.set(request.bucket, allowance);
          }
          const { refilledAt } = allowance;
          const refilled = allowance.tokens + ((now - refilledAt) * slowDownAbove) / 1000;
          allowance.tokens = Math.min(capacity, refilled);
          allowance.refilledAt = now;
          const accepted = allowance.tokens >= 1;
          if (accepted || countRefused)
            allowance.tokens = Math.max(-capacity, allowance.tokens - 1);
          if (!accepted) {
            stats.slowDowns += 1;
            const refused = stats.slowDownsByBucket.get(request.bucket) ?? 0;
            stats.slowDownsByBucket.set(request.bucket, refused + 1);
            await sleep(delayMs);
            return 'slow-down';
          }
        }
        if (servePerSecond !== undefined) {
          // Served in turn: each request takes 1/servePerSecond of the one server's time.
          const now = performance.now();
          freeAt = Math.max(freeAt, now) + 1000 / servePerSecond;
          await sleep(freeAt - now);
        }
        await sleep(delayMs);
        return undefined;
      } finally {
        if (abort) inFlight -= 1;
      }
    },
  };
  return stats;
}
