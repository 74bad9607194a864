import { describe, expect, it } from '@jest/globals';
import { adaptiveConcurrency, fixedConcurrency } from '../../src/engine/traffic/concurrency.js';
import { throttlingRate } from '../../src/engine/traffic/rate.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import {
  delayStore,
  queueStore,
  SimClock,
  simulate,
  slowDownStore,
  type SimResult,
} from '../support/traffic-sim.js';

// The abort path under load, on a simulated clock: the real pool, traffic, controllers and
// retry loop against stores that delay, queue and throttle. Each case replays many seconds
// of a store in a fraction of a second, the same on every run.

describe('the number in flight, on stores that answer after a fixed delay (a region away)', () => {
  it.each([20, 40, 80])(
    'auto is at least 3× as fast as concurrency 32 when answers take %i ms',
    async (delayMs) => {
      const auto = await simulate(delayStore(delayMs), 'auto', 20_000);
      const fixed = await simulate(delayStore(delayMs), 32, 20_000);
      expect(fixed.peakInFlight).toBe(32);
      expect(auto.abortsPerSecond / fixed.abortsPerSecond).toBeGreaterThanOrEqual(3);
      expect(auto.settled).toBe(256);
      expect(auto.failed).toBe(0);
    },
  );
});

describe('the number in flight, on a store that serves a few hundred requests a second', () => {
  // One request after another, the rest queued: more in flight only wait longer.
  it.each([
    [300, 20],
    [300, 5],
    [150, 40],
  ])(
    'auto at %i requests/s, %i ms away, is no slower than 32 and holds at most twice what it needs',
    async (perSecond, delayMs) => {
      const store = queueStore(perSecond, delayMs);
      const auto = await simulate(store, 'auto', 3_000);
      const fixed = await simulate(queueStore(perSecond, delayMs), 32, 3_000);
      expect(auto.abortsPerSecond).toBeGreaterThanOrEqual(fixed.abortsPerSecond * 0.97);
      expect(auto.peakInFlight).toBeLessThanOrEqual(2 * store.needed);
      expect(auto.settled).toBeLessThanOrEqual(2 * store.needed);
      expect(auto.settled).toBeGreaterThanOrEqual(store.needed - 1);
    },
  );
});

describe('throttling (SlowDown above 1,500 requests a second, 20 ms away)', () => {
  const allowed = 1_500;
  const expectKeptUp = (result: SimResult) => {
    expect(result.failed).toBe(0);
    expect(result.abortsPerSecond).toBeGreaterThanOrEqual(0.7 * allowed);
    expect(result.slowDowns / result.requests).toBeLessThanOrEqual(0.05);
  };

  it.each(['auto', 32, 64, 256] as const)(
    'concurrency %s keeps 70%% of the rate, with at most 5%% of requests refused',
    async (setting) => {
      const result = await simulate(slowDownStore(allowed, 20), setting, 15_000);
      expectKeptUp(result);
    },
  );

  it.each(['auto', 32, 256] as const)(
    'concurrency %s keeps up as well where refused requests count against the rate',
    async (setting) => {
      const store = slowDownStore(allowed, 20, { countRefused: true });
      expectKeptUp(await simulate(store, setting, 15_000));
    },
  );
});

/** A controller's clock and in-flight count, stepped by hand. */
function drive(limit: ReturnType<typeof adaptiveConcurrency>) {
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

describe('adaptiveConcurrency', () => {
  it('climbs by ×1.5 while answers take no longer, up to its maximum', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    const seen = new Set<number>();
    for (let i = 0; i < 100; i += 1) {
      roundTrip(20);
      seen.add(limit.limit);
    }
    expect([...seen].slice(0, 5)).toEqual([4, 6, 9, 14, 21]);
    expect(limit.limit).toBe(256);
  });

  it('holds where more in flight only makes answers slower', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip } = drive(limit);
    // A store that answers 500 a second, whatever is in flight: latency grows with it.
    for (let i = 0; i < 200; i += 1) roundTrip(Math.max(10, (limit.limit / 500) * 1000));
    expect(limit.settled).toBeGreaterThanOrEqual(4);
    expect(limit.settled).toBeLessThanOrEqual(11);
  });

  it('stops where answers take a fifth longer than its fastest, though more in flight still pay', () => {
    const limit = adaptiveConcurrency({ initial: 4, max: 256 });
    const { roundTrip, elapsedMs } = drive(limit);
    // Answers slow down past 9 in flight, by less than the in-flight grows: each step of
    // ×1.5 still gives ×1.33 the aborts a second, which the gain rule alone would take.
    const latencyMs = (inFlight: number) => 20 * Math.max(1, inFlight / 9) ** 0.3;
    while (elapsedMs() < 1_500) roundTrip(latencyMs(limit.limit));
    // 21 in flight take 1.29 × the 20 ms of 9: the climb holds there (until it probes).
    expect(limit.limit).toBe(21);
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

  it('keeps a fixed number fixed', () => {
    const limit = fixedConcurrency(32);
    limit.onSent(0, 32);
    limit.onAnswered(50, 0, 31);
    expect([limit.limit, limit.settled]).toEqual([32, 32]);
  });
});

