import { paginateListBuckets, type S3Client } from '@aws-sdk/client-s3';
import picomatch from 'picomatch';
import { describeS3Error } from './errors.js';
import { isRegionName } from './regions.js';

// Buckets by glob pattern (`ci-*`, `it-*-fixtures`), found with ListBuckets. No bucket name
// can hold `*`, `?` or `[` (S3-NOTES.md, "ListBuckets"), so an entry with one is a pattern.

const WILDCARD = /[*?[]/;

export function isBucketPattern(entry: string): boolean {
  return WILDCARD.test(entry);
}

/** The part of a pattern before its first wildcard: every bucket it matches starts with it. */
export function literalHead(pattern: string): string {
  const wildcard = pattern.search(WILDCARD);
  return wildcard === -1 ? pattern : pattern.slice(0, wildcard);
}

/** The longest start that all the texts share. */
export function commonStart(texts: string[]): string {
  const [first = '', ...rest] = texts;
  let length = first.length;
  for (const text of rest) {
    while (!text.startsWith(first.slice(0, length))) length -= 1;
  }
  return first.slice(0, length);
}

/**
 * Whether a name matches the pattern as a whole: `ci-*` matches `ci-a`, not `xci-a`, and
 * `ci-?` not `ci-ab`. Only `*`, `?` and `[…]` (`[^…]` negated) are special: no braces or
 * extglobs, and a leading `!` never turns a pattern into "every other bucket".
 */
export function bucketMatcher(pattern: string): (name: string) => boolean {
  return picomatch(pattern, { dot: true, nobrace: true, noextglob: true, nonegate: true });
}

/** A bucket as ListBuckets names it, with its region where the store gives one (Amazon S3). */
export interface ListedBucket {
  name: string;
  region: string | undefined;
}

/** S3's most buckets a page: the fewest round trips for an account of thousands. */
export const BUCKETS_PER_PAGE = 10_000;

/**
 * The account's buckets, a page at a time, asking for those whose name starts with `prefix`.
 * Amazon S3 pages ListBuckets and must be asked to (unpaged, it refuses an account allowed
 * more than 10,000 buckets), and filters by `prefix`; older stores ignore both and answer every
 * bucket at once (measured: Ceph RGW 16.2, Swift 2.30), so the caller filters again.
 */
export async function* listBuckets(
  client: S3Client,
  prefix: string,
  pageSize = BUCKETS_PER_PAGE,
): AsyncGenerator<ListedBucket[]> {
  const pages = paginateListBuckets(
    // A store that ignores the token sends the same one back: stop rather than loop.
    { client, pageSize, stopOnSameToken: true },
    { Prefix: prefix || undefined },
  );
  for await (const page of pages) {
    yield (page.Buckets ?? []).flatMap(({ Name: name, BucketRegion: region }) =>
      name === undefined ? [] : [{ name, region }],
    );
  }
}

/** The buckets one pattern matched, by name, sorted. */
export interface PatternMatch {
  pattern: string;
  buckets: string[];
}

export interface BucketSearch {
  /** Every pattern, in the order given, with what it matched. */
  matches: PatternMatch[];
  /** The region the store named for each matched bucket, where it named one. */
  regions: Map<string, string>;
  /** Why the listing stopped early, if it did: the matches hold what came before. */
  error?: string;
}

/**
 * Lists the buckets once for all the patterns, under the start their literal heads share,
 * and keeps the buckets some pattern matches as a whole: whatever the store took of the prefix.
 */
export async function findBuckets(
  client: S3Client,
  patterns: string[],
  pageSize?: number,
): Promise<BucketSearch> {
  const searches = patterns.map((pattern) => ({
    pattern,
    isMatch: bucketMatcher(pattern),
    buckets: new Set<string>(),
  }));
  const regions = new Map<string, string>();
  let error: string | undefined;
  try {
    const prefix = commonStart(patterns.map(literalHead));
    for await (const page of listBuckets(client, prefix, pageSize)) {
      for (const { name, region } of page) {
        const matching = searches.filter((search) => search.isMatch(name));
        for (const search of matching) search.buckets.add(name);
        // The region goes into a host name (s3.<region>.amazonaws.com): only a well-formed one.
        if (matching.length > 0 && region && isRegionName(region)) regions.set(name, region);
      }
    }
  } catch (failure) {
    error = describeS3Error(failure, 'list-buckets');
  }
  const matches = searches.map(({ pattern, buckets }) => ({
    pattern,
    buckets: [...buckets].sort(),
  }));
  return { matches, regions, ...(error !== undefined && { error }) };
}

/**
 * The run's buckets: each entry of the input in its place, a name as it is and a pattern as
 * the buckets it matched, every bucket once (named and matched, or matched twice).
 */
export function selectBuckets(entries: string[], matches: PatternMatch[]): string[] {
  const matched = new Map(matches.map(({ pattern, buckets }) => [pattern, buckets]));
  const names = entries.flatMap((entry) =>
    isBucketPattern(entry) ? (matched.get(entry) ?? []) : [entry],
  );
  return [...new Set(names)];
}
