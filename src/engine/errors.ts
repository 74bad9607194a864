import type { Target } from './types.js';

type Operation = 'list' | 'abort' | 'list-parts';

/** The IAM action each operation needs; an AccessDenied error names it. */
const REQUIRED_PERMISSION: Record<Operation, string> = {
  list: 's3:ListBucketMultipartUploads',
  abort: 's3:AbortMultipartUpload',
  'list-parts': 's3:ListMultipartUploadParts',
};

interface ErrorFields {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The S3 error code of an SDK error (`AccessDenied`, `NoSuchUpload`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const fields = (error ?? {}) as ErrorFields;
  const code = fields.Code ?? fields.code ?? fields.name;
  return typeof code === 'string' && code !== 'Error' ? code : undefined;
}

/**
 * The store says the upload no longer exists: completed or aborted by someone else. Amazon
 * S3 and RGW say NoSuchUpload; Swift says NoSuchKey for an upload that was completed.
 */
export function isGoneError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchUpload' || code === 'NoSuchKey';
}

/**
 * A one-line explanation of a failed request, saying what to do where we know it.
 * Built from the error's code, status and message only: never from the request, so no
 * credential or signature can reach it.
 */
export function describeS3Error(error: unknown, operation: Operation, target: Target): string {
  const fields = (error ?? {}) as ErrorFields;
  const code = errorCode(error);
  const status = fields.$metadata?.httpStatusCode;
  const message = typeof fields.message === 'string' ? fields.message.trim() : String(error);
  switch (code) {
    case 'AccessDenied': {
      const resource =
        operation === 'list' ? `arn:aws:s3:::${target.bucket}` : `arn:aws:s3:::${target.bucket}/*`;
      return `AccessDenied: the credentials need ${REQUIRED_PERMISSION[operation]} on ${resource}`;
    }
    case 'NoSuchBucket':
      return `NoSuchBucket: bucket "${target.bucket}" does not exist (check the bucket name, region and endpoint)`;
    case 'ETIMEDOUT':
    case 'TimeoutError':
      return `${code}: the store did not answer in time, on any attempt (is the endpoint right and the store up?)`;
    case 'CredentialsProviderError':
      return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws-actions/configure-aws-credentials before this step';
  }
  const head = [code, typeof status === 'number' ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(', ');
  // Some stores (Ceph RGW) send an empty message, which the SDK reports as UnknownError.
  const detail = message && message !== code && message !== 'UnknownError' ? message : '';
  if (head && detail) return `${head}: ${detail}`;
  return head || detail || 'unknown error';
}
