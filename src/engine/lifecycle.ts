import { GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { describeS3Error, errorCode } from './errors.js';
import { keepBody, unknownElementsOf } from './lifecycle-xml.js';
import {
  abortRule,
  coverage,
  type LifecycleCheck,
  type LifecycleConfiguration,
} from './lifecycle-rules.js';
import type { BucketAccess } from './probe.js';

export { coverage, type LifecycleCheck };

/** A bucket's lifecycle configuration as read, or why it could not be. */
export type LifecycleRead =
  | {
      state: 'read';
      /** No rules: the bucket has no configuration (NoSuchLifecycleConfiguration). */
      configuration: LifecycleConfiguration;
      /** Elements of the answer the SDK does not model, which a write would drop. */
      unknownElements: string[];
    }
  | { state: 'unknown'; reason: string };

/** The bucket, as reading and writing its configuration needs it. */
export type LifecycleBucket = Pick<BucketAccess, 'client' | 'bucket' | 'listing'>;

/**
 * Reads the bucket's lifecycle configuration once and checks it against the run's prefixes.
 * Never throws: whatever goes wrong is the `unknown` reason.
 */
export async function checkLifecycle(
  bucket: LifecycleBucket,
  prefixes: string[],
  /** The run's stop, which the client was made with: to say why a read was cut short. */
  signal?: AbortSignal,
): Promise<LifecycleCheck> {
  const read = await readLifecycle(bucket, signal);
  return read.state === 'read' ? coverage(read.configuration.rules, prefixes) : read;
}

/**
 * The bucket's whole lifecycle configuration: every rule, and the default minimum size for
 * transitions (Amazon S3 answers it in a header). Never throws.
 */
export async function readLifecycle(
  { client, bucket, listing }: LifecycleBucket,
  signal?: AbortSignal,
): Promise<LifecycleRead> {
  if (listing === 'minio') {
    return {
      state: 'unknown',
      reason:
        'MinIO does not keep rules that abort incomplete uploads; it aborts them itself after MINIO_API_STALE_UPLOADS_EXPIRY',
    };
  }
  try {
    const command = new GetBucketLifecycleConfigurationCommand({ Bucket: bucket });
    const body = keepBody(command);
    // Sent with options, so that cacheMiddleware keeps this command's middleware to itself.
    const answer = await client.send(command, { abortSignal: signal });
    const rules = answer.Rules ?? [];
    // Amazon S3 has no empty configuration (it answers NoSuchLifecycleConfiguration), but
    // a store without lifecycle rules may answer so (Swift's s3api).
    if (rules.length === 0) {
      return {
        state: 'unknown',
        reason: 'the store keeps no lifecycle rules (it answered with an empty configuration)',
      };
    }
    const minimumSize = answer.TransitionDefaultMinimumObjectSize;
    return {
      state: 'read',
      configuration: {
        rules,
        ...(minimumSize ? { transitionDefaultMinimumObjectSize: minimumSize } : {}),
      },
      unknownElements: unknownElementsOf(body()),
    };
  } catch (error) {
    if (errorCode(error) !== 'NoSuchLifecycleConfiguration') {
      return { state: 'unknown', reason: whyUnread(error, bucket, listing, signal) };
    }
    return { state: 'read', configuration: { rules: [] }, unknownElements: [] };
  }
}

function whyUnread(
  error: unknown,
  bucket: string,
  listing: LifecycleBucket['listing'],
  signal: AbortSignal | undefined,
): string {
  if (signal?.aborted) return 'not read: the run was stopped first';
  const code = errorCode(error);
  if (code === 'NotImplemented' || code === 'MethodNotAllowed') {
    return `the store keeps no lifecycle rules (it answered ${code})`;
  }
  return describeS3Error(error, 'lifecycle', {
    bucket,
    prefix: '',
    directory: listing === 'directory',
  });
}

/**
 * A configuration whose rules abort incomplete uploads under `prefixes` `days` after they
 * start, for `aws s3api put-bucket-lifecycle-configuration`.
 */
export function abortRules(prefixes: string[], days: number) {
  return {
    Rules: prefixes.map((prefix, i) =>
      abortRule(
        prefix,
        days,
        `abort-incomplete-multipart-uploads${prefixes.length > 1 ? `-${i + 1}` : ''}`,
      ),
    ),
  };
}
