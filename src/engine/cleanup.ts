import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeS3Error, errorCode } from './errors.js';
import { listUploadPages } from './list.js';
import { mapConcurrent } from './pool.js';
import type { CleanupEvent, Target, Upload, UploadOutcome } from './types.js';

export interface CleanupPlan {
  /** Uploads initiated at or before this instant are stale. Fixed once, before any listing. */
  cutoff: Date;
  dryRun: boolean;
  /** Aborts in flight at once. */
  concurrency: number;
  /** Uploads per ListMultipartUploads page; the store's maximum unless a test needs less. */
  pageSize?: number;
}

/** Whether an upload is old enough to abort. An upload of unknown age is never stale. */
export function isStale(upload: Upload, cutoff: Date): boolean {
  return upload.initiated !== undefined && upload.initiated.getTime() <= cutoff.getTime();
}

/**
 * Lists a target, aborts its stale uploads with bounded concurrency while later pages are
 * still being listed, and yields one outcome per listed upload as it is settled. A listing
 * that fails part-way ends with a ListingFailure after the uploads listed so far are handled.
 */
export async function* cleanTarget(
  client: S3Client,
  target: Target,
  plan: CleanupPlan,
): AsyncGenerator<CleanupEvent> {
  let listingError: unknown;
  async function* uploadsUnderPrefix(): AsyncGenerator<Upload> {
    try {
      for await (const page of listUploadPages(client, target, plan.pageSize)) {
        // Stores may return keys beyond the prefix (Swift lists `pre` for `pre/`).
        yield* page.filter((upload) => upload.key.startsWith(target.prefix));
      }
    } catch (error) {
      listingError = error;
    }
  }

  const settle = async (upload: Upload): Promise<UploadOutcome> => {
    const outcome = { kind: 'upload', target, upload } as const;
    if (!isStale(upload, plan.cutoff)) return { ...outcome, result: 'kept' };
    if (plan.dryRun) return { ...outcome, result: 'would-abort' };
    return { ...outcome, ...(await abortUpload(client, target, upload)) };
  };

  yield* mapConcurrent(uploadsUnderPrefix(), settle, plan.concurrency);
  if (listingError !== undefined) {
    yield { kind: 'listing-failed', target, error: describeS3Error(listingError, 'list', target) };
  }
}

/** Aborts exactly one upload, by its own key and upload id. */
async function abortUpload(
  client: S3Client,
  target: Target,
  upload: Upload,
): Promise<Pick<UploadOutcome, 'result' | 'error'>> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: target.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
      }),
    );
    return { result: 'aborted' };
  } catch (error) {
    // Completed or aborted by someone else since it was listed: the goal is met.
    if (errorCode(error) === 'NoSuchUpload') return { result: 'gone' };
    return { result: 'failed', error: describeS3Error(error, 'abort', target) };
  }
}
