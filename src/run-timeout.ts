import { Input } from './constants.js';
import { formatAge } from './duration.js';

// setTimeout fires at once for delays beyond 2^31-1 ms (24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunTimeout {
  /** Fires at the time limit; the engine then starts nothing new. */
  signal: AbortSignal;
  /** Why the run stopped early, once the limit was reached. */
  stoppedBecause: () => string | undefined;
  clear: () => void;
}

/** The run's time limit (the `timeout` input), as a signal for the engine. */
export function runTimeout(timeoutMs: number): RunTimeout {
  const controller = new AbortController();
  const reason = new Error(
    `the run reached its timeout (${Input.Timeout}: ${formatAge(timeoutMs)})`,
  );
  const timer = setTimeout(() => controller.abort(reason), Math.min(timeoutMs, MAX_TIMER_MS));
  return {
    signal: controller.signal,
    stoppedBecause: () => (controller.signal.aborted ? reason.message : undefined),
    clear: () => clearTimeout(timer),
  };
}
