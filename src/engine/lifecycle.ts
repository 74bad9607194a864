import { GetBucketLifecycleConfigurationCommand, type LifecycleRule } from '@aws-sdk/client-s3';
import { describeS3Error, errorCode } from './errors.js';
import type { BucketAccess } from './probe.js';

/**
 * Whether a bucket aborts stale uploads by itself, with a lifecycle rule: the safety net for
 * the uploads no workflow run reaches.
 * `covered`: an enabled rule aborts incomplete uploads under every prefix of the run, at the
 * latest `days` after they were initiated; `uncovered`: no rule does under `prefixes`, and
 * the bucket has `rules` rules now; `unknown`: the configuration could not be read.
 */
export type LifecycleCheck =
  | { state: 'covered'; days: number }
  | { state: 'uncovered'; prefixes: string[]; rules: number }
  | { state: 'unknown'; reason: string };

/**
 * Reads the bucket's lifecycle configuration once and checks it against the run's prefixes.
 * Never throws: whatever goes wrong is the `unknown` reason.
 */
export async function checkLifecycle(
  { client, bucket, listing }: Pick<BucketAccess, 'client' | 'bucket' | 'listing'>,
  prefixes: string[],
  /** The run's stop, which the client was made with: to say why a read was cut short. */
  signal?: AbortSignal,
): Promise<LifecycleCheck> {
  if (listing === 'minio') {
    return {
      state: 'unknown',
      reason:
        'MinIO does not keep rules that abort incomplete uploads; it aborts them itself after MINIO_API_STALE_UPLOADS_EXPIRY',
    };
  }
  let rules: LifecycleRule[];
  try {
    const command = new GetBucketLifecycleConfigurationCommand({ Bucket: bucket });
    rules = (await client.send(command)).Rules ?? [];
    // Amazon S3 has no empty configuration (it answers NoSuchLifecycleConfiguration), but
    // a store without lifecycle rules may answer so (Swift's s3api).
    if (rules.length === 0) {
      return {
        state: 'unknown',
        reason: 'the store keeps no lifecycle rules (it answered with an empty configuration)',
      };
    }
  } catch (error) {
    if (errorCode(error) === 'NoSuchLifecycleConfiguration') rules = [];
    else return { state: 'unknown', reason: whyUnread(error, bucket, signal) };
  }
  return coverage(rules, prefixes);
}

function whyUnread(error: unknown, bucket: string, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return 'not read: the run was stopped first';
  const code = errorCode(error);
  if (code === 'NotImplemented' || code === 'MethodNotAllowed') {
    return `the store keeps no lifecycle rules (it answered ${code})`;
  }
  return describeS3Error(error, 'lifecycle', { bucket, prefix: '' });
}

/** How the bucket's rules cover the run's prefixes. */
export function coverage(rules: LifecycleRule[], prefixes: string[]): LifecycleCheck {
  const waits = prefixes.map((prefix) => abortDays(rules, prefix));
  const uncovered = prefixes.filter((_, i) => waits[i] === undefined);
  if (uncovered.length > 0) return { state: 'uncovered', prefixes: uncovered, rules: rules.length };
  return { state: 'covered', days: Math.max(...(waits as number[])) };
}

/** The fewest days after which an enabled rule aborts an incomplete upload under `prefix`. */
function abortDays(rules: LifecycleRule[], prefix: string): number | undefined {
  const days = rules
    .filter((rule) => rule.Status === 'Enabled' && covers(rule, prefix))
    .map((rule) => rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation)
    .filter((wait): wait is number => typeof wait === 'number');
  return days.length > 0 ? Math.min(...days) : undefined;
}

/**
 * Whether a rule holds for every upload under `prefix`: its filter's prefix (or the legacy
 * top-level one; none means the whole bucket) starts it, and it filters on nothing else.
 */
function covers({ Filter: filter, Prefix: legacyPrefix }: LifecycleRule, prefix: string): boolean {
  const and = filter?.And;
  const narrower =
    filter?.Tag !== undefined ||
    (and?.Tags?.length ?? 0) > 0 ||
    [filter, and].some(
      (part) => part?.ObjectSizeGreaterThan !== undefined || part?.ObjectSizeLessThan !== undefined,
    );
  const rulePrefix = filter?.Prefix ?? and?.Prefix ?? legacyPrefix ?? '';
  return !narrower && prefix.startsWith(rulePrefix);
}

/**
 * A configuration whose rules abort incomplete uploads under `prefixes` `days` after they
 * start, for `aws s3api put-bucket-lifecycle-configuration`.
 */
export function abortRules(prefixes: string[], days: number) {
  return {
    Rules: prefixes.map((prefix, i) => ({
      ID: `abort-incomplete-multipart-uploads${prefixes.length > 1 ? `-${i + 1}` : ''}`,
      Status: 'Enabled',
      Filter: { Prefix: prefix },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
    })),
  };
}
