/**
 * How long a store that has not answered yet in this run may take to answer, per attempt:
 * a first answer (a one-upload listing, a bucket listing) takes well under a second on a
 * healthy store, connecting included, and a store that throttles answers at once, with
 * SlowDown. Five attempts of it, as one request makes, fail a dead store within a minute.
 */
export const FIRST_ANSWER_TIMEOUT_MS = 8_000;

/** Attempts without any answer after which a store that never answered is taken as dead. */
export const SILENT_ATTEMPTS_BEFORE_GIVING_UP = 5;

/**
 * A store that has not answered one of many attempts: no request is sent to it any more.
 * Not a timeout, so that the SDK does not retry it.
 */
export class StoreNotAnsweringError extends Error {
  override readonly name = 'StoreNotAnswering';

  constructor(host: string, attempts: number, timeoutMs: number) {
    super(
      `the store at ${host} answered none of ${attempts} attempts of ${timeoutMs / 1000} s each, so no more requests were sent to it (is the endpoint right, the store up, and no firewall dropping the packets?)`,
    );
  }
}

interface Store {
  answered: boolean;
  silentAttempts: number;
  dead?: StoreNotAnsweringError;
}

/**
 * What the run knows of each store it talks to (by host and port): whether it has answered
 * yet. Until it has, an attempt gets the short first-answer time; once it has, the longer
 * time of a store known to be up, which may be slow. A store that has answered none of
 * SILENT_ATTEMPTS_BEFORE_GIVING_UP attempts (those of all its requests together) is dead:
 * every later request fails at once, so that neither each target nor each bucket waits its
 * own round of retries. A plain counter fed by events: the handler does the sending.
 */
export class StoreContacts {
  private readonly stores = new Map<string, Store>();
  private readonly firstAnswerTimeoutMs: number;

  constructor(
    /** The time an attempt may take on a store that has answered. */
    private readonly answerTimeoutMs: number,
    firstAnswerTimeoutMs = FIRST_ANSWER_TIMEOUT_MS,
  ) {
    this.firstAnswerTimeoutMs = Math.min(firstAnswerTimeoutMs, answerTimeoutMs);
  }

  /** The time the next attempt to this store may take before its answer begins. */
  timeoutFor(host: string): number {
    return this.storeAt(host).answered ? this.answerTimeoutMs : this.firstAnswerTimeoutMs;
  }

  /** Why no request is sent to this store any more, if none is. */
  deadReason(host: string): StoreNotAnsweringError | undefined {
    return this.stores.get(host)?.dead;
  }

  /** The store answered, whatever it said: it is up, and may take its time from now on. */
  answered(host: string): void {
    this.storeAt(host).answered = true;
  }

  /** An attempt got no answer in its time; the reason to give up, once the store is dead. */
  noAnswer(host: string): StoreNotAnsweringError | undefined {
    const store = this.storeAt(host);
    if (store.answered) return undefined;
    store.silentAttempts += 1;
    if (store.silentAttempts >= SILENT_ATTEMPTS_BEFORE_GIVING_UP) {
      store.dead ??= new StoreNotAnsweringError(
        host,
        store.silentAttempts,
        this.firstAnswerTimeoutMs,
      );
    }
    return store.dead;
  }

  private storeAt(host: string): Store {
    let store = this.stores.get(host);
    if (!store) this.stores.set(host, (store = { answered: false, silentAttempts: 0 }));
    return store;
  }
}
