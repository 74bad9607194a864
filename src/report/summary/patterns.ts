import type { PatternMatch } from '../../engine/buckets.js';
import { codeSpan, truncate } from '../../runner/text.js';
import { plural } from './markdown.js';

// Bounds for an account with thousands of buckets: the log names every one.
const MAX_PATTERNS = 20;
const MAX_NAMES = 20;
const MAX_NAME_CHARS = 100;
const MAX_ERROR_CHARS = 200;

/** Which buckets each pattern of `bucket` matched, and why the listing failed, if it did. */
export function patternsSection(
  patterns: PatternMatch[],
  listingError: string | undefined,
): string {
  if (patterns.length === 0) return '';
  const failed =
    listingError === undefined
      ? ''
      : `❌ Listing the buckets failed: ${codeSpan(truncate(listingError, MAX_ERROR_CHARS))}. The patterns matched only the buckets listed before it.`;
  const lines = patterns.slice(0, MAX_PATTERNS).map(({ pattern, buckets }) => {
    const name = codeSpan(truncate(pattern, MAX_NAME_CHARS));
    if (buckets.length === 0) return `${name} matched no bucket.`;
    const shown = buckets
      .slice(0, MAX_NAMES)
      .map((bucket) => codeSpan(truncate(bucket, MAX_NAME_CHARS)));
    const more = buckets.length - shown.length;
    const rest = more > 0 ? `, and ${more} more (the log names them all)` : '';
    return `${name} matched ${plural(buckets.length, 'bucket')}: ${shown.join(', ')}${rest}.`;
  });
  const more = patterns.length - lines.length;
  return [
    '### Buckets by pattern',
    failed,
    ...lines,
    more > 0 ? `…and ${plural(more, 'more pattern')}, which the log lists.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
