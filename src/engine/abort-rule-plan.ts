import type { LifecycleRule } from '@aws-sdk/client-s3';
import {
  abortRule,
  canonicalRule,
  coverage,
  type DisabledRule,
  type LifecycleConfiguration,
} from './lifecycle-rules.js';

/** Amazon S3's limit on the rules of one configuration. */
export const MAX_RULES = 1_000;
/** The longest ID a rule may have: 255 characters for Amazon S3, 255 bytes for Ceph RGW. */
const MAX_ID_BYTES = 255;

/** What adding the missing abort rules to a bucket's configuration comes to. */
export interface AbortRulePlan {
  /**
   * The whole configuration to write: every rule as it was, in S3's own schema and in its
   * order, then the new ones. Absent when nothing is to be written.
   */
  configuration?: LifecycleConfiguration;
  /** The configuration as it was, in S3's own schema: what to write back if need be. */
  before?: LifecycleConfiguration;
  /** The rules it adds, one per prefix that needs one. */
  added: LifecycleRule[];
  /** Prefixes that a disabled rule would cover: left as the bucket's owner set them. */
  disabled: DisabledRule[];
  /** Why nothing can be written safely. */
  refused?: string;
}

/**
 * Merges a rule aborting incomplete uploads `days` after they start into `current`, for each
 * prefix that no enabled rule covers and no disabled one would. It never changes, enables or
 * drops a rule, and keeps the configuration's form: a configuration written in the legacy
 * form (a rule's Prefix outside any Filter) gets its new rules in that form, since Amazon S3
 * refuses a configuration that mixes the two.
 */
export function planAbortRules(
  current: LifecycleConfiguration,
  prefixes: string[],
  days: number,
): AbortRulePlan {
  const check = coverage(current.rules, prefixes);
  if (check.state !== 'uncovered') return { added: [], disabled: [] };
  const disabled = check.disabled ?? [];
  const needed = check.prefixes.filter((prefix) => !disabled.some((d) => d.prefix === prefix));
  if (needed.length === 0) return { added: [], disabled };
  const rules: LifecycleRule[] = [];
  for (const rule of current.rules) {
    const canonical = canonicalRule(rule);
    if ('refused' in canonical) return { added: [], disabled, refused: canonical.refused };
    rules.push(canonical);
  }
  if (rules.length + needed.length > MAX_RULES) {
    const refused = `the bucket has ${rules.length} lifecycle rules, and ${needed.length} more would pass S3's limit of ${MAX_RULES.toLocaleString('en-US')}`;
    return { added: [], disabled, refused };
  }
  const legacy = rules.length > 0 && rules.every(isLegacy);
  const ids = new Set(rules.map((rule) => rule.ID));
  const added = needed.map((prefix) => {
    const id = uniqueId(abortRuleId(prefix), ids);
    ids.add(id);
    return abortRule(prefix, days, id, legacy);
  });
  return {
    configuration: { ...current, rules: [...rules, ...added] },
    before: { ...current, rules },
    added,
    disabled,
  };
}

/** A rule in the legacy form: its Prefix outside any Filter. */
export function isLegacy(rule: LifecycleRule): boolean {
  return rule.Filter === undefined && rule.Prefix !== undefined;
}

/** What the rule is and who added it, within the longest ID a store takes. */
export function abortRuleId(prefix: string): string {
  const where = prefix === '' ? 'the whole bucket' : prefix;
  return clip(`s3-multipart-cleanup: abort incomplete uploads under ${where}`, MAX_ID_BYTES);
}

/** `id`, or `id (2)`, `id (3)`, …: the first that no rule has. */
function uniqueId(id: string, taken: Set<string | undefined>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n += 1) {
    const suffix = ` (${n})`;
    candidate = clip(id, MAX_ID_BYTES - suffix.length) + suffix;
  }
  return candidate;
}

/** The longest start of `text` within `maxBytes` of UTF-8, cut between characters. */
function clip(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}
