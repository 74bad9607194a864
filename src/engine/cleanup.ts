import type { ListMultipartUploadsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { abortUpload } from './abort/abort-upload.js';
import type { AbortSender } from './abort/senders.js';
import { describeS3Error, isGoneError } from './errors.js';
import { listUploadPages } from './list.js';
import { measureUpload } from './parts.js';
import { mapConcurrent } from './pool.js';
import type { AbortTraffic } from './traffic/traffic.js';
import type { CleanupEvent, ListingKind, Target, Upload, UploadOutcome } from './types.js';

export interface CleanupPlan {
  /** Uploads initiated at or before this instant are stale. Fixed once, before any listing. */
  cutoff: Date;
  dryRun: boolean;
  /**
   * How many requests may be in flight, for the whole run, and at what pace each bucket's
   * aborts leave: one for the run, shared by the targets cleaned at once.
   */
  traffic: AbortTraffic;
  /** How this bucket's aborts are sent (abortSenderFor). */
  sendAbort: AbortSender;
  /** Uploads per ListMultipartUploads page; the store's maximum unless a test needs less. */
  pageSize?: number;
  /** How the bucket's store lists uploads (see probe.ts); `standard` when absent. */
  listing?: ListingKind;
  /** The listing's first page, when the bucket's probe asked for it. */
  firstPage?: ListMultipartUploadsCommandOutput;
  /**
   * Stops the run (its timeout, a cancel): no further page is listed and no further abort
   * starts; requests in flight are cancelled by the client, which must be made with the
   * same stop (createS3Client). The signal's reason says why, for the report.
   */
  stop?: AbortSignal;
  /** Keys never to abort, however old (the exclude patterns). */
  isExcluded?: (key: string) => boolean;
  /** Whether an upload's initiator is one `initiated-by` names; absent: anyone's may go. */
  isInitiatedBy?: (initiator: string | undefined) => boolean;
  /**
   * Aborts the run may still start, shared by all its targets; absent means no limit.
   * Stale uploads beyond it are `left` (in a dry run too, so it shows what a run would do).
   */
  budget?: { remaining: number };
  /** Count each selected upload's parts and bytes before aborting it (ListParts). */
  measureSize?: boolean;
}

/** Whether an upload is old enough to abort. An upload of unknown age is never stale. */
export function isStale(upload: Upload, cutoff: Date): boolean {
  return upload.initiated !== undefined && upload.initiated.getTime() <= cutoff.getTime();
}

/**
 * Lists a target, aborts its stale uploads with bounded concurrency while later pages are
 * still being listed, and yields one outcome per listed upload as it is settled. A listing
 * that fails part-way, or that the stop signal ends, ends with a ListingFailure after the
 * uploads listed so far are handled.
 */
export async function* cleanTarget(
  client: S3Client,
  target: Target,
  plan: CleanupPlan,
): AsyncGenerator<CleanupEvent> {
  const { stop } = plan;
  const traffic = plan.traffic.forBucket(target.bucket);
  let listingError: string | undefined;
  async function* uploadsUnderPrefix(): AsyncGenerator<Upload> {
    try {
      stop?.throwIfAborted();
      const pages = listUploadPages(client, target, {
        pageSize: plan.pageSize,
        kind: plan.listing,
        firstPage: plan.firstPage,
      });
      for await (const page of pages) {
        for (const upload of page) {
          // Checked before each abort is handed out, so none starts after the stop.
          stop?.throwIfAborted();
          // Stores may return keys beyond the prefix (Swift lists `pre` for `pre/`), and some
          // are asked for more than the prefix (see listingPrefix).
          if (upload.key.startsWith(target.prefix)) yield upload;
        }
      }
    } catch (error) {
      listingError = stop?.aborted
        ? `${reasonOf(stop)}: stopped before this target was finished; uploads not yet listed or aborted were left alone`
        : describeS3Error(error, 'list', target);
    }
  }

  const settle = async (upload: Upload): Promise<UploadOutcome> => {
    const outcome = { kind: 'upload', target, upload } as const;
    if (!isStale(upload, plan.cutoff)) return { ...outcome, result: 'kept' };
    if (plan.isExcluded?.(upload.key)) return { ...outcome, result: 'excluded' };
    if (plan.isInitiatedBy && !plan.isInitiatedBy(upload.initiator)) {
      return { ...outcome, result: 'foreign' };
    }
    if (plan.budget) {
      // Taken when the upload is handed out, one at a time, so the limit is never exceeded.
      if (plan.budget.remaining <= 0) return { ...outcome, result: 'left' };
      plan.budget.remaining -= 1;
    }
    const measured = plan.measureSize
      ? await plan.traffic.inSlot(() => measure(client, target, upload, stop))
      : {};
    if (measured.gone) return { ...outcome, result: 'gone' };
    const sized = { ...outcome, size: measured.size, sizeError: measured.sizeError };
    if (plan.dryRun) return { ...sized, result: 'would-abort' };
    return { ...sized, ...(await abort(upload)) };
  };

  /** Aborts exactly one upload, by its own key and upload id. */
  const abort = async (upload: Upload): Promise<Pick<UploadOutcome, 'result' | 'error'>> => {
    const attempts = await abortUpload(upload, plan.sendAbort, traffic);
    switch (attempts.result) {
      case 'aborted':
      case 'gone':
        return { result: attempts.result };
      case 'failed':
        return { result: 'failed', error: describeS3Error(attempts.error, 'abort', target) };
      case 'stopped':
        return {
          result: 'failed',
          error: attempts.inFlight
            ? `${reasonOf(stop)} before the store answered this abort (it may or may not have taken effect)`
            : `${reasonOf(stop)} before this abort was sent`,
        };
    }
  };

  yield* mapConcurrent(uploadsUnderPrefix(), settle, () => plan.traffic.limit);
  if (listingError !== undefined) yield { kind: 'listing-failed', target, error: listingError };
}

/** The upload's size; a failure to measure it does not stop the abort. */
async function measure(
  client: S3Client,
  target: Target,
  upload: Upload,
  stop: AbortSignal | undefined,
): Promise<{ size?: UploadOutcome['size']; sizeError?: string; gone?: boolean }> {
  try {
    return { size: await measureUpload(client, target, upload) };
  } catch (error) {
    // Stopped: the abort that follows says so; the size is simply unknown.
    if (stop?.aborted) return {};
    if (isGoneError(error)) return { gone: true };
    return { sizeError: describeS3Error(error, 'list-parts', target) };
  }
}

/** Why the run was stopped, as its stop signal says. */
function reasonOf(stop: AbortSignal | undefined): string {
  const reason: unknown = stop?.reason;
  return reason instanceof Error ? reason.message : 'the run was stopped';
}
