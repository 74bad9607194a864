import { BucketTraffic } from './bucket-traffic.js';
import { realClock, type Clock } from './clock.js';
import { adaptiveConcurrency, ceilingConcurrency, type ConcurrencyLimit } from './concurrency.js';
import { throttlingRate, type RateLimit } from './rate.js';
import { RequestSlots } from './slots.js';

export { BucketTraffic, type Answer } from './bucket-traffic.js';
export { realClock, type Clock } from './clock.js';

/** `auto`, or the most aborts in flight. */
export type ConcurrencySetting = number | 'auto';

/**
 * Where every run starts: few enough for a small self-hosted store. `auto` climbs from
 * there; a number given is reached by doubling.
 */
export const INITIAL_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 256;
/**
 * A bucket's own window opens from 8 and grows by half, not double, a round trip: a store
 * that takes N of a bucket at once and then refuses (a limit by the second) refuses what the
 * last window sent beyond N, and a window of half the sent so far costs half as many
 * refusals. Three more round trips to 256 than doubling from 4.
 */
const BUCKET_OPENING = { initial: 8, max: MAX_CONCURRENCY };
const BUCKET_OPENING_GROWTH = 1.5;

/** A bucket the store throttled, and the pace it ended at. */
export interface BucketPace {
  bucket: string;
  throttled: number;
  perSecond: number | undefined;
}

export interface TrafficSummary {
  setting: ConcurrencySetting;
  /** Requests sent, retries included: none in a dry run or a run with nothing to abort. */
  sent: number;
  /** The number in flight the run settled on (the number given, when not `auto`). */
  settled: number;
  /** Throttling answers, in all. */
  throttled: number;
  /** Buckets whose aborts were sent (or would have been), in the order they were first cleaned. */
  buckets: number;
  /** The buckets the store throttled, in the same order. */
  paced: BucketPace[];
}

/**
 * The run's aborts on their way to the store: one bound on how many are in flight for all
 * of them (the pools read `limit` before each new upload, and each request takes a slot
 * before it leaves), and a pace for each bucket (`forBucket`). One per run, shared by its
 * targets.
 */
export class AbortTraffic {
  private readonly slots: RequestSlots;
  private readonly buckets = new Map<string, BucketTraffic>();

  constructor(
    private readonly setting: ConcurrencySetting,
    concurrency: ConcurrencyLimit,
    /** A new bucket's pace: none until the store throttles that bucket. */
    private readonly paceOfBucket: () => RateLimit,
    /** The run's stop: waiting requests then leave at once, to find the run stopped. */
    private readonly stop?: AbortSignal,
    private readonly clock: Clock = realClock,
  ) {
    this.slots = new RequestSlots(concurrency);
  }

  static for(setting: ConcurrencySetting, stop?: AbortSignal, clock?: Clock): AbortTraffic {
    const concurrency =
      setting === 'auto'
        ? adaptiveConcurrency({ initial: INITIAL_CONCURRENCY, max: MAX_CONCURRENCY })
        : ceilingConcurrency({ initial: INITIAL_CONCURRENCY, max: setting });
    return new AbortTraffic(setting, concurrency, throttlingRate, stop, clock);
  }

  /** The most requests the run has in flight now, for all its buckets. */
  get limit(): number {
    return this.slots.limit;
  }

  /** The aborts of one bucket: its own pace, the run's bound. */
  forBucket(bucket: string): BucketTraffic {
    let traffic = this.buckets.get(bucket);
    if (!traffic) {
      const opening = new RequestSlots(ceilingConcurrency(BUCKET_OPENING, BUCKET_OPENING_GROWTH));
      traffic = new BucketTraffic(
        bucket,
        this.paceOfBucket(),
        opening,
        this.slots,
        this.stop,
        this.clock,
      );
      this.buckets.set(bucket, traffic);
    }
    return traffic;
  }

  /** Runs a request other than an abort (a size read) in a slot of the run's bound. */
  async inSlot<T>(request: () => Promise<T>): Promise<T> {
    const slot = this.slots.take();
    if (slot) await slot;
    try {
      return await request();
    } finally {
      this.slots.release();
    }
  }

  summary(): TrafficSummary {
    const all = [...this.buckets.values()];
    const paced = all
      .filter((bucket) => bucket.throttled > 0)
      .map(({ bucket, throttled, perSecond }) => ({ bucket, throttled, perSecond }));
    return {
      setting: this.setting,
      sent: this.slots.sent,
      settled: this.slots.settled,
      throttled: paced.reduce((sum, bucket) => sum + bucket.throttled, 0),
      buckets: all.length,
      paced,
    };
  }
}
