/**
 * The pace of a run whose store has throttled it (`503 SlowDown`): requests a second, found
 * from the rate the store accepted, then raised again to find the store's rate anew. Until
 * the first throttling answer there is no pace at all.
 *
 * Why not fewer in flight instead: a store that throttles limits a rate, not a number in
 * flight, and a refusal comes back at once, so the in-flight count does not see it. Why not
 * quick retries: each refused request, resent at once, is refused again.
 *
 * A plain object fed by events, with the clock passed in (milliseconds, any origin).
 */
export interface RateLimit {
  /** Requests a second the run may send; undefined while the store has not throttled it. */
  readonly perSecond: number | undefined;
  /** Answers that were throttling answers, in all. */
  readonly throttled: number;
  /** When the next request may leave: `now`, or later while the pace holds it back. */
  nextSendAt(now: number): number;
  onSent(now: number): void;
  onAnswered(now: number, sentAt: number, throttled: boolean): void;
}

/** After a throttling answer, the pace is this share of the rate the store was accepting. */
const CUT = 0.85;
/**
 * After a cut the pace climbs back as a cubic curve (TCP CUBIC's shape): quickly at first,
 * flat near the rate that was throttled, which it reaches after CUBIC_RETURN_MS, then faster
 * and faster beyond it, to find a store whose rate has grown (S3 splits a busy prefix).
 */
const CUBIC_RETURN_MS = 1_000;
/**
 * Before it knows the store's rate, the run doubles its pace this often: the first cut is
 * measured in the turmoil of a first burst, and may be far too low.
 */
const START_DOUBLING_MS = 200;
/**
 * After a cut, refusals of requests sent this soon after it do not cut again: a store that
 * counts refused requests against its rate goes on refusing for a moment after the run
 * slowed down, and cut after cut would take the run far below the store's rate.
 */
const CUT_GRACE_MS = 100;
/** The slowest pace: a store that refuses everything still gets a request a second. */
const MIN_PER_SECOND = 1;
/** Requests that may leave together, in time at the pace: timers are not precise. */
const BURST_MS = 10;
/** The pace grows only while it held requests back this recently: otherwise it binds nothing. */
const BOUND_RECENTLY_MS = 100;
/** The accepted rate is the one of the last ACCEPTED_WINDOW_MS, counted in buckets. */
const ACCEPTED_WINDOW_MS = 200;
const BUCKET_MS = 10;
/** A rate measured over less than this would take a first burst for a pace. */
const MIN_MEASURED_MS = 100;

export function throttlingRate(): RateLimit {
  let perSecond: number | undefined;
  let throttled = 0;
  let tokens = 0;
  let refilledAt = 0;
  let cutAt = -Infinity;
  /** The rate the store accepted when it last throttled; undefined while it is not known. */
  let knownRate: number | undefined;
  /** The pace at the last cut, and how long the pace has bound since (growth's own clock). */
  let paceAtCut = 0;
  let boundSinceCutMs = 0;
  let grownAt = 0;
  let boundAt = -Infinity;
  const accepted = acceptedMeter();

  function refill(now: number): void {
    if (perSecond === undefined) return;
    const capacity = Math.max(1, (perSecond * BURST_MS) / 1000);
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * perSecond) / 1000);
    refilledAt = now;
  }

  function grow(now: number): void {
    if (perSecond === undefined) return;
    if (now - boundAt <= BOUND_RECENTLY_MS) {
      refill(now);
      boundSinceCutMs += now - grownAt;
      perSecond = Math.max(perSecond, paceAfter(boundSinceCutMs));
    }
    grownAt = now;
  }

  /** The pace `ms` of binding after the last cut. */
  function paceAfter(ms: number): number {
    if (knownRate === undefined) return paceAtCut * 2 ** (ms / START_DOUBLING_MS);
    const t = ms / CUBIC_RETURN_MS - 1;
    return knownRate * (1 + (1 - CUT) * t ** 3);
  }

  function cut(now: number): void {
    const acceptedPerSecond = accepted.perSecond(now);
    // The first throttling answer ends a burst: the rate accepted during it is only a start.
    const wasKnown = perSecond !== undefined;
    knownRate = wasKnown ? acceptedPerSecond || perSecond : undefined;
    refill(now);
    const from = wasKnown
      ? Math.min(perSecond!, acceptedPerSecond || perSecond!)
      : acceptedPerSecond;
    perSecond = Math.max(MIN_PER_SECOND, from * CUT);
    paceAtCut = perSecond;
    tokens = Math.min(tokens, 1);
    refilledAt = now;
    cutAt = now;
    grownAt = now;
    boundSinceCutMs = 0;
  }

  return {
    get perSecond() {
      return perSecond;
    },
    get throttled() {
      return throttled;
    },
    nextSendAt(now) {
      if (perSecond === undefined) return now;
      refill(now);
      if (tokens >= 1) return now;
      boundAt = now;
      return now + ((1 - tokens) * 1000) / perSecond;
    },
    onSent(now) {
      if (perSecond === undefined) return;
      refill(now);
      tokens -= 1;
    },
    onAnswered(now, sentAt, wasThrottled) {
      if (!wasThrottled) {
        accepted.add(now);
        grow(now);
        return;
      }
      throttled += 1;
      // Sent before the last cut, or just after: that cut already answers the complaint.
      if (sentAt >= cutAt + CUT_GRACE_MS) cut(now);
    },
  };
}

/** Accepted answers a second over the last ACCEPTED_WINDOW_MS (or since the first one). */
function acceptedMeter() {
  const counts = new Array<number>(ACCEPTED_WINDOW_MS / BUCKET_MS).fill(0);
  let current = -Infinity;
  let firstAt: number | undefined;
  const advance = (now: number) => {
    const bucket = Math.floor(now / BUCKET_MS);
    if (bucket - current >= counts.length) counts.fill(0);
    else for (let next = current + 1; next <= bucket; next += 1) counts[next % counts.length] = 0;
    current = Math.max(current, bucket);
  };
  return {
    add(now: number) {
      advance(now);
      firstAt ??= now;
      counts[current % counts.length] += 1;
    },
    perSecond(now: number): number {
      if (firstAt === undefined) return 0;
      advance(now);
      const total = counts.reduce((sum, count) => sum + count, 0);
      // From the start of the oldest bucket counted (or of the first answer) to now.
      const windowStart = (current - counts.length + 1) * BUCKET_MS;
      const spanMs = Math.max(MIN_MEASURED_MS, now - Math.max(windowStart, firstAt));
      return (total * 1000) / spanMs;
    },
  };
}
