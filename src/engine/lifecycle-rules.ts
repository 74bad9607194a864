import type {
  LifecycleRule,
  LifecycleRuleAndOperator,
  LifecycleRuleFilter,
  Tag,
  TransitionDefaultMinimumObjectSize,
} from '@aws-sdk/client-s3';

/** A bucket's whole lifecycle configuration, as read or as to be written. */
export interface LifecycleConfiguration {
  rules: LifecycleRule[];
  /** Amazon S3 resets it to all_storage_classes_128K on a PUT that leaves it out. */
  transitionDefaultMinimumObjectSize?: TransitionDefaultMinimumObjectSize;
}

/**
 * Whether a bucket aborts stale uploads by itself, with a lifecycle rule: the safety net for
 * the uploads no workflow run reaches.
 * `covered`: an enabled rule aborts incomplete uploads under every prefix of the run, at the
 * latest `days` after they were initiated; `uncovered`: no rule does under `prefixes`, and
 * the bucket has `rules` rules now, `disabled` among them being ones that would;
 * `unknown`: the configuration could not be read.
 */
export type LifecycleCheck =
  | { state: 'covered'; days: number }
  | { state: 'uncovered'; prefixes: string[]; rules: number; disabled?: DisabledRule[] }
  | { state: 'unknown'; reason: string };

/** A disabled rule that would abort incomplete uploads under a prefix of the run. */
export interface DisabledRule {
  prefix: string;
  id: string | undefined;
}

/** How the bucket's rules cover the run's prefixes. */
export function coverage(rules: LifecycleRule[], prefixes: string[]): LifecycleCheck {
  const waits = prefixes.map((prefix) => abortDays(rules, prefix));
  const uncovered = prefixes.filter((_, i) => waits[i] === undefined);
  if (uncovered.length === 0) return { state: 'covered', days: Math.max(...(waits as number[])) };
  const disabled = uncovered.flatMap((prefix) => {
    const rule = rules.find((r) => r.Status !== 'Enabled' && abortsUnder(r, prefix));
    return rule ? [{ prefix, id: rule.ID }] : [];
  });
  return {
    state: 'uncovered',
    prefixes: uncovered,
    rules: rules.length,
    ...(disabled.length > 0 ? { disabled } : {}),
  };
}

/** The fewest days after which an enabled rule aborts an incomplete upload under `prefix`. */
function abortDays(rules: LifecycleRule[], prefix: string): number | undefined {
  const days = rules
    .filter((rule) => rule.Status === 'Enabled' && abortsUnder(rule, prefix))
    .map((rule) => rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation!);
  return days.length > 0 ? Math.min(...days) : undefined;
}

/**
 * Whether a rule, if enabled, aborts every incomplete upload under `prefix`: it has a number
 * of days to wait, its filter's prefix (or the legacy top-level one; none means the whole
 * bucket) starts `prefix`, and it filters on nothing else.
 */
function abortsUnder(rule: LifecycleRule, prefix: string): boolean {
  if (typeof rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== 'number') return false;
  const { Filter: filter, Prefix: legacyPrefix } = rule;
  const and = filter?.And;
  const narrower =
    filter?.Tag !== undefined ||
    (and?.Tags?.length ?? 0) > 0 ||
    [filter, and].some(
      (part) => part?.ObjectSizeGreaterThan !== undefined || part?.ObjectSizeLessThan !== undefined,
    );
  const rulePrefix = filter?.Prefix ?? and?.Prefix ?? legacyPrefix ?? '';
  return !narrower && prefix.startsWith(rulePrefix);
}

/**
 * What a rule does, whatever form it is written in: two rules that mean the same give the
 * same text. Its ID is not part of it.
 */
export function meaningOf(rule: LifecycleRule): string {
  const conditions = conditionsOf(rule.Filter ?? {});
  return JSON.stringify({
    status: rule.Status,
    prefix: rule.Prefix ?? conditions.prefix ?? '',
    contradiction: conditions.contradiction,
    tags: conditions.tags.map(({ Key, Value }) => JSON.stringify([Key, Value])).sort(),
    greaterThan: conditions.greaterThan,
    lessThan: conditions.lessThan,
    expiration: rule.Expiration && {
      // The SDK reads dates as Date objects, which JSON writes as ISO 8601 in UTC.
      date: rule.Expiration.Date,
      days: rule.Expiration.Days,
      // Absent means false.
      deleteMarker: rule.Expiration.ExpiredObjectDeleteMarker || undefined,
    },
    transitions: (rule.Transitions ?? [])
      .map((t) => JSON.stringify([t.Date, t.Days, t.StorageClass]))
      .sort(),
    noncurrentTransitions: (rule.NoncurrentVersionTransitions ?? [])
      .map((t) => JSON.stringify([t.NoncurrentDays, t.NewerNoncurrentVersions, t.StorageClass]))
      .sort(),
    noncurrentExpiration: rule.NoncurrentVersionExpiration && {
      days: rule.NoncurrentVersionExpiration.NoncurrentDays,
      newer: rule.NoncurrentVersionExpiration.NewerNoncurrentVersions,
    },
    abortDays: rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  });
}

