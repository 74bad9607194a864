import { describe, expect, it } from '@jest/globals';
import { throttlingRate, type RateLimit } from '../../src/engine/traffic/rate.js';

// The pace, decided from answers on a clock stepped by hand. The same pace under the real
// pool and retries, against simulated stores that throttle, is traffic.test.ts's.

/** `count` accepted answers, one each `everyMs` from `from`, each sent 20 ms before. */
function accepted(rate: RateLimit, from: number, count: number, everyMs = 1): number {
  let now = from;
  for (let i = 0; i < count; i += 1, now += everyMs) rate.onAnswered(now, now - 20, false);
  return now;
}

/**
 * Sends as the pace lets requests go, one a millisecond at most, from `from` to `to`, each
 * accepted 20 ms later, or refused if `refused` (answers still on their way at `to` are left
 * out).
 */
function pacedAndAccepted(rate: RateLimit, from: number, to: number, refused = false): void {
  const sent: number[] = [];
  for (let now = from; now < to; now += 1) {
    while (sent.length > 0 && sent[0] + 20 <= now) rate.onAnswered(now, sent.shift()!, refused);
    if (rate.nextSendAt(now) > now) continue;
    rate.onSent(now);
    sent.push(now);
  }
}

describe('throttlingRate', () => {
  it('sets no pace until the store throttles', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 1000; now += 1) {
      expect(rate.nextSendAt(now)).toBe(now);
      rate.onSent(now);
      rate.onAnswered(now + 20, now, false);
    }
    expect(rate.perSecond).toBeUndefined();
  });

  it('paces the first refusal at 85% of what the store took in its last second, once for the opening', () => {
    const rate = throttlingRate();
    // 300 accepted in 300 ms, then the opening's requests refused: a store that takes 300 in
    // any second (it may count by the second) takes 255 a second from now on.
    accepted(rate, 0, 300);
    for (let i = 0; i < 10; i += 1) rate.onAnswered(300 + i, 290 + i, true);
    expect(rate.perSecond).toBeCloseTo(255, 5);
    expect(rate.throttled).toBe(10);
    // Paced: past a burst of 10 ms at the pace, the next request waits for its turn.
    let sent = 0;
    while (rate.nextSendAt(320) <= 320) {
      rate.onSent(320);
      sent += 1;
    }
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(3);
    expect(rate.nextSendAt(320)).toBeGreaterThan(320);
    expect(rate.nextSendAt(320)).toBeLessThanOrEqual(320 + 1000 / 255);
  });

  it('lets one request go at once after the first refusal, to see whether the store takes it', () => {
    const rate = throttlingRate();
    // One accepted, then refused: a pace of a request a second, whose first goes now.
    accepted(rate, 0, 1);
    rate.onAnswered(10, 5, true);
    expect(rate.perSecond).toBe(1);
    expect(rate.nextSendAt(10)).toBe(10);
    rate.onSent(10);
    expect(rate.nextSendAt(10)).toBe(1_010);
  });

  it('goes back to the opening’s rate when the store takes the cautious pace at once (a token bucket)', () => {
    const rate = throttlingRate();
    accepted(rate, 0, 300);
    rate.onAnswered(300, 299, true);
    // Sent after the cut and accepted: the store does not count the opening against it.
    rate.onAnswered(330, 310, false);
    expect(rate.perSecond).toBeCloseTo(850, -1);
  });

  it('does not go back to the opening’s rate for a request taken once the opening’s oldest answer is a second old', () => {
    const rate = throttlingRate();
    accepted(rate, 0, 300);
    rate.onAnswered(300, 299, true);
    // A sliding second has let the oldest of the opening go by now: that tells no bucket.
    rate.onAnswered(1_400, 1_380, false);
    expect(rate.perSecond).toBeCloseTo(255, 5);
  });

  it('takes what a second-long opening took in its last second for the rate: it climbs back to it, not doubling past it', () => {
    const rate = throttlingRate();
    // 30 answers over 1.2 s (a bucket whose answers wait for the run's others), then refused.
    accepted(rate, 0, 30, 40);
    rate.onAnswered(1_200, 1_190, true);
    const took = 24; // the answers of the last second, 240 ms to 1,160 ms
    expect(rate.perSecond).toBeCloseTo(0.85 * took, 5);
    pacedAndAccepted(rate, 1_200, 1_800);
    expect(rate.perSecond).toBeGreaterThan(0.85 * took);
    expect(rate.perSecond).toBeLessThanOrEqual(1.2 * took);
  });

  it('takes no more for the rate than the store took in its last second, where that is enough to tell', () => {
    const rate = throttlingRate();
    accepted(rate, 0, 10);
    rate.onAnswered(20, 15, true);
    // 20 over 800 ms, then 20 in 20 ms (a sliding second with room again), then refused:
    // the last 200 ms say 110 a second, the last second 40.
    accepted(rate, 240, 20, 40);
    accepted(rate, 1_100, 20);
    rate.onAnswered(1_125, 1_121, true);
    // Back up to that rate along the curve, and not past it within its return time.
    pacedAndAccepted(rate, 1_125, 3_500);
    expect(rate.perSecond).toBeGreaterThan(30);
    expect(rate.perSecond).toBeLessThanOrEqual(50);
  });

  it('keeps its pace when refused with its last second still full of what it took before the cut (a sliding second)', () => {
    const rate = throttlingRate();
    accepted(rate, 250, 30);
    rate.onAnswered(300, 299, true);
    // Refused again with nothing taken since: the store counts by the second, and took 30.
    rate.onAnswered(520, 510, true);
    expect(rate.perSecond).toBeCloseTo(12.75, 5);
    // One taken once the quiet is over, then a refusal: the opening's 30 still fill the
    // store's second. The same pace, once the oldest of them is a second old.
    rate.onAnswered(1_100, 1_080, false);
    rate.onAnswered(1_130, 1_110, true);
    expect(rate.perSecond).toBeCloseTo(12.75, 5);
    expect(rate.nextSendAt(1_130)).toBeGreaterThanOrEqual(1_250);
  });

  it('halves the pace while the store goes on refusing it, then climbs back to what it took in a second', () => {
    const rate = throttlingRate();
    // A store that takes 50 within any second took them in the first 50 ms.
    accepted(rate, 0, 50);
    rate.onAnswered(60, 50, true);
    expect(rate.perSecond).toBeCloseTo(42.5, 5);
    // Refused at the pace, nothing taken since: it still counts the opening.
    rate.onAnswered(310, 300, true);
    expect(rate.perSecond).toBeCloseTo(21.25, 5);
    rate.onAnswered(560, 550, true);
    expect(rate.perSecond).toBeCloseTo(10.6, 1);
    // Its second over, it takes the pace: back towards 50 a second, and not past it while
    // the run goes back (two seconds, a hundred requests).
    pacedAndAccepted(rate, 1_050, 2_500);
    expect(rate.perSecond!).toBeGreaterThan(40);
    expect(rate.perSecond!).toBeLessThanOrEqual(50);
  });

  it('goes on refusing to pace faster than it accepts', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
    rate.onAnswered(300, 299, true);
    const first = rate.perSecond!;
    // A refusal of a request sent well after the cut: the store wants slower still.
    rate.onAnswered(700, 650, true);
    expect(rate.perSecond!).toBeLessThan(first);
  });

  it('takes the rate it accepted when refused after a while at the pace, at most what it took in a second where it counts so', () => {
    // A bucket, which takes 500 a second of what the pace lets go: what it accepted lately.
    const bucket = throttlingRate();
    accepted(bucket, 0, 300);
    bucket.onAnswered(300, 299, true);
    const end = accepted(bucket, 330, 300, 2);
    bucket.onAnswered(end, end - 10, true);
    expect(bucket.perSecond).toBeCloseTo(0.85 * 500, -1);

    // A store that went on refusing the pace counts by the second; it took 40 in its last
    // second, all in the last 200 ms (200 a second), then refused.
    const second = throttlingRate();
    accepted(second, 0, 50);
    second.onAnswered(60, 50, true);
    second.onAnswered(310, 300, true);
    for (let now = 1_000; now < 2_200; now += 5) {
      // Requests wait for the pace, which grows back towards 50 while they do.
      if (second.nextSendAt(now) <= now) second.onSent(now);
      if (now >= 2_000) second.onAnswered(now, now - 20, false);
    }
    expect(second.perSecond!).toBeGreaterThan(40);
    second.onAnswered(2_200, 2_190, true);
    expect(second.perSecond).toBeCloseTo(0.85 * 40, 5);
  });

  it('sends nothing until a second after the oldest it took, once the store went on refusing', () => {
    // A store that took 30 within a few ms refuses everything until that second is over.
    const rate = throttlingRate();
    accepted(rate, 0, 30); // answered from 0 ms on
    rate.onAnswered(100, 90, true);
    expect(rate.nextSendAt(100)).toBe(100); // the one request that tells bucket from second
    rate.onSent(100);
    rate.onAnswered(400, 390, true); // refused again, nothing taken since the cut
    expect(rate.nextSendAt(400)).toBe(1_010);
    expect(rate.nextSendAt(1_009)).toBe(1_010);
    expect(rate.nextSendAt(1_010)).toBe(1_010);
  });

  it('finds the rate again when the store takes requests after refusing all of them for seconds', () => {
    // Amazon S3 answers SlowDown to every request while it splits a busy prefix: the pace
    // falls to its slowest, and the seconds the store took nothing say nothing of its rate.
    const rate = throttlingRate();
    accepted(rate, 0, 300);
    pacedAndAccepted(rate, 300, 3_000, true);
    expect(rate.perSecond).toBe(1);
    // Then it takes everything again: within two seconds the pace is back in the hundreds.
    pacedAndAccepted(rate, 3_000, 5_000);
    expect(rate.perSecond!).toBeGreaterThan(500);
  });

  it('keeps no rate from those seconds: refused again soon after, it slows to what it took lately, not to its slowest', () => {
    const rate = throttlingRate();
    accepted(rate, 0, 300);
    pacedAndAccepted(rate, 300, 3_000, true);
    // A few taken as the pace doubles from its slowest, then a refusal at the pace reached.
    pacedAndAccepted(rate, 3_000, 5_000);
    const refusedAt = rate.perSecond!;
    expect(refusedAt).toBeGreaterThanOrEqual(8);
    rate.onAnswered(5_000, 4_995, true);
    // 85% of what it took lately (a few in its last second, here), not a request a second.
    expect(rate.perSecond!).toBeGreaterThan(2);
    expect(rate.perSecond!).toBeLessThanOrEqual(0.85 * (refusedAt / 2));
  });

  it('climbs back from its slowest pace even where the last second took next to nothing', () => {
    // A store counting by the second (it went on refusing the pace) took 50, then one more
    // after the cuts, then refused a request sent well after that: its last second took none.
    const rate = throttlingRate();
    accepted(rate, 0, 50);
    rate.onAnswered(60, 50, true);
    rate.onAnswered(310, 300, true);
    rate.onAnswered(1_100, 1_090, false);
    rate.onAnswered(2_300, 1_200, true);
    expect(rate.perSecond).toBe(1);
    // It takes everything again: the pace must rise, not sit at one a second for the run.
    pacedAndAccepted(rate, 2_300, 5_300);
    expect(rate.perSecond!).toBeGreaterThan(40);
  });

  it('does not cut again for a refusal of a request sent just after the cut, however late it comes', () => {
    const rate = throttlingRate();
    for (let now = 0; now < 300; now += 1) rate.onAnswered(now, now - 20, false);
    rate.onAnswered(300, 299, true);
    const paced = rate.perSecond!;
    // Sent 20 ms after the cut, answered long after: the store was still counting the burst.
    rate.onAnswered(500, 320, true);
    expect(rate.perSecond).toBe(paced);
  });

  it('grows the pace again while it holds requests back, and not while it does not', () => {
    const grown = throttlingRate();
    const idle = throttlingRate();
    for (const rate of [grown, idle]) {
      // An opening, then 700 ms at the pace, then a refusal: the store's rate is known.
      accepted(rate, 0, 300);
      rate.onAnswered(300, 299, true);
      rate.onAnswered(330, 310, false);
      pacedAndAccepted(rate, 330, 1_000);
      rate.onAnswered(1_000, 990, true);
    }
    const start = grown.perSecond!;
    for (let now = 1_000; now < 4_000; now += 1) {
      // `grown` always has a request waiting for the pace; `idle` sends one now and then.
      const at = grown.nextSendAt(now);
      if (at <= now) grown.onSent(now);
      grown.onAnswered(now, now - 20, false);
      if (now % 100 === 0) idle.onAnswered(now, now - 20, false);
    }
    expect(grown.perSecond!).toBeGreaterThan(start * 1.15);
    expect(idle.perSecond).toBe(start);
  });
});
