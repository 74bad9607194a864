import { abortRules, type LifecycleCheck } from '../engine/lifecycle.js';
import { codeSpan, truncate } from '../text.js';
import { codeBlock, details, plural } from './markdown.js';

export interface BucketLifecycle {
  bucket: string;
  check: LifecycleCheck;
}

// Bounds that keep the section small whatever the inputs: the rules to add are shown for at
// most this many buckets, each with at most this much JSON.
const MAX_BUCKETS = 20;
const MAX_JSON_CHARS = 4_000;
const MAX_REASON_CHARS = 200;
const MAX_PREFIXES_NAMED = 5;
const MAX_PREFIX_CHARS = 100;

/**
 * Whether each bucket aborts stale uploads by itself (a lifecycle rule), and the rule to add
 * where it does not. `days` is what the suggested rule waits.
 */
export function safetyNetSection(buckets: BucketLifecycle[], days: number): string {
  if (buckets.length === 0) return '';
  const lines = buckets.slice(0, MAX_BUCKETS).map(({ bucket, check }) => {
    const name = codeSpan(bucket);
    switch (check.state) {
      case 'covered':
        return `✅ ${name}: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most ${plural(check.days, 'day')} after they start.`;
      case 'unknown':
        return `❔ ${name}: unknown; ${codeSpan(truncate(check.reason, MAX_REASON_CHARS))}.`;
      case 'uncovered':
        return uncovered(bucket, check, days);
    }
  });
  return ['### Do the buckets clean up by themselves?', ...lines].join('\n\n');
}

function uncovered(
  bucket: string,
  check: Extract<LifecycleCheck, { state: 'uncovered' }>,
  days: number,
): string {
  const named = check.prefixes
    .slice(0, MAX_PREFIXES_NAMED)
    .map((prefix) =>
      prefix === '' ? 'the whole bucket' : codeSpan(truncate(prefix, MAX_PREFIX_CHARS)),
    );
  const more = check.prefixes.length - named.length;
  const prefixes =
    named.join(', ') + (more > 0 ? ` and ${plural(more, 'more prefix', 'more prefixes')}` : '');
  const { json, left } = rulesJson(check.prefixes, days);
  const name = shellWord(bucket);
  const commands = [
    ...(check.rules === 0 ? [] : [`aws s3api get-bucket-lifecycle-configuration --bucket ${name}`]),
    `aws s3api put-bucket-lifecycle-configuration --bucket ${name} --lifecycle-configuration file://abort-rule.json`,
  ].join('\n');
  const merge =
    check.rules === 0
      ? 'The call replaces the whole lifecycle configuration; this bucket has none now.'
      : `The call replaces the whole lifecycle configuration, and this bucket has ${plural(check.rules, 'rule')} now: read them first and put them in abort-rule.json too, or they are lost.`;
  return [
    `⚠️ ${codeSpan(bucket)}: no lifecycle rule aborts incomplete uploads under ${prefixes}. With one, the bucket aborts them itself ${plural(days, 'day')} after they start, even when no workflow runs.`,
    details(
      'The rule to add, as abort-rule.json',
      [
        codeBlock(json, 'json'),
        left > 0
          ? `${plural(left, 'more prefix', 'more prefixes')} need a rule too: one each, as above.`
          : '',
        codeBlock(commands, 'sh'),
        `⚠️ ${merge}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    ),
  ].join('\n\n');
}

/** The rules for as many of the prefixes as fit in the section's bounds. */
function rulesJson(prefixes: string[], days: number): { json: string; left: number } {
  let shown = prefixes.length;
  let json = JSON.stringify(abortRules(prefixes, days), null, 2);
  while (json.length > MAX_JSON_CHARS && shown > 1) {
    shown -= 1;
    json = JSON.stringify(abortRules(prefixes.slice(0, shown), days), null, 2);
  }
  return { json, left: prefixes.length - shown };
}

/** A word for a POSIX shell, quoted unless plain. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
