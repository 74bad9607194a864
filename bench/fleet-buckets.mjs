// The fleet profile's account: many buckets in one stand-in store (bench/stand-in-store.mjs),
// each with its own uploads under its own prefixes, and a bucket that may throttle on its own,
// as self-hosted stores limit a bucket or a user and Amazon S3 a bucket's partitioned prefix.
// Aborts change nothing here either: every run of a profile meets the same uploads.
import { byKeyThenId, listingPage } from './listing.mjs';
import { slidingSecond } from './throttles.mjs';
import { keyOf } from './store.mjs';

/**
 * @typedef {object} FleetBucket
 * @property {string} name
 * @property {Record<string, number>} uploads how many stale uploads under each prefix
 * @property {number} [perSecond] aborts answered `503 SlowDown` when this many were accepted
 *   within the last second (a sliding second); none if not given
 *
 * @typedef {{ delayMs?: number, buckets: FleetBucket[] }} FleetSpec every answer `delayMs`
 *   after its request, as the store's --delay, until the next reset
 *
 * @typedef {{ aborts: number, accepted: number, slowDowns: number }} BucketStats
 */

const NO_SUCH_BUCKET =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>none</Message></Error>';

/** @param {FleetSpec} spec */
export function fleetOf(spec) {
  const buckets = new Map(
    spec.buckets.map((bucket) => [
      bucket.name,
      {
        uploads: uploadsOf(bucket),
        accepts: bucket.perSecond === undefined ? () => true : slidingSecond(bucket.perSecond),
        /** @type {BucketStats} */
        stats: { aborts: 0, accepted: 0, slowDowns: 0 },
      },
    ]),
  );
  return {
    /** Decides an abort in `bucket` as it arrives, and counts it there. */
    abort(/** @type {string} */ name) {
      const bucket = buckets.get(name);
      if (!bucket) return { accepted: false };
      const accepted = bucket.accepts();
      bucket.stats.aborts += 1;
      if (accepted) bucket.stats.accepted += 1;
      else bucket.stats.slowDowns += 1;
      return { accepted };
    },
    /**
     * ListBuckets and a bucket's listings; nothing for the requests the store answers alike
     * in every bucket (the lifecycle read).
     * @param {string} method
     * @param {URL} url
     * @returns {{ status: number, xml: string } | undefined}
     */
    answer(method, url) {
      if (method !== 'GET') return undefined;
      const path = url.pathname.split('/').filter(Boolean);
      if (path.length === 0) return { status: 200, xml: bucketList([...buckets.keys()], url) };
      if (path.length !== 1 || !url.searchParams.has('uploads')) return undefined;
      const bucket = buckets.get(path[0]);
      if (!bucket) return { status: 404, xml: NO_SUCH_BUCKET };
      const prefix = url.searchParams.get('prefix') ?? '';
      const under = prefix
        ? bucket.uploads.filter((u) => u.key.startsWith(prefix))
        : bucket.uploads;
      return { status: 200, xml: listingPage(path[0], under, url.searchParams) };
    },
    stats: () => Object.fromEntries([...buckets].map(([name, bucket]) => [name, bucket.stats])),
  };
}

/** A bucket's uploads, sorted as S3 lists them. */
function uploadsOf(/** @type {FleetBucket} */ bucket) {
  return Object.entries(bucket.uploads)
    .flatMap(([prefix, count]) =>
      Array.from({ length: count }, (_, i) => ({
        key: `${prefix}${keyOf(i)}`,
        uploadId: `${bucket.name}-${prefix.replace(/\W/g, '')}-${i}`,
      })),
    )
    .sort(byKeyThenId);
}

/**
 * ListBuckets, filtered by `prefix` as Amazon S3 filters it, in one page: with no
 * continuation token the SDK's paginator stops there.
 */
function bucketList(/** @type {string[]} */ names, /** @type {URL} */ url) {
  const prefix = url.searchParams.get('prefix') ?? '';
  const listed = names
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map(
      (name) =>
        `<Bucket><Name>${name}</Name><CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult>' +
    '<Owner><ID>bench</ID><DisplayName>bench</DisplayName></Owner>' +
    `<Buckets>${listed}</Buckets></ListAllMyBucketsResult>`
  );
}
