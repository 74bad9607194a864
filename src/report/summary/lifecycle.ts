import type { LifecycleRule } from '@aws-sdk/client-s3';
import { abortRules, type LifecycleCheck } from '../../engine/lifecycle.js';
import { abortRuleDays, abortRulePrefix, type DisabledRule } from '../../engine/lifecycle-rules.js';
import type { Protection } from '../../engine/protect.js';
import { codeSpan, truncate } from '../../runner/text.js';
import { codeBlock, details, plural } from './markdown.js';

export interface BucketLifecycle {
  bucket: string;
  check: LifecycleCheck;
  /** What the run did about a missing rule, when asked to add one (add-abort-rule). */
  protection?: Protection;
}

type Uncovered = Extract<LifecycleCheck, { state: 'uncovered' }>;

// Bounds that keep the section small whatever the inputs: the rules to add are shown for at
// most this many buckets, each with at most this much JSON.
const MAX_BUCKETS = 20;
const MAX_JSON_CHARS = 4_000;
const MAX_REASON_CHARS = 300;
const MAX_PREFIXES_NAMED = 5;
const MAX_PREFIX_CHARS = 100;

/** Whether the run leaves the bucket aborting stale uploads under every prefix by itself. */
export function isProtected(protection: Protection | undefined): boolean {
  const done = protection?.state === 'added' || protection?.state === 'nothing-to-add';
  return done && protection.disabled.length === 0;
}

/** The buckets to which the run could not add the rule it was asked to, as a phrase. */
export function protectionTrouble(buckets: BucketLifecycle[] = []): string | undefined {
  const failed = buckets.filter(({ protection }) => protection?.state === 'failed').length;
  if (failed === 0) return undefined;
  return `the abort rule could not be added to ${plural(failed, 'bucket')}`;
}

/**
 * Whether each bucket aborts stale uploads by itself (a lifecycle rule), what the run added
 * where asked to, and the rule to add where it did not. `days` is what a suggested rule waits.
 */
export function safetyNetSection(buckets: BucketLifecycle[], days: number): string {
  if (buckets.length === 0) return '';
  const lines = buckets.slice(0, MAX_BUCKETS).map(({ bucket, check, protection }) => {
    const name = codeSpan(bucket);
    switch (check.state) {
      case 'covered':
        return `✅ ${name}: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most ${plural(check.days, 'day')} after they start.`;
      case 'unknown':
        return protection?.state === 'failed'
          ? `❌ ${name}: could not add the abort rule: ${reason(protection.reason)}.`
          : `❔ ${name}: unknown; ${reason(check.reason)}.`;
      case 'uncovered':
        return [uncovered(bucket, check, days, protection), disabledNote(check.disabled)]
          .filter(Boolean)
          .join('\n\n');
    }
  });
  return ['### Do the buckets clean up by themselves?', ...lines].join('\n\n');
}

function uncovered(
  bucket: string,
  check: Uncovered,
  days: number,
  protection: Protection | undefined,
): string {
  const name = codeSpan(bucket);
  const where = prefixList(check.prefixes);
  switch (protection?.state) {
    case 'added': {
      const wait = plural(abortRuleDays(protection.rules), 'day');
      // Where it added one: a prefix may have been covered by then.
      const added = prefixList(protection.rules.map(abortRulePrefix));
      const many = protection.rules.length > 1;
      const rules = many
        ? `${protection.rules.length} lifecycle rules that abort`
        : 'a lifecycle rule that aborts';
      const late = protection.confirmed
        ? ''
        : ` The store accepted ${many ? 'them' : 'it'}, but did not show ${many ? 'them' : 'it'} yet when read back: ${many ? 'they' : 'it'} may take a while to apply.`;
      return [
        `🧹 ${name}: this run added ${rules} incomplete uploads under ${added} ${wait} after they start. From now on the bucket sweeps them by itself, the uploads open now included, even when no workflow runs (a new rule takes a few minutes to apply on Amazon S3, and the store then aborts due uploads on its own schedule).${late}`,
        rulesBlock(protection.rules, 'added'),
      ].join('\n\n');
    }
    case 'would-add':
      return [
        `🔍 ${name}: no lifecycle rule aborts incomplete uploads under ${where}. Dry run: this run would add the ${protection.rules.length > 1 ? 'rules' : 'rule'} below, beside the bucket's ${plural(check.rules, 'rule')}, which would stay as they are.`,
        rulesBlock(protection.rules, 'it would add'),
      ].join('\n\n');
    case 'nothing-to-add':
      return protection.disabled.length > 0
        ? `⚠️ ${name}: no enabled lifecycle rule aborts incomplete uploads under ${where}; no rule was added.`
        : `✅ ${name}: by the time this run came to add a rule, one covered every prefix of the run; nothing was added.`;
    case 'failed':
      return [
        `❌ ${name}: no lifecycle rule aborts incomplete uploads under ${where}, and this run could not add one: ${reason(protection.reason)}.`,
        addByHand(bucket, check, days),
      ].join('\n\n');
    case undefined:
      return [
        `⚠️ ${name}: no lifecycle rule aborts incomplete uploads under ${where}. With one, the bucket aborts them itself ${plural(days, 'day')} after they start, even when no workflow runs.`,
        addByHand(bucket, check, days),
      ].join('\n\n');
  }
}

