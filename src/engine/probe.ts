import {
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { abortSenderFor, type AbortSender } from './abort/senders.js';
import { regionNamedBy, responseHeaders } from './errors.js';
import { listingKindOf, listingPrefix, MAX_PAGE_SIZE, pageRequest } from './list.js';
import { BUCKETS_IN_FLIGHT } from './pool.js';
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
  /** The probe's answer, kept as the first page of the listing of `prefix`; see takeFirstPage. */
  firstPage?: { prefix: string; page: ListMultipartUploadsCommandOutput };
}

export interface ProbeOptions {
  /** Stops the probe's requests. */
  signal?: AbortSignal;
  /** The bucket's region, when ListBuckets named it: the bucket is asked there first. */
  knownRegion?: string;
  /** The prefix of the bucket's first target; the whole bucket by default. */
  firstPrefix?: string;
  /** Where the answer may be kept for that target's listing; not kept without one. */
  room?: PageRoom;
}

/**
 * Room for the uploads of the pages probes keep until their listings take them: all the
 * buckets are probed before any is listed, so the pages of a fleet wait side by side. A page
 * for each probe in flight keeps every first page of a fleet of small buckets, each a
 * request less, and of a fleet of large ones no more pages than its listings hold at once;
 * the probes after those ask for one upload, as a probe that keeps nothing needs no more.
 */
export class PageRoom {
  constructor(private free = BUCKETS_IN_FLIGHT * MAX_PAGE_SIZE) {}

  /** Takes room for a whole page, if there is that much. */
  reserve(): boolean {
    if (this.free < MAX_PAGE_SIZE) return false;
    this.free -= MAX_PAGE_SIZE;
    return true;
  }

  /** Gives back a reserved page's room but for the uploads kept. */
  keep(uploads: number): void {
    this.free += MAX_PAGE_SIZE - uploads;
  }
}

/** The probe's page for the listing of `prefix`, once: the listing asks for it otherwise. */
export function takeFirstPage(
  access: BucketAccess,
  prefix: string,
): ListMultipartUploadsCommandOutput | undefined {
  if (access.firstPage?.prefix !== prefix) return undefined;
  const { page } = access.firstPage;
  access.firstPage = undefined;
  return page;
}

interface Answer {
  clockOffsetMs?: number;
  /** The `Server` header: MinIO names itself there. */
  server?: string;
  page?: ListMultipartUploadsCommandOutput;
  error?: unknown;
}

/**
 * Asks a bucket for the first page of its first target's listing, to learn what the cleanup
 * needs before it lists anything: the bucket's region (a store refusing a request signed for
 * another region names the right one; then the bucket is asked again in that region, once),
 * which store answers, and the store's clock. An error other than a wrong region is left for
 * the listing to report. The page is kept for the listing, when there is room and the store
 * lists as the request assumed (MinIO is asked again for the whole bucket): in a fleet of
 * small buckets that is a request a bucket less.
 */
export async function probeBucket(
  clients: RegionalClients,
  bucket: string,
  { signal, knownRegion, firstPrefix = '', room }: ProbeOptions = {},
): Promise<BucketAccess> {
  const assumed = listingPrefix(firstPrefix, listingKindOf(bucket, undefined));
  const wholePage = room?.reserve() ?? false;
  const request = wholePage ? pageRequest(bucket, assumed) : { Bucket: bucket, MaxUploads: 1 };
  let region = knownRegion ?? clients.defaultRegion;
  let answer = await ask(clients.for(region), request, signal);
  const named = answer.error === undefined ? undefined : regionNamedBy(answer.error);
  if (named !== undefined && named !== region) {
    region = named;
    answer = await ask(clients.for(region), request, signal);
  }
  const client = clients.for(region);
  const listing = listingKindOf(bucket, answer.server);
  const access: BucketAccess = {
    bucket,
    region,
    client,
    sendAbort: await abortSenderFor(client, bucket),
    listing,
    clockOffsetMs: answer.clockOffsetMs,
  };
  const kept =
    wholePage && listingPrefix(firstPrefix, listing) === assumed ? answer.page : undefined;
  if (kept) access.firstPage = { prefix: firstPrefix, page: kept };
  if (wholePage) room?.keep(kept?.Uploads?.length ?? 0);
  return access;
}

/**
 * One small listing, and the headers of its answer, success or error.
 *
 * Uploads' `Initiated` is the store's time, so ages must be measured by the store's clock: a
 * runner whose clock runs an hour fast would otherwise see every upload as an hour older.
 * The Date header has whole seconds and is read when the answer arrives, so the estimate is
 * never ahead of the true offset: the cutoff errs towards keeping an upload, not aborting it.
 */
async function ask(
  client: S3Client,
  request: ListMultipartUploadsCommandInput,
  signal?: AbortSignal,
): Promise<Answer> {
  const command = new ListMultipartUploadsCommand(request);
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
    answer.page = await client.send(command, { abortSignal: signal });
  } catch (error) {
    answer.error = error;
  }
  return answer;
}
