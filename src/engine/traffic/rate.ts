/**
 * The pace of a run whose store has throttled it (`503 SlowDown`): requests a second, found
 * from the rate the store accepted, then raised again to find the store's rate anew. Until
 * the first throttling answer there is no pace at all.
 *
 * Why not fewer in flight instead: a store that throttles limits a rate, not a number in
 * flight, and a refusal comes back at once, so the in-flight count does not see it. Why not
 * quick retries: each refused request, resent at once, is refused again.
 *
 * A plain object fed by events, with the clock passed in (milliseconds, from an origin at or
 * before the run's start: its meter counts time in whole buckets from there).
 */
export interface RateLimit {
  /** Requests a second the run may send; undefined while the store has not throttled it. */
  readonly perSecond: number | undefined;
  /** Answers that were throttling answers, in all. */
  readonly throttled: number;
  /** Times the pace was cut, the first throttling answer's included. */
  readonly cuts: number;
  /** When the next request may leave: `now`, or later while the pace holds it back. */
  nextSendAt(now: number): number;
  onSent(now: number): void;
  onAnswered(now: number, sentAt: number, throttled: boolean): void;
}

/** After a throttling answer, the pace is this share of the rate the store was accepting. */
const CUT = 0.85;
/**
 * After a cut the pace climbs back as a cubic curve (TCP CUBIC's shape): quickly at first,
 * flat near the rate that was throttled, which it reaches after the return time, then faster
 * and faster beyond it, to find a store whose rate has grown (S3 splits a busy prefix). Each
 * such probe past the store's rate costs a refusal or two, so at least RETURN_REQUESTS go
 * between them: a store that takes 50 a second is probed every two seconds, not every one.
 */
const RETURN_MS = 1_000;
const RETURN_REQUESTS = 100;
/**
 * Before it knows the store's rate, the run doubles its pace this often: the first cut comes
 * of an opening that says little of the rate, and may be far too low.
 */
const START_DOUBLING_MS = 200;
/**
 * After a cut, refusals of requests sent this soon after it do not cut again: a store that
 * counts refused requests against its rate goes on refusing for a moment after the run
 * slowed down (paced at 85% of its rate, a debt of 20 ms of refusals takes 140 ms to repay),
 * and cut after cut would take the run far below the store's rate.
 */
const CUT_GRACE_MS = 200;
/** The slowest pace: a store that refuses everything still gets a request a second. */
const MIN_PER_SECOND = 1;
/** Requests that may leave together, in time at the pace: timers are not precise. */
const BURST_MS = 10;
/** The pace grows only while it held requests back this recently: otherwise it binds nothing. */
const BOUND_RECENTLY_MS = 100;
/**
 * What the store accepts now: the accepted answers of the last 200 ms, or of a longer span
 * when those are fewer than 20 (a store that takes a few dozen a second), up to a second.
 */
const RECENT_MS = 200;
const RECENT_ANSWERS = 20;
/** What the store took in its last second: a store that counts by the second sees that. */
const SECOND_MS = 1_000;
const BUCKET_MS = 10;

/**
 * Reads each refusal for what it says of the store:
 * - The first ends the opening. The pace is 85% of what the store took in its last second:
 *   a store that counts by the second and one with a token bucket both take that. A store
 *   that takes a request before the opening's oldest answer is a second old does not count
 *   the opening against the run (a bucket): the pace goes back to 85% of the opening's rate,
 *   and doubles until refused. An opening a second long or more tells the rate as well.
 * - Refused again at the pace, nothing taken since: the store still counts what it took
 *   before (its second is not over, or refused requests count against it). Half the pace,
 *   until it takes requests again; its rate is at most what it took in that second.
 * - Refused after it took a few at the pace, its last second still full of what it took
 *   before: a sliding second not yet over. The same pace, once the oldest of them is gone.
 * - Refused after it took the pace a while: that is its rate, as it accepted it lately (no
 *   more than it took in its last second, where that says enough). 85% of it, then back up
 *   along a cubic curve.
 */
