import { Input } from '../config/constants.js';
import { formatAge } from '../config/duration.js';

// setTimeout fires at once for delays beyond 2^31-1 ms (24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What a runner sends a step it cancels (the run was cancelled, or the step reached its
 * timeout-minutes): SIGINT, then SIGTERM 7.5 s later, then it kills the process 2.5 s after.
 */
export type CancelSignal = 'SIGINT' | 'SIGTERM';
const CANCEL_SIGNALS: CancelSignal[] = ['SIGINT', 'SIGTERM'];

/** 128 + the signal's number, as a shell reports a process ended by it. */
const EXIT_CODE: Record<CancelSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * After a cancel the run reports within a fraction of a second; should it hang instead, the
 * process ends this long after the signal, before the runner's SIGTERM.
 */
export const CANCEL_GRACE_MS = 5_000;

/** The part of `process` that a stop needs, so that tests can send signals to a stand-in. */
export interface SignalTarget {
  on(event: CancelSignal, listener: () => void): unknown;
  off(event: CancelSignal, listener: () => void): unknown;
  exit(code: number): void;
}

export interface RunStop {
  /** Fires at the time limit or on a cancel; the engine then starts nothing new. */
  signal: AbortSignal;
  /** Why the run stopped early, once it did. */
  stoppedBecause: () => string | undefined;
  /** Whether the runner cancelled the step (not only its own timeout). */
  cancelled: () => boolean;
  /** Stops watching the clock and the signals; call once everything is reported. */
  dispose: () => void;
}

/**
 * Everything that ends a run early, as one signal for the engine: the `timeout` input, and
 * the runner's cancel. On a cancel the run stops like at its timeout, so that the outputs,
 * the summary and the report still say what it did; a second signal ends the process at once.
 */
export function runStop(timeoutMs: number, target: SignalTarget = process): RunStop {
  const controller = new AbortController();
  let cancelledBy: CancelSignal | undefined;
  const timeout = new Error(
    `the run reached its timeout (${Input.Timeout}: ${formatAge(timeoutMs)})`,
  );
  const timer = setTimeout(() => controller.abort(timeout), Math.min(timeoutMs, MAX_TIMER_MS));
  let graceTimer: NodeJS.Timeout | undefined;

  const onSignal = (signal: CancelSignal): void => {
    if (cancelledBy !== undefined) {
      target.exit(EXIT_CODE[signal]);
      return;
    }
    cancelledBy = signal;
    controller.abort(new Error(`the job was cancelled (the runner sent ${signal})`));
    graceTimer = setTimeout(() => target.exit(EXIT_CODE[signal]), CANCEL_GRACE_MS).unref();
  };
  const listeners = CANCEL_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) target.on(signal, listener);

  return {
    signal: controller.signal,
    stoppedBecause: () =>
      controller.signal.aborted ? (controller.signal.reason as Error).message : undefined,
    cancelled: () => cancelledBy !== undefined,
    dispose: () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      for (const [signal, listener] of listeners) target.off(signal, listener);
    },
  };
}
