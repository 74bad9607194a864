import type { ConcurrencyLimit } from './concurrency.js';

/**
 * The run's one bound on requests in flight, shared by the aborts of every bucket and the
 * size reads before them: the client's CPU and sockets are one resource, however many
 * targets are cleaned at once. A request takes a slot when it is about to leave (after its
 * bucket's pace let it go, so a bucket held back by its pace holds no slot) and gives it back
 * when answered. Slots are handed out in the order they were asked for.
 */
export class RequestSlots {
  /** Requests holding a slot: aborts, and size reads. */
  private taken = 0;
  /** Aborts on their way, as the concurrency limit counts them. */
  private abortsInFlight = 0;
  /** Aborts sent, retries included. */
  sent = 0;
  private readonly waiting: Array<() => void> = [];

  /**
   * No stop of its own: every slot is held by a request in flight, which the run's stop
   * cancels, and each slot given back goes to the next waiting, which finds the run stopped.
   */
  constructor(private readonly concurrency: ConcurrencyLimit) {}

  get limit(): number {
    return this.concurrency.limit;
  }

  get settled(): number {
    return this.concurrency.settled;
  }

  /** Resolves once a slot is free; at once (undefined, no promise) when one is free now. */
  take(): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.taken < this.limit) {
      this.taken += 1;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.taken -= 1;
    this.admit();
  }

  /** An abort holding a slot left at `now`. */
  abortSent(now: number): void {
    this.sent += 1;
    this.abortsInFlight += 1;
    this.concurrency.onSent(now, this.abortsInFlight);
  }

  /** An abort sent at `sentAt` came back; `answered` unless throttled or lost. */
  abortBack(now: number, sentAt: number, answered: boolean): void {
    this.abortsInFlight -= 1;
    if (answered) this.concurrency.onAnswered(now, sentAt, this.abortsInFlight);
    this.release();
  }

  /** Hands the free slots (the limit may have grown) to those waiting, in turn. */
  private admit(): void {
    while (this.waiting.length > 0 && this.taken < this.limit) {
      this.taken += 1;
      this.waiting.shift()!();
    }
  }
}
