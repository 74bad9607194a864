/** One bucket and one key prefix to clean; `''` is the whole bucket. */
export interface Target {
  bucket: string;
  prefix: string;
}

/**
 * How a bucket's store lists uploads:
 * `standard` by prefix, in key order, resuming after the last upload listed;
 * `minio` takes a prefix as an exact object name, so the whole bucket is listed instead;
 * `directory` (S3 Express One Zone) takes only prefixes ending in `/`, lists in no order and
 * resumes from an opaque key-marker alone.
 * In every case the cleanup selects by the target's prefix itself.
 */
export type ListingKind = 'standard' | 'minio' | 'directory';

/** An in-progress multipart upload as listed, its key already decoded. */
export interface Upload {
  key: string;
  uploadId: string;
  /** Server time. A store that omits it leaves the upload's age unknown, and it is never aborted. */
  initiated: Date | undefined;
  /**
   * Who started it (Initiator.ID) and whose it is (Owner.ID), as the store answers them;
   * undefined when it answers none or an empty one. Stores differ: see initiators.ts.
   */
  initiator?: string;
  owner?: string;
}

/**
 * What became of one listed upload:
 * `kept` (younger than the cutoff), `excluded` (stale, but its key matches an exclusion),
 * `foreign` (stale, but not started by an initiator `initiated-by` names),
 * `left` (stale, beyond the run's limit), `would-abort` (dry run), `aborted`,
 * `gone` (completed or aborted by someone else meanwhile), `failed`.
 */
export type UploadResult =
  'kept' | 'excluded' | 'foreign' | 'left' | 'would-abort' | 'aborted' | 'gone' | 'failed';

/** What an upload's parts hold: what aborting it frees. */
export interface UploadSize {
  parts: number;
  bytes: number;
}

export interface UploadOutcome {
  kind: 'upload';
  target: Target;
  upload: Upload;
  result: UploadResult;
  /** Why the abort failed, when it did. */
  error?: string;
  /** Measured before the abort, when asked for. */
  size?: UploadSize;
  /** Why the size could not be measured (the abort went ahead). */
  sizeError?: string;
}

/** Listing a target stopped early; the uploads listed before it were still handled. */
export interface ListingFailure {
  kind: 'listing-failed';
  target: Target;
  error: string;
}

export type CleanupEvent = UploadOutcome | ListingFailure;
