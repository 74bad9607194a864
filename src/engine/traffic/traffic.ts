import { adaptiveConcurrency, ceilingConcurrency, type ConcurrencyLimit } from './concurrency.js';
import { throttlingRate, type RateLimit } from './rate.js';

/** Time as the traffic sees it: real in a run, simulated in a test. */
export interface Clock {
  /** Milliseconds, from any origin at or before the run's start; never goes back. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** What became of a request, as the traffic counts it. */
export type Answer =
  /** The store answered (success or error): its time says how busy the store is. */
  | 'answered'
  /** `503 SlowDown` and the like: the run goes too fast. */
  | 'throttled'
  /** No answer (a reset, a timeout, the run's stop): says nothing of the store's pace. */
  | 'lost';

/** `auto`, or the most aborts in flight. */
export type ConcurrencySetting = number | 'auto';

/**
 * Where every run starts: few enough for a small self-hosted store. `auto` climbs from
 * there; a number given is reached by doubling.
 */
export const INITIAL_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 256;

export interface TrafficSummary {
  setting: ConcurrencySetting;
  /** Requests sent, retries included: none in a dry run or a run with nothing to abort. */
  sent: number;
  /** The number in flight the run settled on (the number given, when not `auto`). */
  settled: number;
  /** The pace the store imposed, when it throttled the run. */
  perSecond: number | undefined;
  /** Throttling answers, in all. */
  throttled: number;
}

/**
 * The run's aborts on their way to the store: how many may be in flight (the pool reads
 * `limit` before each new upload), and when each request may leave (`send` waits for the
 * pace the store imposed). One per run, shared by its targets.
 */
export class AbortTraffic {
  private inFlight = 0;
  private sent = 0;
  private readonly waiting: Array<() => void> = [];
  private pacing = false;

  constructor(
    private readonly setting: ConcurrencySetting,
    private readonly concurrency: ConcurrencyLimit,
    private readonly rate: RateLimit,
    /** The run's stop: waiting requests then leave at once, to find the run stopped. */
    private readonly stop?: AbortSignal,
    private readonly clock: Clock = realClock,
  ) {}

  static for(setting: ConcurrencySetting, stop?: AbortSignal, clock?: Clock): AbortTraffic {
    const concurrency =
      setting === 'auto'
        ? adaptiveConcurrency({ initial: INITIAL_CONCURRENCY, max: MAX_CONCURRENCY })
        : ceilingConcurrency({ initial: INITIAL_CONCURRENCY, max: setting });
    return new AbortTraffic(setting, concurrency, throttlingRate(), stop, clock);
  }

  get limit(): number {
    return this.concurrency.limit;
  }

  /** Whether the run's stop has fired: then nothing more is sent. */
  get stopped(): boolean {
    return this.stop?.aborted ?? false;
  }

  /** Waits before a retry; ends early when the run stops. */
  pause(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.stop);
  }

  summary(): TrafficSummary {
    return {
      setting: this.setting,
      sent: this.sent,
      settled: this.concurrency.settled,
      perSecond: this.rate.perSecond,
      throttled: this.rate.throttled,
    };
  }

  /**
   * Waits until the pace lets one more request leave, in turn, and counts it as sent.
   * Returns when it was sent, for `answered`; undefined when the run stopped first.
   */
  async send(): Promise<number | undefined> {
    const now = this.clock.now();
    if (this.waiting.length === 0 && this.rate.nextSendAt(now) <= now) {
      this.rate.onSent(now);
    } else {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (!this.pacing) void this.pace();
      });
    }
    if (this.stop?.aborted) return undefined;
    const sentAt = this.clock.now();
    this.sent += 1;
    this.inFlight += 1;
    this.concurrency.onSent(sentAt, this.inFlight);
    return sentAt;
  }

  answered(sentAt: number, answer: Answer): void {
    const now = this.clock.now();
    this.inFlight -= 1;
    if (answer === 'answered') this.concurrency.onAnswered(now, sentAt, this.inFlight);
    if (answer !== 'lost') this.rate.onAnswered(now, sentAt, answer === 'throttled');
  }

  /**
   * Lets waiting requests leave at the pace, in the order they came, with one timer for all
   * of them; each one's turn is counted here, before the next is let go.
   */
  private async pace(): Promise<void> {
    this.pacing = true;
    while (this.waiting.length > 0) {
      const now = this.clock.now();
      const at = this.rate.nextSendAt(now);
      if (at > now && !this.stop?.aborted) {
        await this.clock.sleep(at - now, this.stop);
        continue;
      }
      if (!this.stop?.aborted) this.rate.onSent(now);
      this.waiting.shift()!();
    }
    this.pacing = false;
  }
}
