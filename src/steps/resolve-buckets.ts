import {
  findBuckets,
  isBucketPattern,
  selectBuckets,
  type PatternMatch,
} from '../engine/buckets.js';
import { patternLine } from '../report/log-lines.js';
import type { Runner } from '../runner/runner.js';
import type { Session } from './session.js';

/** The buckets of the run, once the patterns of `bucket` are resolved. */
export interface ResolvedBuckets {
  /** Every bucket named or matched, once, in the order of the input. */
  names: string[];
  /** Where Amazon S3 said a matched bucket is: its probe is signed for that region at once. */
  regions: Map<string, string>;
  /** What each pattern matched; empty when `bucket` has no pattern. */
  patterns: PatternMatch[];
}

/**
 * Finds the buckets the patterns of `bucket` match, with one listing of the buckets; without
 * a pattern, asks nothing. A failed listing counts as one, as a failed listing of uploads
 * does, and the buckets named and those found before it are still cleaned.
 */
export async function resolveBuckets(
  { config, clients, report, redact }: Pick<Session, 'config' | 'clients' | 'report' | 'redact'>,
  runner: Runner,
): Promise<ResolvedBuckets> {
  const patterns = config.buckets.filter(isBucketPattern);
  if (patterns.length === 0) return { names: config.buckets, regions: new Map(), patterns: [] };
  const search = await findBuckets(clients.for(clients.defaultRegion), patterns);
  if (search.error !== undefined) {
    const error = redact(search.error);
    report.recordBucketListingFailure(error);
    runner.error(`Listing the buckets failed: ${error}`);
  }
  for (const match of search.matches) runner.info(patternLine(match, search.error !== undefined));
  return {
    names: selectBuckets(config.buckets, search.matches),
    // Only Amazon S3 names regions that its own endpoints answer for (S3-NOTES.md, "Regions").
    regions: config.endpoint === undefined ? search.regions : new Map(),
    patterns: search.matches,
  };
}
