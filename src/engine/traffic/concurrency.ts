/**
 * How many aborts a run keeps in flight. A fixed number stays as it is; `auto` looks for the
 * smallest number that gives the most aborts a second.
 *
 * It is a plain object fed by events, with the clock passed in (milliseconds, any origin):
 * it decides, and neither sleeps nor sends, so a test can replay a minute of a store in
 * milliseconds.
 */
export interface ConcurrencyLimit {
  /** The most requests to have in flight now. */
  readonly limit: number;
  /** The number the run has settled on, for the log and the summary. */
  readonly settled: number;
  /** A request left, and `inFlight` are now on their way (this one included). */
  onSent(now: number, inFlight: number): void;
  /**
   * A request sent at `sentAt` was answered (not throttled: a refusal says nothing about how
   * much the store can take in parallel), and `inFlight` are still on their way.
   */
  onAnswered(now: number, sentAt: number, inFlight: number): void;
}

export function fixedConcurrency(limit: number): ConcurrencyLimit {
  return { limit, settled: limit, onSent: () => undefined, onAnswered: () => undefined };
}

export interface AdaptiveOptions {
  /** Where a run starts: few enough for a small self-hosted store. */
  initial: number;
  max: number;
}

/** Each step of the climb raises the number in flight by this factor. */
const CLIMB = 1.5;
/**
 * A step of the climb is worth keeping when it raises the aborts a second by at least this
 * share of the step (×1.25 for a step of ×1.5): well above the noise of one window, and a
 * store that takes no more than N at once is never held past 1.5 × 1.5 / 1.25 × N = 1.8 × N
 * (the step before the last rose, so it was below 1.5 / 1.25 × N).
 */
const CLIMB_SHARE = 0.5;
/** A probe's step up is kept for less, measured over PROBE_WINDOWS windows' worth of answers. */
const PROBE_GAIN = 1.05;
const PROBE_WINDOWS = 3;
/**
 * The climb also stops where answers take this much longer than at its fastest window,
 * even if the step seemed to pay: a store that queues is slower before it is full.
 */
const SLOWER = 1.2;
/** A step down is worth keeping when it keeps at least this share of the aborts a second. */
const KEEP = 0.95;
const PROBE_UP = 1.25;
const PROBE_DOWN = 0.8;
/** How often a settled run checks whether the store now wants more, or fewer, in flight. */
const PROBE_INTERVAL_MS = 2_000;
/** A window needs this many answers at least, so that one slow answer does not decide. */
const MIN_WINDOW_ANSWERS = 8;
/** A window counts only when the run kept the limit this full: else it says nothing of it. */
const FULL = 0.75;

interface Measure {
  limit: number;
  perSecond: number;
  latencyMs: number;
}

type Phase = 'climb' | 'hold' | 'probe-up' | 'probe-down';

/**
 * Climbs from `initial` by ×1.5 as long as each step gives clearly more aborts a second,
 * then holds at the last step that did. Every two seconds it tries a step up (kept if it
 * gives more) or a step down (kept if it gives nearly as much), each measured at length, so
 * it finds the last few percent and follows a store that speeds up or slows down. A store at
 * its limit answers more slowly when given more at once, and no more often: the climb stops
 * there. So does a client at the limit of its own CPU.
 *
 * A window measures one limit: the answers to as many requests as the limit (at least 8),
 * sent after as many more have let the store adjust to it.
 */