/** The suggested rule, with the commands to add it, for a bucket the action did not write to. */
function addByHand(bucket: string, check: Uncovered, days: number): string {
  const { json, left } = boundedJson(check.prefixes, (shown) => abortRules(shown, days));
  const name = shellWord(bucket);
  const commands = [
    ...(check.rules === 0 ? [] : [`aws s3api get-bucket-lifecycle-configuration --bucket ${name}`]),
    `aws s3api put-bucket-lifecycle-configuration --bucket ${name} --lifecycle-configuration file://abort-rule.json`,
  ].join('\n');
  const merge =
    check.rules === 0
      ? 'The call replaces the whole lifecycle configuration; this bucket has none now.'
      : `The call replaces the whole lifecycle configuration, and this bucket has ${plural(check.rules, 'rule')} now: read them first and put them in abort-rule.json too, or they are lost.`;
  return details(
    'The rule to add, as abort-rule.json',
    [
      codeBlock(json, 'json'),
      left > 0
        ? `${plural(left, 'more prefix', 'more prefixes')} need a rule too: one each, as above.`
        : '',
      codeBlock(commands, 'sh'),
      `⚠️ ${merge}`,
      `Or let this action add it, merged into the bucket's rules, which stay as they are: \`add-abort-rule: ${days}\`.`,
    ]
      .filter(Boolean)
      .join('\n\n'),
  );
}

function disabledNote(disabled: DisabledRule[] | undefined): string {
  if (disabled === undefined || disabled.length === 0) return '';
  const named = disabled
    .slice(0, MAX_PREFIXES_NAMED)
    .map(
      ({ prefix, id }) =>
        `${prefixName(prefix)} (${id === undefined ? 'a rule without an ID' : codeSpan(truncate(id, MAX_PREFIX_CHARS))})`,
    );
  return `⏸️ A disabled rule would abort them under ${named.join(', ')}. The action never enables, changes or removes a rule, and adds none beside a disabled one: enable it, or remove it, and run again.`;
}

/** The rules as JSON, within the section's bounds. */
function rulesBlock(rules: LifecycleRule[], done: 'added' | 'it would add'): string {
  const { json, left } = boundedJson(rules, (shown) => shown);
  const tail = left > 0 ? `\n\nand ${plural(left, 'more rule')} like these.` : '';
  const title = `The ${rules.length > 1 ? 'rules' : 'rule'} ${done}`;
  return details(title, codeBlock(json, 'json') + tail);
}

function prefixList(prefixes: string[]): string {
  const named = prefixes.slice(0, MAX_PREFIXES_NAMED).map(prefixName);
  const more = prefixes.length - named.length;
  return (
    named.join(', ') + (more > 0 ? ` and ${plural(more, 'more prefix', 'more prefixes')}` : '')
  );
}

function prefixName(prefix: string): string {
  return prefix === '' ? 'the whole bucket' : codeSpan(truncate(prefix, MAX_PREFIX_CHARS));
}

function reason(text: string): string {
  return codeSpan(truncate(text, MAX_REASON_CHARS));
}

/** As many of `items` as fit in the section's bounds, as JSON, and how many were left out. */
function boundedJson<T>(
  items: T[],
  toJson: (shown: T[]) => unknown,
): { json: string; left: number } {
  let shown = items.length;
  let json = JSON.stringify(toJson(items), null, 2);
  while (json.length > MAX_JSON_CHARS && shown > 1) {
    shown -= 1;
    json = JSON.stringify(toJson(items.slice(0, shown)), null, 2);
  }
  return { json, left: items.length - shown };
}

/** A word for a POSIX shell, quoted unless plain. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
