// The local Ceph RGW as the benchmark uses it: clients, throwaway buckets, seeding stale
// uploads, and the check that a tool left none behind.
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { credentials, endpoint as rgwEndpoint, region } from '../scripts/local-rgw.mjs';

export { credentials, region, rgwEndpoint };

/** Every tool is told to abort uploads older than this; seeding waits longer than that. */
export const MAX_AGE = '1s';
export const MAX_AGE_MS = 1000;
/**
 * How long after seeding a tool may start. The action measures age by the store's clock,
 * read from a Date header with whole seconds and rounded towards keeping uploads, so its
 * cutoff can lie up to a second further back: max-age + 1 s + a margin.
 */
const SETTLE_MS = MAX_AGE_MS + 1500;

/** Concurrency of seeding: not timed, so as fast as RGW takes it. */
const SEED_CONCURRENCY = 32;

/**
 * An S3 client whose kept-alive sockets cover `concurrency` requests in flight plus one
 * listing: connections are made once and reused, as a warm, tuned process would.
 * @param {{ endpoint?: string, concurrency: number }} options
 */
export function createClient({ endpoint = rgwEndpoint, concurrency }) {
  const httpAgent = new Agent({ keepAlive: true, maxSockets: concurrency + 1 });
  return new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    requestHandler: new NodeHttpHandler({ httpAgent }),
  });
}

/**
 * Calls `work` for every item with at most `limit` calls in flight.
 * @template T
 * @param {readonly T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<void>} work
 */
export async function forEachConcurrent(items, limit, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The key of the i-th seeded upload: spread over 97 "directories", and every tenth upload
 * opens a second upload on its predecessor's key, so that pages hold keys with several
 * uploads (the case that needs both markers).
 * @param {number} i
 */
export function keyOf(i) {
  const file = i % 10 === 9 ? i - 1 : i;
  return `bench/${file % 97}/file-${file}`;
}

/**
 * A fresh bucket holding `count` uploads that are older than MAX_AGE when this resolves.
 * @param {S3Client} client a client straight to RGW, not through the latency proxy
 * @param {number} count
 * @returns {Promise<string>} the bucket's name
 */
export async function seedBucket(client, count) {
  const bucket = `bench-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const indexes = Array.from({ length: count }, (_, i) => i);
  await forEachConcurrent(indexes, SEED_CONCURRENCY, async (i) => {
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: keyOf(i) }));
  });
  await sleep(SETTLE_MS);
  return bucket;
}

/**
 * Throws unless the bucket has no upload left. One unpaginated request is proof enough: a
 * bucket with any upload lists at least one on its first page. Independent of the tools'
 * own listing loops on purpose.
 * @param {S3Client} client
 * @param {string} bucket
 * @param {string} tool who cleaned it, for the error
 */
export async function assertNoUploads(client, bucket, tool) {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  const left = page.Uploads?.length ?? 0;
  if (left > 0 || page.IsTruncated) {
    const more = page.IsTruncated ? ' (first page; more follow)' : '';
    throw new Error(`${tool} left ${left} uploads in ${bucket}${more}`);
  }
}

/**
 * Aborts whatever is left and deletes the bucket, so that a failed run leaves nothing on a
 * server that others share.
 * @param {S3Client} client
 * @param {string} bucket
 */
export async function removeBucket(client, bucket) {
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    const uploads = page.Uploads ?? [];
    if (uploads.length === 0) break;
    await forEachConcurrent(uploads, SEED_CONCURRENCY, async ({ Key, UploadId }) => {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    });
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
