// A simulated clock and simulated stores, for the abort path under load: the real pool,
// traffic, controllers and retry loop run unchanged, but time is the simulation's, so a
// minute of a throttling store replays in well under a second and the same every time.
import { abortUpload } from '../../src/engine/abort/abort-upload.js';
import type { AbortSender } from '../../src/engine/abort/senders.js';
import { mapConcurrent } from '../../src/engine/pool.js';
import {
  AbortTraffic,
  type Clock,
  type ConcurrencySetting,
} from '../../src/engine/traffic/traffic.js';
import type { Upload } from '../../src/engine/types.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Time that moves only when everything else waits for it. */
export class SimClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
      this.at(this.time + Math.max(0, ms), resolve);
    });
  }

  at(time: number, fire: () => void): void {
    const timer = { at: time, seq: (this.seq += 1), fire };
    // Binary insertion, latest first, so that the next timer pops off the end.
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.timers[middle];
      if (other.at > time || (other.at === time && other.seq > timer.seq)) low = middle + 1;
      else high = middle;
    }
    this.timers.splice(low, 0, timer);
  }

  /** Runs the simulation until `work` settles: each step lets every promise move, then time. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) break;
      const next = this.timers.pop();
      if (!next) throw new Error('the simulation waits for nothing: a deadlock');
      this.time = next.at;
      next.fire();
    }
    return watched;
  }
}

/** A store's answer to one abort: after how long, and what. */
export interface SimAnswer {
  afterMs: number;
  outcome: 'ok' | 'slow-down' | 'internal-error';
}

/** A store in simulated time: it is told when a request arrives and says what it answers. */
export interface SimStore {
  answer(now: number): SimAnswer;
  /** The most requests it held at once. */
  peakInFlight: number;
}

/** Every answer `delayMs` after its request, however many are in flight (a region away). */
export function delayStore(delayMs: number): SimStore {
  return { peakInFlight: 0, answer: () => ({ afterMs: delayMs, outcome: 'ok' }) };
}

/**
 * Serves `perSecond` requests a second, one after another, and queues the rest, `delayMs`
 * away: it needs perSecond × delayMs / 1000 + 1 in flight to be busy all the time, and
 * more only wait in its queue.
 */
export function queueStore(perSecond: number, delayMs: number): SimStore & { needed: number } {
  const serviceMs = 1000 / perSecond;
  let freeAt = 0;
  return {
    peakInFlight: 0,
    needed: Math.ceil((perSecond * (delayMs + serviceMs)) / 1000),
    answer(now) {
      const arrives = now + delayMs / 2;
      freeAt = Math.max(freeAt, arrives) + serviceMs;
      return { afterMs: freeAt + delayMs / 2 - now, outcome: 'ok' };
    },
  };
}

/**
 * Answers `SlowDown` to what comes beyond `perSecond` requests a second (a token bucket
 * holding `burstMs` of them), `delayMs` away. With `countRefused`, a refused request uses up
 * the store's rate as well. During `outage` it refuses every request, as Amazon S3 does for a
 * while when it splits a busy prefix.
 */
export function slowDownStore(
  perSecond: number,
  delayMs: number,
  {
    countRefused = false,
    burstMs = 20,
    outage,
  }: { countRefused?: boolean; burstMs?: number; outage?: { fromMs: number; toMs: number } } = {},
): SimStore {
  const capacity = Math.max(1, (perSecond * burstMs) / 1000);
  let tokens = capacity;
  let refilledAt = 0;
  return {
    peakInFlight: 0,
    answer(now) {
      const arrives = now + delayMs / 2;
      tokens = Math.min(capacity, tokens + ((arrives - refilledAt) * perSecond) / 1000);
      refilledAt = Math.max(refilledAt, arrives);
      const down = outage !== undefined && arrives >= outage.fromMs && arrives < outage.toMs;
      const accepted = tokens >= 1 && !down;
      if (accepted || countRefused) tokens = Math.max(-capacity, tokens - 1);
      return { afterMs: delayMs, outcome: accepted ? 'ok' : 'slow-down' };
    },
  };
}

/**
 * Refuses (`SlowDown`) a request that arrives when `perWindow` were accepted within the last
 * `windowMs` (a sliding window, as per-user rate limits of self-hosted stores count), and
 * answers `delayMs` after each request.
 */
export function slidingWindowStore(perWindow: number, delayMs: number, windowMs = 1_000): SimStore {
  /** When each request accepted within the window arrived, oldest first. */
  const accepted: number[] = [];
  let oldest = 0;
  return {
    peakInFlight: 0,
    answer(now) {
      const arrives = now + delayMs / 2;
      while (oldest < accepted.length && accepted[oldest] <= arrives - windowMs) oldest += 1;
      const ok = accepted.length - oldest < perWindow;
      if (ok) accepted.push(arrives);
      return { afterMs: delayMs, outcome: ok ? 'ok' : 'slow-down' };
    },
  };
}