export function throttlingRate(): RateLimit {
  let perSecond: number | undefined;
  let throttled = 0;
  let tokens = 0;
  let refilledAt = 0;
  let cutAt = -Infinity;
  let cuts = 0;
  /** Answers accepted, of requests sent since the last cut. */
  let acceptedSinceCut = 0;
  /** The store's rate, as found when it last throttled; undefined while it is not known. */
  let knownRate: number | undefined;
  /** The rate of the opening, until the store shows whether it counts by the second. */
  let openingRate: number | undefined;
  /** A second after the opening's oldest answer that still counted at the first cut. */
  let openingLastsUntil = -Infinity;
  /** Whether it does: it went on refusing, at a pace below what it took in a second. */
  let countsBySecond = false;
  /** The pace at the last cut, and how long the pace has bound since (growth's own clock). */
  let paceAtCut = 0;
  let boundSinceCutMs = 0;
  let grownAt = 0;
  let boundAt = -Infinity;
  /** Nothing leaves before this: a store that counts by the second refuses until it is over. */
  let quietUntil = -Infinity;
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
      // A quiet span held everything back, whatever the pace: it says nothing of the pace.
      boundSinceCutMs += Math.max(0, now - Math.max(grownAt, quietUntil));
      // At most twice as fast at once: answers to a slow pace come seldom.
      perSecond = Math.max(perSecond, Math.min(2 * perSecond, paceAfter(boundSinceCutMs)));
    }
    grownAt = now;
  }

  /**
   * The pace `ms` of binding after the last cut: back up to the store's rate, or doubling
   * while that is unknown. A rate no higher than the pace is not one to return to: the curve
   * would never rise, and the run would crawl at its slowest pace to the end.
   */
  function paceAfter(ms: number): number {
    if (knownRate === undefined || knownRate <= paceAtCut) {
      return paceAtCut * 2 ** (ms / START_DOUBLING_MS);
    }
    const returnMs = Math.max(RETURN_MS, (RETURN_REQUESTS * 1000) / knownRate);
    return knownRate + (paceAtCut - knownRate) * (1 - ms / returnMs) ** 3;
  }

  /** What the store's refusal says of its rate, and the pace that follows from it. */
  function paceAfterRefusal(now: number): number {
    const tookInLastSecond = accepted.inLastSecond(now);
    if (perSecond === undefined) {
      // The first refusal ends an opening that says little of a rate: a store that allows N
      // within any second may have taken its N in a few round trips, and refuses the rest
      // until that second is over. What it took in the last second is a pace that it, and a
      // store with a token bucket, will take. A store that takes it at once counts with a
      // bucket, not by the second: the pace then goes on from the rate of the opening.
      openingRate = accepted.perSecond(now);
      openingLastsUntil = accepted.oldestInLastSecond(now) + SECOND_MS;
      // An opening of a second or more (a bucket among many, its answers slowed by theirs)
      // does tell: what the store took in that second is its rate, either way it counts.
      if (now - accepted.firstAt >= SECOND_MS) knownRate = tookInLastSecond;
      return CUT * tookInLastSecond;
    }
    if (acceptedSinceCut === 0) {
      // Refused again although nothing was accepted since the last cut, at the pace it set:
      // the store still counts what it took before (a second not yet over, a debt of refused
      // requests). Half as fast until it takes requests again, and its rate is at most what
      // it took in the last second; unless that is less than the new pace: a store that took
      // next to nothing for a second (S3 splitting a busy prefix) has told nothing of its rate.
      // Nor does anything leave before the oldest answer it took in that second is a second
      // old: until then such a store refuses whatever comes, at any pace.
      const pace = perSecond / 2;
      const took = Math.min(knownRate ?? Infinity, tookInLastSecond);
      knownRate = took > pace ? took : undefined;
      openingRate = undefined;
      countsBySecond = true;
      quietUntil = accepted.oldestInLastSecond(now) + SECOND_MS;
      return pace;
    }
    if (
      countsBySecond &&
      acceptedSinceCut < RECENT_ANSWERS &&
      knownRate !== undefined &&
      tookInLastSecond >= knownRate
    ) {
      // It took a few at the pace, then refused, its last second still full of what it took
      // before the cut (a sliding second lets them go one by one, a second after each): the
      // pace did not cause this. The same pace and rate, once the oldest of them is gone.
      quietUntil = accepted.oldestInLastSecond(now) + SECOND_MS;
      return perSecond;
    }
    // It took the pace for a while, then refused: its rate is what it accepts now, when
    // enough were accepted to tell, else the pace it refused. At the end of the doubling,
    // what it accepted lags behind the pace: it took half the pace at least.
    if (acceptedSinceCut >= RECENT_ANSWERS) knownRate = accepted.perSecond(now);
    else knownRate = Math.min(knownRate ?? perSecond / 2, perSecond);
    // A store that counts by the second takes bursts within it: what it took in its last
    // second is its rate, whatever the last 200 ms took. So is it for any store, where that
    // second took enough to tell (a sliding second may have had room from a slow opening).
    if (countsBySecond || tookInLastSecond >= RECENT_ANSWERS) {
      knownRate = Math.min(knownRate, tookInLastSecond);
    }
    return CUT * Math.min(perSecond, knownRate);
  }

  /** The store took the cautious pace at once: back to the opening's rate, doubling from there. */
  function resumeOpening(now: number): void {
    perSecond = Math.max(perSecond!, CUT * openingRate!);
    openingRate = undefined;
    paceAtCut = perSecond;
    grownAt = now;
    boundSinceCutMs = 0;
  }

  function cut(now: number): void {
    refill(now);
    const first = perSecond === undefined;
    perSecond = Math.max(MIN_PER_SECOND, paceAfterRefusal(now));
    paceAtCut = perSecond;
    // After the first, one request leaves at once: whether the store takes it tells, a round
    // trip later rather than a slow pace's interval later, whether it counts with a bucket.
    tokens = first ? 1 : Math.min(tokens, 1);
    refilledAt = now;
    cutAt = now;
    cuts += 1;
    acceptedSinceCut = 0;
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
    get cuts() {
      return cuts;
    },
    nextSendAt(now) {
      if (perSecond === undefined) return now;
      if (now < quietUntil) {
        boundAt = now;
        return quietUntil;
      }
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
        if (sentAt >= cutAt) acceptedSinceCut += 1;
        // Taken while the opening's oldest answer is less than a second old: a store that
        // counts by the second would still refuse. Later, one with a sliding second has let
        // the oldest go, and taking a request tells nothing.
        const afterCut = sentAt >= cutAt && openingRate !== undefined;
        if (afterCut && now < openingLastsUntil) return resumeOpening(now);
        if (afterCut) openingRate = undefined;
        grow(now);
        return;
      }
      throttled += 1;
      // Sent before the last cut, or just after: that cut already answers the complaint.
      if (sentAt >= cutAt + CUT_GRACE_MS) cut(now);
    },
  };
}