describe('throttlingRate', () => {
  it('sets no pace until the store throttles', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 1000; now += 1) {
      expect(rate.nextSendAt(now)).toBe(now);
      rate.onSent(now);
      rate.onAnswered(now + 20, now, false);
    }
    expect(rate.perSecond).toBeUndefined();
  });

  it('paces at 85% of the rate the store accepted, once, for all the refusals of a burst', () => {
    const rate = throttlingRate();
    // 1,000 accepted a second for 300 ms, then a burst refused.
    for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
    for (let i = 0; i < 10; i += 1) rate.onAnswered(300 + i, 290 + i, true);
    expect(rate.perSecond).toBeCloseTo(850, -1);
    expect(rate.throttled).toBe(10);
    // Paced: past a burst of 10 ms at the pace, the next request waits for its turn.
    let sent = 0;
    while (rate.nextSendAt(320) <= 320) {
      rate.onSent(320);
      sent += 1;
    }
    expect(sent).toBeLessThanOrEqual(9);
    expect(rate.nextSendAt(320)).toBeGreaterThan(320);
    expect(rate.nextSendAt(320)).toBeLessThanOrEqual(320 + 1000 / 850);
  });

  it('goes on refusing to pace faster than it accepts', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
    rate.onAnswered(300, 299, true);
    const first = rate.perSecond!;
    // A refusal of a request sent well after the cut: the store wants slower still.
    rate.onAnswered(700, 650, true);
    expect(rate.perSecond!).toBeLessThan(first);
  });

  it('does not cut again for a refusal of a request sent just after the cut, however late it comes', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
    rate.onAnswered(300, 299, true);
    const paced = rate.perSecond!;
    // Sent 20 ms after the cut, answered long after: the store was still counting the burst.
    rate.onAnswered(500, 320, true);
    expect(rate.perSecond).toBe(paced);
  });

  it('grows the pace again while it holds requests back, and not while it does not', () => {
    const grown = throttlingRate();
    const idle = throttlingRate();
    for (const rate of [grown, idle]) {
      for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
      rate.onAnswered(300, 299, true);
    }
    const start = grown.perSecond!;
    for (let now = 300; now < 3300; now += 1) {
      // `grown` always has a request waiting for the pace; `idle` sends one now and then.
      const at = grown.nextSendAt(now);
      if (at <= now) grown.onSent(now);
      grown.onAnswered(now, now - 20, false);
      if (now % 100 === 0) idle.onAnswered(now, now - 20, false);
    }
    expect(grown.perSecond!).toBeGreaterThan(start * 1.15);
    expect(idle.perSecond).toBe(start);
  });
});

describe('AbortTraffic', () => {
  it('lets the requests waiting for the pace go at once when the run stops, to find it stopped', async () => {
    const clock = new SimClock();
    const stop = new AbortController();
    const traffic = AbortTraffic.for(8, stop.signal, clock);
    // A refusal with nothing accepted yet: the slowest pace, a request a second.
    const first = (await traffic.send())!;
    traffic.answered(first, 'throttled');
    const sends = Array.from({ length: 5 }, () => traffic.send());
    clock.at(clock.now() + 200, () => stop.abort());

    const sent = await clock.run(Promise.all(sends));
    // The first may leave before the stop, if the pace allowed one; none after it.
    expect(sent.slice(1)).toEqual([undefined, undefined, undefined, undefined]);
    expect(clock.now()).toBe(200);
  });
});
