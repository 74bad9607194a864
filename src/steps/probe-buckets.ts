import { formatAge } from '../config/duration.js';
import { BUCKETS_IN_FLIGHT, mapAll } from '../engine/pool.js';
import { PageRoom, probeBucket, type BucketAccess } from '../engine/probe.js';
import { bucketLines } from '../report/log-lines.js';
import type { Runner } from '../runner/runner.js';
import { MINIO_CAVEAT } from '../report/summary/render.js';
import type { ResolvedBuckets } from './resolve-buckets.js';
import type { Session } from './session.js';

export interface ProbedBuckets {
  buckets: BucketAccess[];
  /** How far the store's clock is ahead of the runner's; 0 when no bucket told. */
  clockOffsetMs: number;
}

/**
 * Asks every bucket, many at a time, for its region, its store and the store's clock, and
 * says in the log what differs from what the inputs imply.
 */
export async function probeBuckets(
  { config, clients, stop }: Pick<Session, 'config' | 'clients' | 'stop'>,
  { names, regions }: Pick<ResolvedBuckets, 'names' | 'regions'>,
  runner: Runner,
): Promise<ProbedBuckets> {
  if (names.length === 0) return { buckets: [], clockOffsetMs: 0 };
  // Each probe asks for its bucket's first target's first page, kept for its listing.
  const room = new PageRoom();
  const probe = (bucket: string) =>
    probeBucket(clients, bucket, {
      signal: stop.signal,
      knownRegion: regions.get(bucket),
      firstPrefix: config.prefixes[0],
      room,
    });
  const buckets = await mapAll(names, probe, BUCKETS_IN_FLIGHT);
  const clockOffsetMs = storeClockOffset(buckets, runner);
  logBuckets(buckets, config.region, regions, runner);
  return { buckets, clockOffsetMs };
}

/** Below this, a difference between the clocks is only the Date header's whole seconds. */
const CLOCK_SKEW_NOTICE_MS = 5_000;

/** The store's clock offset, from the first bucket whose answer gave it. */
function storeClockOffset(buckets: BucketAccess[], runner: Runner): number {
  const offsetMs = buckets.find((access) => access.clockOffsetMs !== undefined)?.clockOffsetMs;
  if (offsetMs === undefined) {
    runner.info(`Could not read the store's clock; ages are measured by this runner's clock.`);
    return 0;
  }
  if (Math.abs(offsetMs) >= CLOCK_SKEW_NOTICE_MS) {
    runner.info(
      `The store's clock is ${formatAge(Math.abs(offsetMs))} ${offsetMs > 0 ? 'ahead of' : 'behind'} this runner's; ages are measured by the store's clock.`,
    );
  }
  return offsetMs;
}

function logBuckets(
  buckets: BucketAccess[],
  defaultRegion: string,
  listedRegions: Map<string, string>,
  runner: Runner,
): void {
  for (const access of buckets) {
    const listed = listedRegions.get(access.bucket) === access.region;
    for (const line of bucketLines(access, defaultRegion, listed)) runner.info(line);
  }
  const onMinio = buckets.filter((access) => access.listing === 'minio');
  if (onMinio.length > 0) {
    const names = onMinio.map((access) => `s3://${access.bucket}`).join(', ');
    runner.notice(`${names}: ${MINIO_CAVEAT}`);
  }
}
