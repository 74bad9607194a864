import { isRegionName } from './regions.js';
import type { Target } from './types.js';

type Operation = 'list' | 'abort' | 'list-parts' | 'lifecycle' | 'put-lifecycle' | 'list-buckets';

/** The IAM action each operation needs; an AccessDenied error names it. */
const REQUIRED_PERMISSION: Record<Operation, string> = {
  list: 's3:ListBucketMultipartUploads',
  abort: 's3:AbortMultipartUpload',
  'list-parts': 's3:ListMultipartUploadParts',
  lifecycle: 's3:GetLifecycleConfiguration',
  'put-lifecycle': 's3:PutLifecycleConfiguration',
  'list-buckets': 's3:ListAllMyBuckets',
};

/**
 * A directory bucket's lifecycle configuration is read and written with actions of its own
 * (S3 API reference, GetBucketLifecycleConfiguration: "Directory bucket permissions"), granted
 * in an identity-based policy on the bucket's s3express ARN.
 */
const DIRECTORY_BUCKET_PERMISSION: Partial<Record<Operation, string>> = {
  lifecycle: 's3express:GetLifecycleConfiguration',
  'put-lifecycle': 's3express:PutLifecycleConfiguration',
};

/** The target of a request, as an error names it. */
export interface ErrorTarget extends Target {
  /** A directory bucket (S3 Express One Zone), whose bucket-level actions are s3express:…. */
  directory?: boolean;
}

/** The resource a policy grants the operation's permission on. */
function resourceOf(operation: Operation, bucket: string): string {
  switch (operation) {
    case 'list-buckets':
      // ListAllMyBuckets is granted on no bucket: IAM takes it only with Resource "*".
      return '*';
    case 'list':
    case 'lifecycle':
    case 'put-lifecycle':
      return `arn:aws:s3:::${bucket}`;
    case 'abort':
    case 'list-parts':
      return `arn:aws:s3:::${bucket}/*`;
  }
}

interface ErrorFields {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  /** AuthorizationHeaderMalformed names the bucket's region in its body. */
  Region?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string> };
}

/** The S3 error code of an SDK error (`AccessDenied`, `NoSuchUpload`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const fields = (error ?? {}) as ErrorFields;
  const code = fields.Code ?? fields.code ?? fields.name;
  return typeof code === 'string' && code !== 'Error' ? code : undefined;
}

/** The headers of the answer an SDK error was made from (the SDK keeps it as `$response`). */
export function responseHeaders(error: unknown): Record<string, string> | undefined {
  return ((error ?? {}) as ErrorFields).$response?.headers;
}

export function responseHeader(error: unknown, name: string): string | undefined {
  const value = responseHeaders(error)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The answers Amazon S3 gives a request signed for another region than the bucket's. */
const WRONG_REGION_CODES = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

/**
 * The bucket's region as a store names it in an answer refusing a request for being signed
 * for another region: the `x-amz-bucket-region` header, else the `<Region>` of the error's
 * body (AuthorizationHeaderMalformed). Undefined when the error is about something else.
 */
export function regionNamedBy(error: unknown): string | undefined {
  const { Region, $metadata } = (error ?? {}) as ErrorFields;
  const code = errorCode(error) ?? '';
  if (!WRONG_REGION_CODES.has(code) && $metadata?.httpStatusCode !== 301) return undefined;
  const region =
    responseHeader(error, 'x-amz-bucket-region') ??
    (typeof Region === 'string' ? Region : undefined);
  // The name goes into a host name (s3.<region>.amazonaws.com): take only a well-formed one.
  return region !== undefined && isRegionName(region) ? region : undefined;
}

/**
 * The store says the upload no longer exists: completed or aborted by someone else. Amazon
 * S3 and RGW say NoSuchUpload; Swift says NoSuchKey for an upload that was completed.
 */
export function isGoneError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchUpload' || code === 'NoSuchKey';
}

/** The IAM action an operation needs, and on what. */
function permissionFor(operation: Operation, target: ErrorTarget): string {
  const directoryAction = target.directory ? DIRECTORY_BUCKET_PERMISSION[operation] : undefined;
  if (directoryAction !== undefined) {
    return `${directoryAction} on the directory bucket's ARN, arn:aws:s3express:REGION:ACCOUNT:bucket/${target.bucket}`;
  }
  return `${REQUIRED_PERMISSION[operation]} on ${resourceOf(operation, target.bucket)}`;
}

/**
 * A one-line explanation of a failed request, saying what to do where we know it.
 * Built from the error's code, status and message only: never from the request, so no
 * credential or signature can reach it. ListBuckets (`list-buckets`) has no target.
 */
export function describeS3Error(
  error: unknown,
  operation: Operation,
  target: ErrorTarget = { bucket: '', prefix: '' },
): string {
  const fields = (error ?? {}) as ErrorFields;
  const code = errorCode(error);
  const status = fields.$metadata?.httpStatusCode;
  const message = typeof fields.message === 'string' ? fields.message.trim() : String(error);
  switch (code) {
    case 'AccessDenied':
      return `AccessDenied: the credentials need ${permissionFor(operation, target)}`;
    case 'NoSuchBucket':
      return `NoSuchBucket: bucket "${target.bucket}" does not exist (check the bucket name, region and endpoint)`;
    case 'ETIMEDOUT':
    case 'TimeoutError':
      return `${code}: the store did not answer in time, on any attempt (is the endpoint right and the store up?)`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException': {
      // Only met when the bucket's region, asked once, could not be used: see probe.ts.
      const region = regionNamedBy(error);
      const where = region ? `region ${region}` : 'another region';
      return `${code}: the store says bucket "${target.bucket}" is in ${where}, and refused the request signed for it (check the endpoint input: an endpoint for one region cannot reach buckets in others)`;
    }
    case 'SignatureDoesNotMatch':
      return 'SignatureDoesNotMatch: the store computed another signature with this access key: usually the secret access key is wrong, of another key, or holds a stray space or newline (check AWS_SECRET_ACCESS_KEY, and that no proxy rewrites the request)';
    case 'InvalidAccessKeyId':
      return 'InvalidAccessKeyId: the store knows no such access key: usually a key of another store or account (check the endpoint input: without one the requests go to Amazon S3), a deleted or disabled key, or temporary credentials without their AWS_SESSION_TOKEN';
    case 'RequestTimeTooSkewed':
      return "RequestTimeTooSkewed: the runner's clock is too far from the store's, even after the SDK corrected it by the store's Date header (check the time sync of the runner and of the store)";
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
