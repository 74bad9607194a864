import type { UntoldBucket } from './initiator-report.js';
import { formatAge } from '../config/duration.js';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import type { PatternMatch } from '../engine/buckets.js';
import type { LifecycleCheck } from '../engine/lifecycle.js';
import { abortRuleDays, abortRulePrefix } from '../engine/lifecycle-rules.js';
import type { Protection } from '../engine/protect.js';
import type { BucketAccess } from '../engine/probe.js';
import type { BucketPace, TrafficSummary } from '../engine/traffic/traffic.js';
import type { Target, UploadOutcome } from '../engine/types.js';
import { withoutCredentials } from '../runner/redact.js';
import { plural } from './summary/markdown.js';
import { visible } from '../runner/text.js';

// The lines the step writes to the log, built here so that main.ts only decides where they go.

export function describeTarget(target: Target): string {
  return target.prefix === ''
    ? `s3://${target.bucket} (whole bucket)`
    : `s3://${target.bucket}/${visible(target.prefix)}`;
}

/**
 * Why a prefix beginning with `/` may have found nothing: S3 keys rarely begin with one (the
 * key of `s3://b/ci/a.bin` is `ci/a.bin`), so such a prefix is most often a path written by
 * habit. Said only when it found nothing: some stores do hold keys that begin with `/`.
 */
export function leadingSlashNotice(target: Target): string {
  const bare = target.prefix.replace(/^\/+/, '');
  const instead =
    bare === ''
      ? 'leave prefix empty for the whole bucket'
      : `write prefix: ${visible(bare)}, without the leading /`;
  return `Nothing was found in s3://${target.bucket} under prefix ${JSON.stringify(visible(target.prefix))}: S3 keys rarely begin with "/" (the key of s3://${target.bucket}/ci/a.bin is "ci/a.bin"). If the uploads are under ${JSON.stringify(visible(bare))}, ${instead}.`;
}

/**
 * Why `initiated-by` cannot hold in a bucket, from what its store answered: for a notice,
 * and for the summary with `name` and `code` making its names Markdown.
 */
export function untoldInitiatorsNote(
  untold: UntoldBucket,
  name = (bucket: string) => `s3://${bucket}`,
  code = (id: string) => JSON.stringify(visible(id)),
): string {
  const where = `${name(untold.bucket)}: initiated-by cannot tell who started an upload here`;
  const listed =
    untold.uploads === 1 ? 'the one upload it listed' : `all ${untold.uploads} uploads it listed`;
  if (untold.sameForAll === undefined) {
    return `${where}. The store named no initiator for ${untold.uploads === 1 ? listed : `any of the ${untold.uploads} uploads it listed`} (as MinIO and versitygw answer), so none is aborted while initiated-by is given.`;
  }
  return `${where}. The store named ${code(untold.sameForAll)} as the initiator and owner of ${listed}, as stores that answer whoever lists do (Ceph RGW 16.2, Swift's S3 API): the guard matches all of them or none, and protects nothing.`;
}

/** An upload's outcome on one line: its key is shown visibly, so it cannot start a command. */
export function outcomeLine(outcome: UploadOutcome, nowMs: number): string {
  const { upload, result, error } = outcome;
  const age = upload.initiated ? formatAge(nowMs - upload.initiated.getTime()) : '?';
  const line = `${result}: ${JSON.stringify(visible(upload.key))} upload ${visible(upload.uploadId)} (age ${age})`;
  return result === 'failed' ? `${line}: ${error ?? ''}` : line;
}

/** Which buckets a pattern of `bucket` matched, every one: the log is not bounded. */
export function patternLine({ pattern, buckets }: PatternMatch, listingFailed: boolean): string {
  const count = buckets.length === 0 ? 'no bucket' : plural(buckets.length, 'bucket');
  const before = listingFailed ? ' before the listing failed' : '';
  const names = buckets.length === 0 ? '' : `: ${buckets.map(visible).join(', ')}`;
  return `Bucket pattern ${visible(pattern)} matched ${count}${before}${names}.`;
}

/**
 * What the log says of a bucket whose region or store is not what the inputs imply. `listed`:
 * its region is the one ListBuckets gave.
 */
export function bucketLines(
  access: Pick<BucketAccess, 'bucket' | 'region' | 'listing'>,
  defaultRegion: string,
  listed = false,
): string[] {
  const where = `s3://${access.bucket}`;
  const told = listed ? 'ListBuckets said so' : `the store said so when asked in ${defaultRegion}`;
  return [
    access.region !== defaultRegion
      ? `${where} is in region ${access.region} (${told}); its requests are signed for ${access.region}.`
      : '',
    access.listing === 'directory'
      ? `${where} is a directory bucket (S3 Express One Zone): listed under the nearest prefix ending in /, page by page with its opaque markers.`
      : '',
  ].filter(Boolean);
}

/** The proxy the environment sets for the store's requests, if any; never its password. */
export function proxyLine(env: Record<string, string | undefined>): string | undefined {
  // Node's precedence: the lower-case variable wins over the upper-case one.
  const https = env.https_proxy || env.HTTPS_PROXY;
  const http = env.http_proxy || env.HTTP_PROXY;
  const bypass = env.no_proxy || env.NO_PROXY;
  if (!https && !http) return undefined;
  const routes = [
    https ? `HTTPS through ${withoutCredentials(https)}` : '',
    http ? `HTTP through ${withoutCredentials(http)}` : '',
  ].filter(Boolean);
  const except = bypass ? `, except to hosts in no_proxy (${visible(bypass)})` : '';
  return `Requests to the store follow the environment's proxy settings: ${routes.join(', ')}${except}.`;
}