/** The accepted answers of the last second, counted in buckets of BUCKET_MS. */
function acceptedMeter() {
  const counts = new Array<number>(SECOND_MS / BUCKET_MS).fill(0);
  let current = -Infinity;
  let firstAt: number | undefined;
  const advance = (now: number) => {
    const bucket = Math.floor(now / BUCKET_MS);
    if (bucket - current >= counts.length) counts.fill(0);
    else for (let next = current + 1; next <= bucket; next += 1) counts[next % counts.length] = 0;
    current = Math.max(current, bucket);
  };
  return {
    /** When the first answer came; Infinity before it. */
    get firstAt(): number {
      return firstAt ?? Infinity;
    },
    add(now: number) {
      advance(now);
      firstAt ??= now;
      counts[current % counts.length] += 1;
    },
    inLastSecond(now: number): number {
      advance(now);
      return counts.reduce((sum, n) => sum + n, 0);
    },
    /** The end of the oldest span of the last second that holds an answer; a second ago if none. */
    oldestInLastSecond(now: number): number {
      advance(now);
      for (let back = counts.length - 1; back >= 0; back -= 1) {
        if (counts[(current - back + counts.length) % counts.length] > 0) {
          return (current - back + 1) * BUCKET_MS;
        }
      }
      return now - SECOND_MS;
    },
    /** Answers a second over the last second, or since the first answer if that is later. */
    meanInLastSecond(now: number): number {
      if (firstAt === undefined) return 0;
      const spanMs = Math.min(SECOND_MS, Math.max(100, now - firstAt));
      return (this.inLastSecond(now) * 1000) / spanMs;
    },
    /** Answers a second, over the most recent span that is RECENT_MS long and holds RECENT_ANSWERS (or the whole second). */
    perSecond(now: number): number {
      if (firstAt === undefined) return 0;
      advance(now);
      let total = 0;
      let buckets = 0;
      while (buckets < counts.length) {
        total += counts[(current - buckets + counts.length) % counts.length];
        buckets += 1;
        if (buckets * BUCKET_MS >= RECENT_MS && total >= RECENT_ANSWERS) break;
      }
      // From the start of the oldest bucket counted (or of the first answer) to now; a span
      // shorter than 100 ms would take a first burst for a pace.
      const spanStart = Math.max((current - buckets + 1) * BUCKET_MS, firstAt);
      return (total * 1000) / Math.max(100, now - spanStart);
    },
  };
}
