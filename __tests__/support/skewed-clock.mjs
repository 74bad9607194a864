// Loaded with `node --import` before the action: the process's clock runs SKEWED_CLOCK_MS
// ahead of the real one (behind when negative), as on a runner whose clock is off. Only
// the wall clock moves; timers and the monotonic clock are untouched, as on such a runner.
const skewMs = Number(process.env.SKEWED_CLOCK_MS ?? 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + skewMs;
  }
}

globalThis.Date = SkewedDate;