export function adaptiveConcurrency({ initial, max }: AdaptiveOptions): ConcurrencyLimit {
  let limit = Math.min(initial, max);
  let held = limit;
  let phase: Phase = 'climb';
  let reference: Measure | undefined;
  /** The shortest answer time of the climb's windows: the store's own, before it queues. */
  let fastest = Infinity;
  let probeAt = 0;
  let probeUpNext = true;
  let window = newWindow(0);

  /**
   * A window measures the requests sent after the first `windowSize()` since the limit was
   * set: those first ones meet a store still adjusting to the change (its queue fills as they
   * arrive), and are let pass.
   */
  function newWindow(changedAt: number) {
    return {
      sentSinceChange: 0,
      measureFrom: Infinity,
      answers: 0,
      latencyTotal: 0,
      inFlightArea: 0,
      lastEventAt: changedAt,
    };
  }

  const windowSize = () => Math.max(MIN_WINDOW_ANSWERS, limit);

  function trackInFlight(now: number, inFlight: number): void {
    const from = Math.max(window.lastEventAt, window.measureFrom);
    if (now > from) window.inFlightArea += inFlight * (now - from);
    window.lastEventAt = now;
  }

  function setLimit(next: number, now: number): void {
    limit = Math.max(1, Math.min(max, Math.round(next)));
    window = newWindow(now);
  }

  function decide(now: number, measured: Measure): void {
    switch (phase) {
      case 'climb': {
        const step = reference === undefined ? 1 : limit / reference.limit;
        const gain = 1 + (step - 1) * CLIMB_SHARE;
        if (reference === undefined || measured.perSecond >= reference.perSecond * gain) {
          reference = measured;
          fastest = Math.min(fastest, measured.latencyMs);
          // Answers already slower: the store queues, and the next step would only wait.
          if (limit >= max || measured.latencyMs > fastest * SLOWER) return hold(now, limit);
          return setLimit(limit * CLIMB, now);
        }
        // A smaller step may still be worth it: the first probe, up, comes at once.
        probeUpNext = true;
        return hold(now, reference.limit, 0);
      }
      case 'hold':
        // Follows slow drifts of the store at the number held.
        reference = measured;
        if (now < probeAt) return setLimit(limit, now);
        phase = probeUpNext ? 'probe-up' : 'probe-down';
        probeUpNext = !probeUpNext;
        if (phase === 'probe-up' && limit >= max) return hold(now, limit);
        return setLimit(limit * (phase === 'probe-up' ? PROBE_UP : PROBE_DOWN), now);
      case 'probe-up':
        if (measured.perSecond >= reference!.perSecond * PROBE_GAIN) {
          reference = measured;
          phase = 'climb';
          return setLimit(limit * CLIMB, now);
        }
        return hold(now, reference!.limit);
      case 'probe-down':
        if (measured.perSecond >= reference!.perSecond * KEEP) {
          reference = measured;
          return hold(now, limit);
        }
        return hold(now, reference!.limit);
    }
  }

  function hold(now: number, at: number, probeInMs = PROBE_INTERVAL_MS): void {
    phase = 'hold';
    held = Math.max(1, Math.min(max, Math.round(at)));
    probeAt = now + probeInMs;
    setLimit(at, now);
  }

  return {
    get limit() {
      return limit;
    },
    get settled() {
      return phase === 'climb' ? limit : held;
    },
    onSent(now, inFlight) {
      trackInFlight(now, inFlight - 1);
      window.sentSinceChange += 1;
      if (window.sentSinceChange === windowSize()) window.measureFrom = now;
    },
    onAnswered(now, sentAt, inFlight) {
      trackInFlight(now, inFlight + 1);
      if (sentAt < window.measureFrom) return;
      window.answers += 1;
      window.latencyTotal += now - sentAt;
      const windows = phase === 'climb' ? 1 : PROBE_WINDOWS;
      if (window.answers < windowSize() * windows) return;
      const elapsed = now - window.measureFrom;
      const inFlightMean = elapsed > 0 ? window.inFlightArea / elapsed : 0;
      const latencyMean = window.latencyTotal / window.answers;
      // Fewer in flight than the limit, on average: the listing or the pace held the run
      // back, so this window says nothing about the limit. Measure again.
      if (inFlightMean < limit * FULL || latencyMean <= 0) {
        window = newWindow(now);
        return;
      }
      // Little's law: answers a second = requests in flight / time each takes. Counting the
      // answers instead would misjudge them when they come in bursts, as a run's first do.
      decide(now, {
        limit,
        perSecond: (inFlightMean * 1000) / latencyMean,
        latencyMs: latencyMean,
      });
    },
  };
}