/** Whether a bucket aborts stale uploads by itself, in one line. */
export function lifecycleLine(bucket: string, check: LifecycleCheck): string {
  const where = `s3://${bucket}`;
  switch (check.state) {
    case 'covered':
      return `${where}: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most ${plural(check.days, 'day')} after they start.`;
    case 'uncovered': {
      const prefixes = check.prefixes.map((prefix) =>
        prefix === '' ? '(whole bucket)' : visible(prefix),
      );
      return `${where}: no lifecycle rule aborts incomplete uploads under ${prefixes.join(', ')}; the job summary shows one to add.`;
    }
    case 'unknown':
      return `${where}: could not tell whether a lifecycle rule aborts incomplete uploads: ${check.reason}.`;
  }
}

/**
 * What the run did about a bucket's missing abort rule (add-abort-rule): a line for each rule
 * it added or would add, so that two rules read as two, and one line otherwise.
 */
export function protectionLines(bucket: string, protection: Protection): string[] {
  const where = `s3://${bucket}`;
  const disabled =
    protection.disabled.length > 0
      ? ` A disabled rule would cover ${prefixesOf(protection.disabled)}: left disabled, with no rule added beside it.`
      : '';
  switch (protection.state) {
    case 'added': {
      const late = protection.confirmed ? '' : ' (the store did not show it yet when read back)';
      return withNote(
        protection.rules.map((rule) => `${where}: added ${ruleLine(rule)}${late}.`),
        disabled,
      );
    }
    case 'would-add':
      return withNote(
        protection.rules.map(
          (rule) => `${where}: would add ${ruleLine(rule)} (dry run: nothing written).`,
        ),
        disabled,
      );
    case 'nothing-to-add':
      return [
        `${where}: no abort rule added.${disabled || ' A rule covered every prefix by the time of the write.'}`,
      ];
    case 'failed':
      return [`${where}: could not add the abort rule: ${protection.reason}.${disabled}`];
  }
}

/** The disabled rules' note, on the last line. */
function withNote(lines: string[], note: string): string[] {
  if (note !== '' && lines.length > 0) lines[lines.length - 1] += note;
  return lines;
}

function ruleLine(rule: LifecycleRule): string {
  const days = plural(abortRuleDays([rule]), 'day');
  return `a lifecycle rule aborting incomplete uploads ${days} after they start, under ${prefixesOf([{ prefix: abortRulePrefix(rule) }])}`;
}

function prefixesOf(entries: Array<{ prefix: string }>): string {
  return entries
    .map(({ prefix }) => (prefix === '' ? '(whole bucket)' : JSON.stringify(visible(prefix))))
    .join(', ');
}

/** The number in flight the run settled on, and the pace a throttling store imposed. */
export function trafficLine(pace: TrafficSummary): string {
  const inFlight =
    pace.setting === 'auto'
      ? `Aborts in flight: settled on ${pace.settled} (concurrency: auto).`
      : `Aborts in flight: at most ${pace.setting} (concurrency: ${pace.setting}).`;
  if (pace.throttled === 0) return inFlight;
  return `${inFlight} ${throttlingNote(pace)}`;
}

/** Buckets a throttling note names; the rest are counted. */
const PACED_NAMED = 5;

/**
 * What the store's throttling did to the run, as a sentence; `name` writes a bucket's name
 * (as code in the summary).
 */
export function throttlingNote(pace: TrafficSummary, name = (bucket: string) => bucket): string {
  const answers = `${pace.throttled} throttling answer${pace.throttled === 1 ? '' : 's'} (SlowDown)`;
  const [only] = pace.paced;
  const endedAt = (bucket: BucketPace) =>
    bucket.perSecond === undefined
      ? ''
      : `ended at ${Math.round(bucket.perSecond)} requests a second`;
  if (pace.buckets <= 1 && pace.paced.length === 1) {
    const rate = endedAt(only);
    return `The store sent ${answers}: the run slowed to the pace it accepted, retried each refused abort${rate && `, and ${rate}`}.`;
  }
  const others = pace.buckets - pace.paced.length;
  const theOthers =
    others > 0 ? ` The other ${others} bucket${others === 1 ? '' : 's'} kept their own pace.` : '';
  if (pace.paced.length === 1) {
    const rate = endedAt(only);
    return `The store sent ${answers} for bucket ${name(only.bucket)}: its aborts slowed to the pace it accepted, each refused one was retried${rate && `, and it ${rate}`}.${theOthers}`;
  }
  const named = pace.paced.slice(0, PACED_NAMED).map((bucket) => {
    const rate = bucket.perSecond === undefined ? '' : ` ${Math.round(bucket.perSecond)}/s`;
    return `${name(bucket.bucket)}${rate}`;
  });
  const more = pace.paced.length - named.length;
  return `The store sent ${answers} for ${pace.paced.length} buckets: each slowed to the pace it accepted, and each refused abort was retried; the paces they ended at: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}.${theOthers}`;
}