/** A filter's conditions, wherever a store put them (S3's schema, or RGW's own answers). */
interface FilterConditions {
  prefix?: string;
  tags: Tag[];
  greaterThan?: number;
  lessThan?: number;
  /** The condition given twice with two values: its meaning is unknown. */
  contradiction?: string;
}

function conditionsOf({ And: and, ...top }: LifecycleRuleFilter): FilterConditions {
  const once = <T>(name: string, a: T | undefined, b: T | undefined) => {
    if (a !== undefined && b !== undefined && a !== b) contradiction ??= name;
    return a ?? b;
  };
  let contradiction: string | undefined;
  const conditions: FilterConditions = {
    prefix: once('Prefix', top.Prefix, and?.Prefix),
    tags: [...(top.Tag ? [top.Tag] : []), ...(and?.Tags ?? [])],
    greaterThan: once(
      'ObjectSizeGreaterThan',
      top.ObjectSizeGreaterThan,
      and?.ObjectSizeGreaterThan,
    ),
    lessThan: once('ObjectSizeLessThan', top.ObjectSizeLessThan, and?.ObjectSizeLessThan),
  };
  return contradiction === undefined ? conditions : { ...conditions, contradiction };
}

/** The names of a filter's parts that are set. */
function partsOf(filter: object): string[] {
  return Object.entries(filter)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
}

/**
 * The rule in S3's own schema, with the same meaning, or why that cannot be done safely. A
 * filter has exactly one of Prefix, Tag, a size bound or And; a rule already in that form
 * is returned as it is. Ceph RGW answers some filters outside it (`{ Prefix, And: { Tags } }`
 * for a prefix and two tags), and given back so, it keeps the tags and drops the prefix.
 */
export function canonicalRule(rule: LifecycleRule): LifecycleRule | { refused: string } {
  const name = describeRule(rule);
  if (rule.Filter !== undefined && rule.Prefix !== undefined) {
    return {
      refused: `${name} has both a Filter and the legacy Prefix, so its meaning is unclear`,
    };
  }
  if (rule.Filter === undefined) return rule;
  const { prefix, tags, greaterThan, lessThan, contradiction } = conditionsOf(rule.Filter);
  // The SDK reads two Tag elements directly in a Filter (outside And) as one empty Tag.
  if (tags.some((tag) => tag.Key === undefined)) {
    return { refused: `${name} has a tag in its filter that could not be read whole` };
  }
  if (partsOf(rule.Filter).length <= 1) return rule;
  if (contradiction !== undefined) {
    return { refused: `${name} gives its filter's ${contradiction} twice, with two values` };
  }
  const and: LifecycleRuleAndOperator = {};
  if (prefix !== undefined) and.Prefix = prefix;
  if (tags.length > 0) and.Tags = tags;
  if (greaterThan !== undefined) and.ObjectSizeGreaterThan = greaterThan;
  if (lessThan !== undefined) and.ObjectSizeLessThan = lessThan;
  return { ...rule, Filter: { And: and } };
}

/**
 * A rule aborting incomplete uploads under `prefix` (the whole bucket for '') `days` after
 * they start; in the legacy form (Prefix outside any Filter) for a configuration written so.
 */
export function abortRule(prefix: string, days: number, id: string, legacy = false): LifecycleRule {
  return {
    ID: id,
    Status: 'Enabled',
    ...(legacy ? { Prefix: prefix } : { Filter: { Prefix: prefix } }),
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  };
}

/** The prefix an abort rule of `abortRule` applies to. */
export function abortRulePrefix(rule: LifecycleRule): string {
  return rule.Filter?.Prefix ?? rule.Prefix ?? '';
}

/** The days the first of some abort rules of `abortRule` waits (they all wait as long). */
export function abortRuleDays(rules: LifecycleRule[]): number {
  return rules[0]?.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? 0;
}

export function describeRule(rule: LifecycleRule): string {
  return rule.ID === undefined ? 'a rule without an ID' : `rule ${JSON.stringify(rule.ID)}`;
}
