/**
 * How many aborts a run keeps in flight. A number given is a ceiling, reached by doubling
 * once a round trip; `auto` looks for the smallest number that gives the most aborts a
 * second.
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

export interface ConcurrencyOptions {
  /** Where a run starts: few enough for a small self-hosted store. */
  initial: number;
  max: number;
}

/**
 * A number given: `max` at most, opened as TCP's slow start opens, from `initial` and
 * doubled once as many answers as the limit came back: once a round trip while the store
 * takes everything, more slowly while it refuses some (refusals are not answers here). A
 * store that answers quickly costs a few round trips; one that throttles does not meet
 * `max` requests at once, before anything is known of its pace. `growth`: the factor a
 * round trip, if not doubling.
 */
export function ceilingConcurrency(
  { initial, max }: ConcurrencyOptions,
  growth = 2,
): ConcurrencyLimit {
  let limit = Math.min(initial, max);
  let answers = 0;
  return {
    get limit() {
      return limit;
    },
    settled: max,
    onSent: () => undefined,
    onAnswered() {
      if (limit >= max || (answers += 1) < limit) return;
      limit = Math.min(max, Math.ceil(limit * growth));
      answers = 0;
    },
  };
}

/**
 * The first step of the climb: nothing is known of the store yet, and one that is busy with
 * fewer than `initial` must not meet twice as many.
 */
const FIRST_STEP = 1.5;
/**
 * Then each step is sized by what the last one showed, once a round trip or two. A step from
 * c to a in flight that raised the aborts a second by a factor g shows that the store takes
 * c × g at once at least (all of a, when the step paid in full); the next step goes to 1.8
 * times that. So the climb nearly doubles while steps pay in full, as TCP's slow start does,
 * takes smaller steps near what a store takes, and never goes past 1.8 times it; and a
 * client whose answers slow down with its own work (its CPU, other processes on its cores)
 * still climbs, as far as its steps pay.
 */
const NEXT_PER_TAKEN = 1.8;
/** A step that raised the aborts a second by less than this ends the climb. */
const CLIMB_GAIN = 1.15;
/**
 * After the climb, and after a probe up that paid, steps of ×1.25, each kept when it gives
 * ×1.05 the aborts a second, measured over three windows: the last few percent, without
 * overshooting a store that queues.
 */
const STEP_UP = 1.25;
const STEP_GAIN = 1.05;
const LONG_WINDOWS = 3;
/**
 * These smaller steps stop where answers take this much longer than at the climb's fastest
 * window, even if the step seemed to pay: a store that queues is slower before it is full.
 * Not the climb: at a few thousand aborts a second the client's own work makes answers
 * slower too, and the climb would stop far below what the store takes.
 */
const SLOWER = 1.2;
/** A step down is worth keeping when it keeps at least this share of the aborts a second. */
const KEEP = 0.95;
const STEP_DOWN = 0.8;
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

type Phase = 'climb' | 'refine' | 'hold' | 'probe-up' | 'probe-down';

/**
 * Climbs from `initial` as TCP's slow start does, sizing each step by what the last one
 * showed (above), until a step gives less than ×1.15 the aborts a second. It keeps that step
 * if it gave more at all; if it gave less, it goes back to the one before and tries steps of
 * ×1.25 at length while each gives more and answers take no longer. Every two seconds after
 * that it tries a step up (kept if it gives more) or a step down (kept if it gives nearly as
 * much), so it finds the last few percent and follows a store that speeds up or slows down.
 * A store at its limit answers more slowly when given more at once, and no more often: the
 * climb stops there. So does a client at the limit of its own CPU.
 *
 * A window measures one limit: the answers to half as many requests as the limit while
 * climbing, to three times as many after it (at least 8 either way), sent once as many as
 * the limit have left since it was set.
 */
