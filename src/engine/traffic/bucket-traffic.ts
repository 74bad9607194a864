import type { Clock } from './clock.js';
import type { RateLimit } from './rate.js';
import type { RequestSlots } from './slots.js';

/** What became of a request, as the traffic counts it. */
export type Answer =
  /** The store answered (success or error): its time says how busy the store is. */
  | 'answered'
  /** `503 SlowDown` and the like: the bucket's aborts go too fast. */
  | 'throttled'
  /** No answer (a reset, a timeout, the run's stop): says nothing of the store's pace. */
  | 'lost';

/**
 * One bucket's aborts on their way to the store: each waits for the bucket's own pace (once
 * the store throttled this bucket), then for a slot of the run's bound. A refusal paces the
 * bucket that got it, from what that bucket accepted: Amazon S3 throttles by partitions of a
 * bucket's keys, and self-hosted stores by user or bucket, so one hot bucket says nothing of
 * the others, and the run's rate says nothing of a bucket's own.
 */
export class BucketTraffic {
  private readonly waiting: Array<(cuts: number) => void> = [];
  private pacing = false;

  constructor(
    readonly bucket: string,
    private readonly rate: RateLimit,
    /**
     * The bucket's own opening: a bucket that starts when the run already has hundreds in
     * flight for others must not meet them all at once, before anything is known of its
     * pace. It opens by doubling, once a round trip, as the run itself opened.
     */
    private readonly opening: RequestSlots,
    private readonly slots: RequestSlots,
    /** The run's stop: waiting requests then leave at once, to find the run stopped. */
    private readonly stop: AbortSignal | undefined,
    private readonly clock: Clock,
  ) {}

  /** Whether the run's stop has fired: then nothing more is sent. */
  get stopped(): boolean {
    return this.stop?.aborted ?? false;
  }

  /** The pace the store imposed on this bucket; undefined while it has not throttled it. */
  get perSecond(): number | undefined {
    return this.rate.perSecond;
  }

  /** Throttling answers this bucket got. */
  get throttled(): number {
    return this.rate.throttled;
  }

  /** Waits before a retry; ends early when the run stops. */
  pause(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.stop);
  }

  /**
   * Waits for the bucket's own window, then for its pace, then for a slot of the run's
   * bound, and counts it as sent. Returns when it was sent, for `answered`; undefined when
   * the run stopped first.
   */
  async send(): Promise<number | undefined> {
    // The bucket's own window first: requests waiting there have not passed the pace yet,
    // so a refusal paces them all.
    const opened = this.opening.take();
    if (opened) await opened;
    for (;;) {
      const cutsWhenPassed = await this.passPace();
      const slot = this.slots.take();
      if (slot) await slot;
      if (this.stop?.aborted) {
        this.slots.release();
        this.opening.release();
        return undefined;
      }
      // Cut while it waited for a slot (the run's other buckets held them all): it passed a
      // pace the store has refused since, and sent now it would most likely be refused too.
      if (this.rate.cuts === cutsWhenPassed) break;
      this.slots.release();
    }
    const sentAt = this.clock.now();
    this.opening.abortSent(sentAt);
    this.slots.abortSent(sentAt);
    return sentAt;
  }

  /**
   * Waits until the bucket's pace lets one more request leave, in turn; returns the pace's
   * cuts by then, to tell whether it was cut since.
   */
  private passPace(): Promise<number> | number {
    const now = this.clock.now();
    if (this.waiting.length === 0 && this.rate.nextSendAt(now) <= now) {
      this.rate.onSent(now);
      return this.rate.cuts;
    }
    return new Promise<number>((resolve) => {
      this.waiting.push(resolve);
      if (!this.pacing) void this.pace();
    });
  }

  answered(sentAt: number, answer: Answer): void {
    const now = this.clock.now();
    this.slots.abortBack(now, sentAt, answer === 'answered');
    this.opening.abortBack(now, sentAt, answer === 'answered');
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
      this.waiting.shift()!(this.rate.cuts);
    }
    this.pacing = false;
  }
}
