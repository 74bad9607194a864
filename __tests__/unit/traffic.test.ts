import { describe, expect, it } from '@jest/globals';
import { AbortTraffic, type ConcurrencySetting } from '../../src/engine/traffic/traffic.js';
import {
  delayStore,
  queueStore,
  SimClock,
  simulate,
  simulateFleet,
  slidingWindowStore,
  slowDownStore,
  type SimResult,
  type SimStore,
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

describe('the number in flight, where the client’s own CPU slows its answers', () => {
  // Each answer takes 0.3 ms of the client's one thread: past 3,300 a second answers wait
  // for it, and more in flight only make them slower, as on a runner's busy core.
  it.each([
    [20, 15_000],
    [50, 10_000],
  ])(
    'auto keeps 80%% of the best fixed number’s rate when answers take %i ms (%i uploads)',
    async (delayMs, uploads) => {
      const client = { clientCpuMs: 0.3 };
      const auto = await simulate(delayStore(delayMs), 'auto', uploads, client);
      const fixed = await Promise.all(
        [32, 128, 256].map((n) => simulate(delayStore(delayMs), n, uploads, client)),
      );
      const best = Math.max(...fixed.map((result) => result.abortsPerSecond));
      expect(auto.abortsPerSecond / best).toBeGreaterThanOrEqual(0.8);
    },
  );
});

describe('a number given, opened by doubling', () => {
  it('reaches its number within a few round trips where answers come quickly', async () => {
    const result = await simulate(delayStore(20), 256, 15_000);
    expect(result.peakInFlight).toBe(256);
    // 256 every 20 ms is 12,800 a second: the opening costs a few round trips of that, ten
    // in all (the bucket's own window grows by half a round trip, for fewer refusals where a
    // bucket's limit is a burst: three round trips more than doubling).
    expect(result.abortsPerSecond).toBeGreaterThanOrEqual(0.85 * 12_800);
  });

  it('does not meet a throttling store with all of its number at once', async () => {
    const store = slidingWindowStore(50, 10);
    const result = await simulate(store, 256, 300);
    // The store took its 50 of a second as the number doubled, and refused the rest of a
    // round trip or two; after that the pace holds the run back.
    expect(result.peakInFlight).toBeLessThanOrEqual(64);
  });
});

describe('the number in flight, on a store that serves a few hundred requests a second', () => {
  // One request after another, the rest queued: more in flight only wait longer.
  it.each([
    [300, 20],
    [300, 5],
    [150, 40],
    [100, 100],
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

  it.each(['auto', 256] as const)(
    'concurrency %s finds the rate again after two seconds of refusing everything',
    async (setting) => {
      const outage = { fromMs: 2_000, toMs: 4_000 };
      const result = await simulate(slowDownStore(allowed, 20, { outage }), setting, 15_000);
      expect(result.failed).toBe(0);
      // 15,000 at the store's rate take 10–11 s; the outage adds two, and the way back from a
      // request a second (doubling with each answer) about three more.
      expect(result.elapsedMs).toBeLessThan(18_000);
    },
  );
});

describe('slow stores: 50 requests a second, 10 ms away, over a run of at least 20 s', () => {
  // Self-hosted stores and providers cap a user at tens of requests a second. Some count
  // the requests of a sliding second, some keep a token bucket with a small burst (as
  // Envoy's limiter does): the pace serves both, from the run's first requests on.
  const allowed = 50;
  const stores: Record<string, () => SimStore> = {
    'a sliding second': () => slidingWindowStore(allowed, 10),
    'a token bucket': () => slowDownStore(allowed, 10),
  };
  it.each<[string, ConcurrencySetting]>([
    ['a sliding second', 'auto'],
    ['a sliding second', 32],
    ['a sliding second', 256],
    ['a token bucket', 'auto'],
    ['a token bucket', 32],
    ['a token bucket', 256],
  ])(
    'counting by %s, concurrency %s keeps 80%% of the rate with at most 5%% of requests refused',
    async (counting, setting) => {
      const result = await simulate(stores[counting](), setting, 1_500);
      expect(result.failed).toBe(0);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(20_000);
      expect(result.abortsPerSecond).toBeGreaterThanOrEqual(0.8 * allowed);
      expect(result.slowDowns / result.requests).toBeLessThanOrEqual(0.05);
    },
  );
});

describe('AbortTraffic', () => {
  it('lets the requests waiting for the pace go at once when the run stops, to find it stopped', async () => {
    const clock = new SimClock();
    const stop = new AbortController();
    const traffic = AbortTraffic.for(8, stop.signal, clock).forBucket('bucket');
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

describe('BucketTraffic', () => {
  it('sends a request that passed the pace before a cut, while it waited for a slot, at the new pace', async () => {
    const clock = new SimClock();
    const run = AbortTraffic.for(2, undefined, clock);
    const busy = run.forBucket('busy');
    const hot = run.forBucket('hot');
    const held = (await busy.send())!;
    const first = (await hot.send())!;
    // Both slots taken: these pass the hot bucket's pace (none yet) and wait for a slot.
    const sentAt: number[] = [];
    const waiting = [hot.send(), hot.send()].map((send) =>
      send.then((at) => void sentAt.push(at!)),
    );
    clock.at(10, () => {
      // Refused with nothing accepted: a request a second, the first of which leaves at once.
      hot.answered(first, 'throttled');
      busy.answered(held, 'answered');
    });
    await clock.run(Promise.all(waiting));
    expect(sentAt[0]).toBe(10);
    expect(sentAt[1]).toBeGreaterThanOrEqual(1_000);
  });
});

describe('a fleet: buckets cleaned side by side, one bound in flight, a pace for each bucket', () => {
  // 50 buckets 25 ms away, one of which refuses aborts beyond 30 a second: a token bucket,
  // or a store that takes 30 within any second, at once if they come at once, and then
  // refuses everything until that second is over.
  const hotRate = 30;
  const hotStores = {
    'token bucket': () => slowDownStore(hotRate, 25),
    'sliding second': () => slidingWindowStore(hotRate, 25),
  };
  const fleet = (hotFirst: boolean, hotStore: () => SimStore) => {
    const cold = Array.from({ length: 49 }, (_, i) => ({
      name: `cold-${i}`,
      store: delayStore(25),
      uploads: 80,
    }));
    const hot = { name: 'hot', store: hotStore(), uploads: 80 };
    return hotFirst ? [hot, ...cold] : [...cold, hot];
  };

  it.each([true, false])(
    'paces the bucket that throttles apart from the others (listed first: %s)',
    async (hotFirst) => {
      const hotStore = hotStores['token bucket'];
      const run = await simulateFleet(fleet(hotFirst, hotStore), 'auto');
      const others = Object.entries(run.buckets).filter(([name]) => name !== 'hot');
      const hot = run.buckets.hot;
      const withoutHot = await simulateFleet(
        fleet(hotFirst, hotStore).filter((b) => b.name !== 'hot'),
        'auto',
      );
      const hotAlone = await simulateFleet([fleet(true, hotStore)[0]], 'auto');

      // No other bucket is refused, nor held back by the hot one's pace.
      expect(others.map(([, bucket]) => bucket.slowDowns)).toEqual(others.map(() => 0));
      const othersDoneMs = Math.max(...others.map(([, bucket]) => bucket.doneMs));
      expect(othersDoneMs).toBeLessThanOrEqual(1.2 * withoutHot.elapsedMs);
      // The hot bucket keeps to its own rate, from what it accepted itself.
      expect(hot.failed).toBe(0);
      expect(hot.slowDowns / hot.requests).toBeLessThanOrEqual(0.25);
      expect(run.elapsedMs).toBeLessThanOrEqual(
        1.5 * Math.max(hotAlone.elapsedMs, withoutHot.elapsedMs),
      );
      expect(run.traffic.summary()).toMatchObject({
        buckets: 50,
        throttled: hot.slowDowns,
        paced: [{ bucket: 'hot', throttled: hot.slowDowns }],
      });
    },
  );

  // Its opening sends no more than half of what it sent so far beyond what the store took,
  // and then it waits for the store's second to end rather than be refused through it.
  it.each([true, false])(
    'gets few refusals where a bucket’s store takes 30 at once, then none for a second (listed first: %s)',
    async (hotFirst) => {
      const run = await simulateFleet(fleet(hotFirst, hotStores['sliding second']), 'auto');
      const others = Object.entries(run.buckets).filter(([name]) => name !== 'hot');
      const hot = run.buckets.hot;
      expect(others.map(([, bucket]) => bucket.slowDowns)).toEqual(others.map(() => 0));
      expect(hot.failed).toBe(0);
      expect(hot.slowDowns / hot.requests).toBeLessThanOrEqual(0.25);
    },
  );

  // Listed first, the hot bucket's opening shares the run's slots with 49 others: requests
  // it let go before its first refusal wait for a slot, and must not leave as if not refused.
  it.each(['sliding second', 'token bucket'] as const)(
    'keeps a hot bucket listed first (%s) as fast as alone, within 20%% refused',
    async (kind) => {
      const run = await simulateFleet(fleet(true, hotStores[kind]), 'auto');
      const alone = await simulateFleet([fleet(true, hotStores[kind])[0]], 'auto');
      const hot = run.buckets.hot;
      expect(hot.slowDowns / hot.requests).toBeLessThanOrEqual(0.2);
      expect(hot.doneMs).toBeLessThanOrEqual(1.2 * alone.elapsedMs);
    },
  );

  it('keeps one bound on aborts in flight for all the buckets together', async () => {
    const buckets = Array.from({ length: 20 }, (_, i) => ({
      name: `b${i}`,
      store: delayStore(40),
      uploads: 200,
    }));
    const run = await simulateFleet(buckets, 24);
    expect(run.peakInFlight).toBe(24);
    expect(Object.values(run.buckets).every((bucket) => bucket.failed === 0)).toBe(true);
  });

  it('lets every bucket’s waiting aborts go at once when the run stops, paced or not', async () => {
    const clock = new SimClock();
    const stop = new AbortController();
    clock.at(3_000, () => stop.abort());
    // Of the run's two slots, one is held by an answer that takes a minute; two buckets are
    // held back by their paces (a request a second at most), and a fourth bucket's aborts
    // wait for the other slot.
    const run = await simulateFleet(
      [
        { name: 'slow', store: delayStore(60_000), uploads: 1 },
        { name: 'hot-1', store: slowDownStore(1, 10), uploads: 100 },
        { name: 'hot-2', store: slowDownStore(1, 10), uploads: 100 },
        { name: 'busy', store: delayStore(10), uploads: 10_000 },
      ],
      2,
      { stop: stop.signal, clock },
    );

    expect(run.elapsedMs).toBe(3_000);
    const { slow, busy, ...hot } = run.buckets;
    expect(slow.failed).toBe(1);
    expect(busy.failed).toBeGreaterThan(0);
    for (const bucket of Object.values(hot)) expect(bucket.failed).toBeGreaterThan(90);
    const paces = run.traffic.summary().paced.map((bucket) => bucket.perSecond);
    expect(paces).toEqual([expect.any(Number), expect.any(Number)]);
    // A few a second at most: a pace still finding a store that takes one a second.
    expect(Math.max(...(paces as number[]))).toBeLessThan(5);
  });
});
