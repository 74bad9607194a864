import { checkLifecycle } from '../engine/lifecycle.js';
import { BUCKETS_IN_FLIGHT, mapAll } from '../engine/pool.js';
import type { BucketAccess } from '../engine/probe.js';
import { redactCheck } from '../runner/redact.js';
import type { BucketLifecycle } from '../report/summary/lifecycle.js';
import type { Session } from './session.js';

/**
 * Reads every bucket's lifecycle rules, when asked (check-lifecycle): one small request per
 * bucket, many at a time, started at once and awaited only at the end, so that they run while
 * the cleanup does.
 */
export function checkLifecycles(
  { config, stop, redact }: Session,
  buckets: BucketAccess[],
): Promise<BucketLifecycle[]> | undefined {
  if (!config.checkLifecycle) return undefined;
  return mapAll(
    buckets,
    async (access) => ({
      bucket: access.bucket,
      check: redactCheck(await checkLifecycle(access, config.prefixes, stop.signal), redact),
    }),
    BUCKETS_IN_FLIGHT,
  );
}
