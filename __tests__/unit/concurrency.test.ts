import { describe, expect, it } from '@jest/globals';
import {
  adaptiveConcurrency,
  ceilingConcurrency,
  type ConcurrencyLimit,
} from '../../src/engine/traffic/concurrency.js';

// The number in flight, decided from events on a clock stepped by hand: each round trip
// sends as many requests as the limit at once, then answers them all. The same controllers
// under the real pool and retries, against simulated stores, are traffic.test.ts's.

function drive(limit: ConcurrencyLimit) {
  let now = 0;
  /** One round trip at the current limit: all of it sent, then all of it answered. */
  const roundTrip = (latencyMs: number) => {
    const count = limit.limit;
    const sentAt = now;
    for (let i = 1; i <= count; i += 1) limit.onSent(now, i);
    now += latencyMs;
    for (let i = count - 1; i >= 0; i -= 1) limit.onAnswered(now, sentAt, i);
  };
  return { roundTrip, elapsedMs: () => now };
}

/** Latency of a store that takes `takes` at once, 20 ms away, and queues the rest. */
const takingAtOnce = (takes: number) => (inFlight: number) => 20 * Math.max(1, inFlight / takes);

describe('adaptiveConcurrency', () => {
  it('climbs as slow start does: ×1.5, then ×1.8 a step while steps pay in full, to its maximum', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    const seen = new Set<number>([limit.limit]);
    let roundTrips = 0;
    while (limit.limit < 256) {
      roundTrip(20);
      roundTrips += 1;
      seen.add(limit.limit);
    }
    expect([...seen]).toEqual([4, 6, 11, 20, 36, 65, 117, 211, 256]);
    // Two round trips a step at most: one for the change to settle, one to measure it.
    expect(roundTrips).toBeLessThanOrEqual(16);
  });

  it.each([3, 7, 10, 50, 130])(
    'never goes past 1.8 times what a store takes at once, %i, and settles between',
    (takes) => {
      const limit = adaptiveConcurrency({ initial: 4, max: 256 });
      const { roundTrip } = drive(limit);
      let most = 0;
      for (let i = 0; i < 300; i += 1) {
        roundTrip(takingAtOnce(takes)(limit.limit));
        most = Math.max(most, limit.limit);
      }
      // Its first step, to 6, is taken before anything is known.
      expect(most).toBeLessThanOrEqual(Math.max(6, Math.round(1.8 * takes)));
      expect(limit.settled).toBeGreaterThanOrEqual(Math.min(4, takes));
      expect(limit.settled).toBeLessThanOrEqual(Math.max(4, 1.8 * takes));
    },
  );

  it('looks again at a step that fell short before it ends the climb: one window can be slow', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    let atLimit = 0;
    let before = limit.limit;
    for (let i = 0; i < 40; i += 1) {
      atLimit = limit.limit === before ? atLimit + 1 : 1;
      before = limit.limit;
      // The first round trip at 36, which its first window measures, meets a pause of the
      // client: its answers take twice as long.
      roundTrip(limit.limit === 36 && atLimit === 1 ? 40 : 20);
    }
    expect(limit.limit).toBe(256);
  });

  it('keeps a last step that paid a little, and probes down from it first', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip, elapsedMs } = drive(limit);
    // Past 36 in flight answers slow down almost as much as the in-flight grows (as a busy
    // client's do): the step to 65 gives 6% more aborts a second.
    const latencyMs = (inFlight: number) => 20 * Math.max(1, inFlight / 36) ** 0.9;
    while (elapsedMs() < 1_500) roundTrip(latencyMs(limit.limit));
    expect(limit.settled).toBe(65);
    const seen = new Set<number>();
    while (elapsedMs() < 3_000) {
      roundTrip(latencyMs(limit.limit));
      seen.add(limit.limit);
    }
    expect(Math.max(...seen)).toBe(65);
    expect(seen).toContain(52);
  });

  it('holds where more in flight only makes answers slower', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    // A store that answers 500 a second, whatever is in flight: latency grows with it.
    for (let i = 0; i < 200; i += 1) roundTrip(Math.max(10, (limit.limit / 500) * 1000));
    expect(limit.settled).toBeGreaterThanOrEqual(4);
    expect(limit.settled).toBeLessThanOrEqual(11);
  });

  it('stops its smaller steps where answers take a fifth longer than its fastest, though they pay', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip, elapsedMs } = drive(limit);
    // Past 9 in flight each step of ×1.25 still gives 5% more aborts a second, at the cost of
    // answers ever slower. The climb keeps 17, a probe down takes it to 14, and a probe up
    // to 18 pays: the next step of ×1.25 would pay too, but answers already take 1.7 times as
    // long as at 9, so it holds there until a probe.
    const latencyMs = (inFlight: number) => 20 * Math.max(1, inFlight / 9) ** 0.77;
    const seen = new Set<number>();
    while (elapsedMs() < 7_000) {
      roundTrip(latencyMs(limit.limit));
      seen.add(limit.limit);
    }
    expect(seen).toContain(18);
    expect(Math.max(...seen)).toBe(18);
  });

  it('steps down, a probe at a time, when the store comes to serve fewer', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    for (let i = 0; i < 100; i += 1) roundTrip(20);
    expect(limit.limit).toBe(256);
    // Now 500 a second at most, whatever is in flight: 10 in flight keep it busy.
    for (let i = 0; i < 1_000; i += 1) roundTrip(Math.max(20, (limit.limit / 500) * 1000));
    expect(limit.settled).toBeLessThanOrEqual(20);
  });

  it('does not climb while the run keeps fewer in flight than its limit', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    let now = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 500; i += 1) {
      // One request at a time, though four may go: the listing holds the run back.
      limit.onSent(now, 1);
      now += 20;
      limit.onAnswered(now, now - 20, 0);
      seen.add(limit.limit);
    }
    // Not a step up, nor a probe either way: no window said anything of the limit.
    expect([...seen]).toEqual([4]);
  });
});

describe('ceilingConcurrency', () => {
  it('opens a number given by doubling once a round trip, up to it, and says it as settled', () => {
    const limit = ceilingConcurrency({ initial: 4, max: 100 });
    const { roundTrip } = drive(limit);
    const seen = [limit.limit];
    for (let i = 0; i < 8; i += 1) {
      roundTrip(20);
      seen.push(limit.limit);
    }
    expect(seen).toEqual([4, 8, 16, 32, 64, 100, 100, 100, 100]);
    expect(limit.settled).toBe(100);
  });

  it('steps on answers only: while the store refuses (no answer here), it opens no further', () => {
    const limit = ceilingConcurrency({ initial: 4, max: 256 });
    // Three of each four requests refused: a round trip's answers are a quarter of the limit.
    let now = 0;
    for (let round = 0; round < 3; round += 1) {
      now += 20;
      for (let i = 0; i < limit.limit / 4; i += 1) limit.onAnswered(now, now - 20, 0);
    }
    expect(limit.limit).toBe(4);
    // Slower, not never: the fourth answer opens it.
    limit.onAnswered(now + 20, now, 0);
    expect(limit.limit).toBe(8);
  });

  it('starts at the number given when it is smaller than where runs start', () => {
    expect(ceilingConcurrency({ initial: 4, max: 1 }).limit).toBe(1);
  });
});
