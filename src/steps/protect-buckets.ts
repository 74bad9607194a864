import type { BucketAccess } from '../engine/probe.js';
import { BUCKETS_IN_FLIGHT, mapAll } from '../engine/pool.js';
import { addAbortRules, type Protection } from '../engine/protect.js';
import { protectionLines } from '../report/log-lines.js';
import type { Runner } from '../runner/runner.js';
import type { BucketLifecycle } from '../report/summary/lifecycle.js';
import type { Session } from './session.js';

/**
 * Adds the missing abort rule to every bucket of the run that lacks one, when asked
 * (add-abort-rule), once the cleanup is done: the bucket then sweeps by itself on the days no
 * workflow runs. A bucket whose rules could not be read gets no write, and says why.
 */
export async function protectBuckets(
  session: Session,
  buckets: BucketAccess[],
  lifecycle: BucketLifecycle[],
  runner: Runner,
): Promise<BucketLifecycle[]> {
  const { config, stop, redact } = session;
  const days = config.addAbortRule;
  if (days === undefined) return lifecycle;
  const byName = new Map(buckets.map((access) => [access.bucket, access]));
  const protect = async (entry: BucketLifecycle): Promise<Protection | undefined> => {
    const { check } = entry;
    if (check.state === 'covered') return undefined;
    if (check.state === 'unknown') {
      return { state: 'failed', reason: `could not read its rules: ${check.reason}`, disabled: [] };
    }
    const access = byName.get(entry.bucket)!;
    const options = { days, dryRun: config.dryRun, signal: stop.signal };
    return addAbortRules(access, config.prefixes, options);
  };
  const protectedBuckets = await mapAll(
    lifecycle,
    async (entry) => {
      const protection = await protect(entry);
      if (protection?.state !== 'failed') return { ...entry, protection };
      return { ...entry, protection: { ...protection, reason: redact(protection.reason) } };
    },
    BUCKETS_IN_FLIGHT,
  );
  // In the order of the buckets, whichever finished first.
  for (const { bucket, protection } of protectedBuckets) {
    if (protection === undefined) continue;
    for (const line of protectionLines(bucket, protection)) {
      if (protection.state === 'failed') runner.error(line);
      else runner.info(line);
    }
  }
  return protectedBuckets;
}