export function adaptiveConcurrency({ initial, max }: ConcurrencyOptions): ConcurrencyLimit {
  let limit = Math.min(initial, max);
  let held = limit;
  let phase: Phase = 'climb';
  let reference: Measure | undefined;
  /** A climbing step's first window, when it fell short: it gets a second look. */
  let firstLook: Measure | undefined;
  /** The shortest answer time of the climb's windows: the store's own, before it queues. */
  let fastest = Infinity;
  let probeAt = 0;
  let probeUpNext = true;
  const windowSize = () => Math.max(MIN_WINDOW_ANSWERS, limit);
  let window = newWindow();

  /**
   * A window measures the requests sent after the first `settling` since the limit was set:
   * after a change, as many as the new limit, which meet a store still adjusting to it (its
   * queue fills as they arrive, and a window right after a step up reads it high).
   */
  function newWindow(settling = windowSize()) {
    return {
      settling,
      sentSinceChange: 0,
      measureFrom: Infinity,
      answers: 0,
      latencyTotal: 0,
      inFlightArea: 0,
      lastEventAt: -Infinity,
    };
  }

  /** A climbing step is measured on half as many answers: it takes half a round trip less. */
  const windowAnswers = () =>
    phase === 'climb'
      ? Math.max(MIN_WINDOW_ANSWERS, Math.round(limit / 2))
      : windowSize() * LONG_WINDOWS;

  function trackInFlight(now: number, inFlight: number): void {
    const from = Math.max(window.lastEventAt, window.measureFrom);
    if (now > from) window.inFlightArea += inFlight * (now - from);
    window.lastEventAt = now;
  }

  function setLimit(next: number): void {
    limit = Math.max(1, Math.min(max, Math.round(next)));
    window = newWindow();
  }

  const gainOf = (measured: Measure) => measured.perSecond / reference!.perSecond;

  function decide(now: number, measured: Measure): void {
    switch (phase) {
      case 'climb': {
        fastest = Math.min(fastest, measured.latencyMs);
        if (reference === undefined) {
          reference = measured;
          return setLimit(limit * FIRST_STEP);
        }
        const best =
          firstLook !== undefined && firstLook.perSecond > measured.perSecond
            ? firstLook
            : measured;
        const gain = gainOf(best);
        if (gain < CLIMB_GAIN && firstLook === undefined) {
          // One short window can fall on a pause of the client's own (a page of the listing
          // parsed, a collection, another process on its core): look again before stopping.
          firstLook = measured;
          window = newWindow(1);
          return;
        }
        firstLook = undefined;
        if (gain >= 1 && gain < CLIMB_GAIN) {
          // It paid a little: kept, for a client whose own work slows its answers gains by
          // more in flight still. It is at most 1.8 times what a store takes, and the first
          // probe goes down, so a store that queues sees no more.
          reference = best;
          probeUpNext = false;
          return hold(now, limit);
        }
        if (gain < 1) {
          // Back to the last step that paid, measured again at length (a step's first window
          // can read a queue still filling). A smaller step up, if there is room for one
          // below the step that did not pay, comes at once; else the first probe goes down.
          probeUpNext = Math.round(reference.limit * STEP_UP) < limit;
          return hold(now, reference.limit, probeUpNext ? 0 : PROBE_INTERVAL_MS);
        }
        const taken = Math.min(limit, reference.limit * gain);
        reference = best;
        if (limit >= max) return hold(now, limit);
        return setLimit(NEXT_PER_TAKEN * taken);
      }
      case 'probe-up':
      case 'refine':
        if (gainOf(measured) < STEP_GAIN) {
          // Up was just tried, and `hold` chose it so that the next probe goes down.
          return hold(now, reference!.limit);
        }
        reference = measured;
        // Answers already slower: the store queues, and the next step would only wait.
        if (limit >= max || measured.latencyMs > fastest * SLOWER) return hold(now, limit);
        phase = 'refine';
        return setLimit(limit * STEP_UP);
      case 'hold':
        // Follows slow drifts of the store at the number held.
        reference = measured;
        if (now < probeAt) return setLimit(limit);
        phase = probeUpNext ? 'probe-up' : 'probe-down';
        probeUpNext = !probeUpNext;
        if (phase === 'probe-up' && limit >= max) return hold(now, limit);
        return setLimit(limit * (phase === 'probe-up' ? STEP_UP : STEP_DOWN));
      case 'probe-down':
        if (gainOf(measured) >= KEEP) {
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
    setLimit(at);
  }

  return {
    get limit() {
      return limit;
    },
    get settled() {
      return phase === 'climb' || phase === 'refine' ? limit : held;
    },
    onSent(now, inFlight) {
      trackInFlight(now, inFlight - 1);
      window.sentSinceChange += 1;
      if (window.sentSinceChange === window.settling) window.measureFrom = now;
    },
    onAnswered(now, sentAt, inFlight) {
      trackInFlight(now, inFlight + 1);
      if (sentAt < window.measureFrom) return;
      window.answers += 1;
      window.latencyTotal += now - sentAt;
      if (window.answers < windowAnswers()) return;
      const elapsed = now - window.measureFrom;
      const inFlightMean = elapsed > 0 ? window.inFlightArea / elapsed : 0;
      const latencyMean = window.latencyTotal / window.answers;
      // Fewer in flight than the limit, on average: the listing or the pace held the run
      // back, so this window says nothing about the limit. Measure again.
      if (inFlightMean < limit * FULL || latencyMean <= 0) {
        window = newWindow(1);
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
