import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { abortSenderFor, type AbortSender } from './abort/senders.js';
import { regionNamedBy, responseHeaders } from './errors.js';
import { listingKindOf } from './list.js';
import type { RegionalClients } from './regions.js';
import type { ListingKind } from './types.js';

/** What the run learns of a bucket from one small listing, before anything is cleaned. */
export interface BucketAccess {
  bucket: string;
  /** The region its requests are signed for: the default, or the one the store named. */
  region: string;
  client: S3Client;
  /** How its aborts are sent: resolved once, with the bucket's endpoint and auth scheme. */
  sendAbort: AbortSender;
  listing: ListingKind;
  /** How far the store's clock is ahead of this machine's (negative: behind), when known. */
  clockOffsetMs: number | undefined;
}

interface Answer {
  clockOffsetMs?: number;
  /** The `Server` header: MinIO names itself there. */
  server?: string;
  error?: unknown;
}

/**
 * Asks a bucket for one upload, to learn what the cleanup needs before it lists anything:
 * the bucket's region (a store refusing a request signed for another region names the right
 * one; then the bucket is asked again in that region, once), which store answers, and the
 * store's clock. An error other than a wrong region is left for the listing to report.
 * A bucket whose region is already known (ListBuckets named it) is asked there first.
 */
export async function probeBucket(
  clients: RegionalClients,
  bucket: string,
  signal?: AbortSignal,
  knownRegion?: string,
): Promise<BucketAccess> {
  let region = knownRegion ?? clients.defaultRegion;
  let answer = await ask(clients.for(region), bucket, signal);
  const named = answer.error === undefined ? undefined : regionNamedBy(answer.error);
  if (named !== undefined && named !== region) {
    region = named;
    answer = await ask(clients.for(region), bucket, signal);
  }
  const client = clients.for(region);
  return {
    bucket,
    region,
    client,
    sendAbort: await abortSenderFor(client, bucket),
    listing: listingKindOf(bucket, answer.server),
    clockOffsetMs: answer.clockOffsetMs,
  };
}

/**
 * One small listing, and the headers of its answer, success or error.
 *
 * Uploads' `Initiated` is the store's time, so ages must be measured by the store's clock: a
 * runner whose clock runs an hour fast would otherwise see every upload as an hour older.
 * The Date header has whole seconds and is read when the answer arrives, so the estimate is
 * never ahead of the true offset: the cutoff errs towards keeping an upload, not aborting it.
 */
async function ask(client: S3Client, bucket: string, signal?: AbortSignal): Promise<Answer> {
  const command = new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 1 });
  const answer: Answer = {};
  const read = (headers: Record<string, string> | undefined): void => {
    const storeTime = Date.parse(headers?.date ?? '');
    if (!Number.isNaN(storeTime)) answer.clockOffsetMs = storeTime - Date.now();
    answer.server = headers?.server || undefined;
  };
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        read((result.response as { headers?: Record<string, string> }).headers);
        return result;
      } catch (error) {
        read(responseHeaders(error));
        throw error;
      }
    },
    { step: 'deserialize', name: 'bucketProbe' },
  );
  try {
    // Sent with options, so that the SDK does not cache this one command's middleware for
    // every later listing (cacheMiddleware caches only requests sent without options).
    await client.send(command, { abortSignal: signal });
  } catch (error) {
    answer.error = error;
  }
  return answer;
}
