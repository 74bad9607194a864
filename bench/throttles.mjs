// How the stand-in stores of the benchmark pace aborts (bench/stand-in-store.mjs and its
// fleet, bench/fleet-buckets.mjs), in real time, as __tests__/support/traffic-sim.ts models
// them on a simulated clock.
import { performance } from 'node:perf_hooks';

/**
 * One server working through its queue in order: an abort arrives half the delay after it
 * was sent, waits for the aborts before it, takes 1000 / R ms, and its answer takes the
 * other half of the delay back. Returns, for an abort sent now, when it will be answered.
 * @param {number} perSecond
 * @param {number} delayMs
 */
export function fifoQueue(perSecond, delayMs) {
  const serviceMs = 1000 / perSecond;
  let freeAt = 0;
  return () => {
    const now = performance.now();
    freeAt = Math.max(freeAt, now + delayMs / 2) + serviceMs;
    return freeAt + delayMs / 2 - now;
  };
}

/**
 * Accepts R aborts a second and refuses the rest, with a burst of `burstMs` worth of them;
 * with `countRefused`, a refused abort uses up a token too (down to one burst in debt), so a
 * client that goes on sending too fast gets nothing through.
 * @param {number} perSecond
 * @param {{ countRefused?: boolean, burstMs?: number }} options
 */
export function tokenBucket(perSecond, { countRefused = false, burstMs = 20 }) {
  const capacity = Math.max(1, (perSecond * burstMs) / 1000);
  let tokens = capacity;
  let refilledAt = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * perSecond) / 1000);
    refilledAt = now;
    const accepted = tokens >= 1;
    if (accepted || countRefused) tokens = Math.max(-capacity, tokens - 1);
    return accepted;
  };
}

/**
 * Accepts an abort unless N were accepted within the last second (at its arrival), and does
 * not count the ones it refuses.
 * @param {number} perSecond
 */
export function slidingSecond(perSecond) {
  /** When each abort accepted within the last second arrived, oldest first. */
  const accepted = [];
  let oldest = 0;
  return () => {
    const now = performance.now();
    while (oldest < accepted.length && accepted[oldest] <= now - 1000) oldest += 1;
    // Drops the expired ones now and then, not at every abort.
    if (oldest > 4096) {
      accepted.splice(0, oldest);
      oldest = 0;
    }
    if (accepted.length - oldest >= perSecond) return false;
    accepted.push(now);
    return true;
  };
}
