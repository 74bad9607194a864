import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { abortUpload } from '../../src/engine/abort/abort-upload.js';
import type { AbortSender } from '../../src/engine/abort/senders.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import { SimClock } from '../support/traffic-sim.js';

// The retry loop of one abort, on a simulated clock: when each attempt leaves. What the
// store's answers mean is lean-abort.test.ts's to check, against a stand-in on the wire.

const upload = { key: 'k', uploadId: 'u', initiated: undefined };
const internalError = () =>
  Object.assign(new Error('InternalError'), {
    name: 'InternalError',
    $metadata: { httpStatusCode: 500 },
  });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

/** A sender that fails with `failures` in turn, then succeeds; it notes when each attempt left. */
function failing(clock: SimClock, failures: Array<() => Error>) {
  const sentAt: number[] = [];
  const send: AbortSender = Object.assign(
    async () => {
      sentAt.push(clock.now());
      const failure = failures.shift();
      if (failure) throw failure();
    },
    { retries: false },
  );
  return { send, sentAt };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('abortUpload', () => {
  it.each([
    ['a 500', internalError],
    ['a reset connection', reset],
  ])(
    'backs off before each retry of %s, at random up to a bound that doubles',
    async (_, failure) => {
      // The middle of each random backoff: 2^n × 100 ms × 0.5.
      jest.spyOn(Math, 'random').mockReturnValue(0.5);
      const clock = new SimClock();
      const { send, sentAt } = failing(clock, [failure, failure, failure, failure]);
      const traffic = AbortTraffic.for(1, undefined, clock).forBucket('bucket');

      expect(await clock.run(abortUpload(upload, send, traffic))).toEqual({ result: 'aborted' });
      const waits = sentAt.slice(1).map((at, i) => at - sentAt[i]);
      expect(waits).toEqual([100, 200, 400, 800]);
    },
  );
});
