import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { isGoneError } from '../errors.js';
import type { BucketTraffic } from '../traffic/traffic.js';
import type { Upload } from '../types.js';
import type { AbortSender } from './senders.js';

/** Attempts at an abort that keeps failing for a reason other than throttling, as the SDK's default. */
export const MAX_ATTEMPTS = 5;
/** Backoff before a retry, as the SDK's: up to 2^n × 100 ms, at random, at most 20 s. */
const RETRY_DELAY_BASE_MS = 100;
const MAX_RETRY_DELAY_MS = 20_000;

export type AbortAttempts =
  | { result: 'aborted' | 'gone' }
  | { result: 'failed'; error: unknown }
  /** The run stopped: before the abort was sent, or while it was in flight. */
  | { result: 'stopped'; inFlight: boolean };

/**
 * Aborts one upload. A throttling answer (`SlowDown`, any 503, 429) is retried at the pace
 * the store allows, as often as it takes: throttling alone never fails an upload, only the
 * run's stop ends it. Other 5xx answers, resets and timeouts are retried after a backoff,
 * MAX_ATTEMPTS in all (unless the sender retries by itself). `NoSuchUpload` means gone.
 */
export async function abortUpload(
  upload: Upload,
  send: AbortSender,
  traffic: BucketTraffic,
): Promise<AbortAttempts> {
  let failures = 0;
  for (;;) {
    const sentAt = await traffic.send();
    if (sentAt === undefined) return { result: 'stopped', inFlight: false };
    try {
      await send(upload);
      traffic.answered(sentAt, 'answered');
      return { result: 'aborted' };
    } catch (error) {
      if (traffic.stopped) {
        traffic.answered(sentAt, 'lost');
        return { result: 'stopped', inFlight: true };
      }
      const throttled = isThrottling(error);
      traffic.answered(sentAt, throttled ? 'throttled' : hasAnswer(error) ? 'answered' : 'lost');
      // Completed or aborted by someone else since it was listed: the goal is met.
      if (isGoneError(error)) return { result: 'gone' };
      if (throttled) continue;
      failures += 1;
      if (send.retries || !isRetryable(error) || failures >= MAX_ATTEMPTS) {
        return { result: 'failed', error };
      }
      await traffic.pause(retryDelayMs(failures));
    }
  }
}

/** The SDK's own classification of errors, as its retry strategies apply it. */
type SdkError = Parameters<typeof isThrottlingError>[0];

const asSdkError = (error: unknown) => (error ?? {}) as SdkError;

function isThrottling(error: unknown): boolean {
  const fields = asSdkError(error);
  return isThrottlingError(fields) || fields.$metadata?.httpStatusCode === 503;
}

function isRetryable(error: unknown): boolean {
  return isTransientError(asSdkError(error)) || isServerError(asSdkError(error));
}

/** Whether the store answered at all (an error answer), rather than the connection failing. */
function hasAnswer(error: unknown): boolean {
  return typeof asSdkError(error).$metadata?.httpStatusCode === 'number';
}

function retryDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, Math.random() * 2 ** failures * RETRY_DELAY_BASE_MS);
}