export interface SimResult {
  /** Simulated milliseconds from the first request to the last answer. */
  elapsedMs: number;
  abortsPerSecond: number;
  requests: number;
  slowDowns: number;
  failed: number;
  settled: number;
  peakInFlight: number;
}

/** One bucket of a simulated fleet: its own store (its own throttle) and its uploads. */
export interface SimBucket {
  name: string;
  store: SimStore;
  uploads: number;
}

/** What became of one bucket of a fleet. */
export interface SimBucketResult {
  /** Simulated milliseconds from the run's start to the bucket's last answer. */
  doneMs: number;
  requests: number;
  slowDowns: number;
  failed: number;
}

export interface SimFleetResult {
  elapsedMs: number;
  buckets: Record<string, SimBucketResult>;
  /** The most aborts in flight at once, for all buckets together. */
  peakInFlight: number;
  traffic: AbortTraffic;
}

/**
 * Cleans `uploads` uploads through `store` with the action's own abort path, in simulated
 * time. With `clientCpuMs`, the client handles one answer at a time on its one thread, each
 * taking that long: past 1 / clientCpuMs a second, answers wait for it, as they wait for a
 * Node process whose core is busy.
 */
export async function simulate(
  store: SimStore,
  setting: ConcurrencySetting,
  uploads: number,
  options: { clientCpuMs?: number } = {},
): Promise<SimResult> {
  const fleet = await simulateFleet([{ name: 'sim', store, uploads }], setting, options);
  const { requests, slowDowns, failed } = fleet.buckets.sim;
  return {
    elapsedMs: fleet.elapsedMs,
    abortsPerSecond: (uploads * 1000) / fleet.elapsedMs,
    requests,
    slowDowns,
    failed,
    settled: fleet.traffic.summary().settled,
    peakInFlight: store.peakInFlight,
  };
}

/**
 * Cleans several buckets at once, as the action cleans its targets: a pool for each bucket,
 * one traffic for the run (one bound on requests in flight, a pace for each bucket), each
 * bucket answered by its own store.
 */
export async function simulateFleet(
  buckets: SimBucket[],
  setting: ConcurrencySetting,
  {
    clientCpuMs = 0,
    stop,
    clock = new SimClock(),
  }: { clientCpuMs?: number; stop?: AbortSignal; clock?: SimClock } = {},
): Promise<SimFleetResult> {
  const traffic = AbortTraffic.for(setting, stop, clock);
  let inFlight = 0;
  let peakInFlight = 0;
  let clientBusyUntil = 0;
  const results: Record<string, SimBucketResult> = {};
  const cleanBucket = async ({ name, store, uploads }: SimBucket) => {
    const result: SimBucketResult = { doneMs: 0, requests: 0, slowDowns: 0, failed: 0 };
    results[name] = result;
    let storeInFlight = 0;
    const send: AbortSender = Object.assign(
      () =>
        new Promise<void>((resolve, reject) => {
          result.requests += 1;
          inFlight += 1;
          storeInFlight += 1;
          peakInFlight = Math.max(peakInFlight, inFlight);
          store.peakInFlight = Math.max(store.peakInFlight, storeInFlight);
          const { afterMs, outcome } = store.answer(clock.now());
          // The run's stop cancels a request in flight, as the client does.
          stop?.addEventListener('abort', () => reject(new Error('Request aborted')), {
            once: true,
          });
          const settle = () => {
            result.doneMs = clock.now();
            if (outcome === 'ok') return resolve();
            if (outcome === 'slow-down') result.slowDowns += 1;
            const [status, code] =
              outcome === 'slow-down' ? [503, 'SlowDown'] : [500, 'InternalError'];
            reject(
              Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: status } }),
            );
          };
          clock.at(clock.now() + afterMs, () => {
            inFlight -= 1;
            storeInFlight -= 1;
            if (clientCpuMs === 0) return settle();
            clientBusyUntil = Math.max(clientBusyUntil, clock.now()) + clientCpuMs;
            clock.at(clientBusyUntil, settle);
          });
        }),
      { retries: false },
    );
    async function* listed(): AsyncGenerator<Upload> {
      for (let i = 0; i < uploads; i += 1)
        yield { key: `k${i}`, uploadId: `u${i}`, initiated: undefined };
    }
    const lane = traffic.forBucket(name);
    const attempts = mapConcurrent(
      listed(),
      (upload) => abortUpload(upload, send, lane),
      () => traffic.limit,
    );
    for await (const attempt of attempts) if (attempt.result !== 'aborted') result.failed += 1;
  };
  await clock.run(Promise.all(buckets.map(cleanBucket)));
  return { elapsedMs: clock.now(), buckets: results, peakInFlight, traffic };
}
