/** One bucket and one key prefix to clean; `''` is the whole bucket. */
export interface Target {
  bucket: string;
  prefix: string;
}

/** An in-progress multipart upload as listed, its key already decoded. */
export interface Upload {
  key: string;
  uploadId: string;
  /** Server time. A store that omits it leaves the upload's age unknown, and it is never aborted. */
  initiated: Date | undefined;
}

/**
 * What became of one listed upload:
 * `kept` (younger than the cutoff), `would-abort` (dry run), `aborted`,
 * `gone` (completed or aborted by someone else meanwhile), `failed`.
 */
export type UploadResult = 'kept' | 'would-abort' | 'aborted' | 'gone' | 'failed';

export interface UploadOutcome {
  kind: 'upload';
  target: Target;
  upload: Upload;
  result: UploadResult;
  /** Why the abort failed, when it did. */
  error?: string;
}

/** Listing a target stopped early; the uploads listed before it were still handled. */
export interface ListingFailure {
  kind: 'listing-failed';
  target: Target;
  error: string;
}

export type CleanupEvent = UploadOutcome | ListingFailure;
