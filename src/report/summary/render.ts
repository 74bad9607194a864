import { costNote } from '../cost.js';
import { formatAge } from '../../config/duration.js';
import type { TrafficSummary } from '../../engine/traffic/traffic.js';
import { throttlingNote } from '../log-lines.js';
import { formatBytes, troubleOf, type RunReport } from '../report.js';
import type { RunDescription } from '../run-description.js';
import { codeSpan, escapeMarkdown } from '../../runner/text.js';
import { initiatorsSection } from './initiators.js';
import { protectionTrouble, safetyNetSection } from './lifecycle.js';
import { plural, utc } from './markdown.js';
import { patternsSection } from './patterns.js';
import { ageAt, groupsTable, targetsTable, uploadsTable } from './tables.js';

/** Why a MinIO bucket's cleanup may be incomplete, for the log and the summary. */
export const MINIO_CAVEAT =
  'this store is MinIO, whose listing can miss uploads: it knows only the uploads begun since each of its nodes last started, and MinIO aborts stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY (24h by default). As MinIO takes a prefix as an exact object name, the whole bucket was listed and the prefixes applied here.';

const DAY_MS = 24 * 3600 * 1000;

/**
 * The job summary as GitHub-flavoured Markdown: the verdict, where the stale uploads are,
 * the counts per bucket and prefix, whether the buckets clean up by themselves, and the
 * uploads one by one as the appendix. Every piece of user data is escaped.
 */
export function renderSummary(report: RunReport, run: RunDescription): string {
  // The rule suggested to a bucket waits as long as the run does, and at least a day.
  const ruleDays = Math.max(1, Math.ceil(run.maxAgeMs / DAY_MS));
  return [
    '## S3 multipart upload cleanup',
    contextLine(run),
    headline(report, run),
    minioCaveat(run),
    run.traffic && run.traffic.throttled > 0 ? `🐢 ${throttlingNote(run.traffic, codeSpan)}` : '',
    `Stale means initiated at or before **${utc(run.cutoff)}** (max-age ${formatAge(run.maxAgeMs)}).`,
    groupsTable(report, run),
    initiatorsSection(report, run),
    patternsSection(run.patterns ?? [], report.bucketListingError),
    targetsTable(report, run),
    safetyNetSection(run.lifecycle ?? [], ruleDays),
    uploadsTable(report, run),
  ]
    .filter((block) => block !== '')
    .join('\n\n')
    .concat('\n');
}

/** The summary of a run that stopped at its inputs. */
export function renderInputErrorSummary(message: string): string {
  const list = message
    .split('\n')
    .map((line) => `- ${escapeMarkdown(line)}`)
    .join('\n');
  return [
    '## S3 multipart upload cleanup',
    '❌ **Invalid input; nothing was listed or aborted.**',
    list,
  ]
    .join('\n\n')
    .concat('\n');
}

function contextLine(run: RunDescription): string {
  const parts = [
    run.repository && `[${escapeMarkdown(run.repository.name)}](${run.repository.url})`,
    run.run && `[${escapeMarkdown(run.run.label)}](${run.run.url})`,
    `started ${utc(run.startedAt)}`,
    run.traffic && inFlight(run.traffic),
  ];
  return parts.filter(Boolean).join(' · ');
}

function inFlight(pace: TrafficSummary): string {
  return pace.setting === 'auto'
    ? `${pace.settled} aborts in flight (concurrency auto)`
    : `up to ${pace.setting} aborts in flight`;
}

function headline(report: RunReport, run: RunDescription): string {
  const { matched, aborted, gone, excluded, foreign, left, bytes, parts } = report.totals;
  const oldest = report.groups.oldest;
  const notes = [
    // How long the leak has been going on.
    oldest ? `the oldest was ${ageAt(run, oldest)} old` : '',
    run.reportBytes
      ? `${run.dryRun ? 'holding' : 'freeing'} ${formatBytes(bytes)} in ${plural(parts, 'part')}` +
        (run.storagePrice ? `, which cost ${costNote(bytes, run.storagePrice)}` : '')
      : '',
    gone > 0 ? `${gone} ${gone === 1 ? 'was' : 'were'} already gone` : '',
    excluded > 0 ? `${excluded} excluded` : '',
    foreign > 0 ? `${foreign} started by others left alone` : '',
    left > 0 ? `${left} left for a later run by the limit of ${run.limit ?? '?'}` : '',
  ].filter(Boolean);
  const tail = notes.length > 0 ? `; ${notes.join('; ')}.` : '.';
  const trouble = troubleOf(report, run.stoppedBecause, protectionTrouble(run.lifecycle));
  if (trouble !== undefined) {
    return `❌ **${trouble}.** Aborted ${plural(aborted, 'stale upload')}${tail}`;
  }
  if (run.dryRun) {
    return `🔍 **Dry run: nothing was aborted.** ${plural(matched, 'stale upload')} would be aborted${tail}`;
  }
  if (matched + excluded + foreign + left === 0) return '✅ **No stale uploads found.**';
  return `✅ **Aborted ${plural(aborted, 'stale upload')}**${tail}`;
}

function minioCaveat(run: RunDescription): string {
  const onMinio = (run.buckets ?? []).filter((bucket) => bucket.listing === 'minio');
  if (onMinio.length === 0) return '';
  const names = onMinio.map((bucket) => codeSpan(bucket.bucket)).join(', ');
  return `⚠️ ${names}: ${escapeMarkdown(MINIO_CAVEAT)}`;
}
