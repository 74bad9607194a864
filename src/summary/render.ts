import { formatAge } from './duration.js';
import type { BucketAccess } from './engine/probe.js';
import {
  formatBytes,
  troubleOf,
  type Counts,
  type ReportRow,
  type RunReport,
  type TargetReport,
} from './report.js';
import { escapeMarkdown, truncate } from './text.js';

/** Where and how the run happened, for the summary's opening lines. */
export interface RunDescription {
  startedAt: Date;
  cutoff: Date;
  maxAgeMs: number;
  dryRun: boolean;
  /** How far the store's clock is ahead of the runner's: ages are by the store's clock. */
  clockOffsetMs?: number;
  /** Whether sizes were measured (report-bytes). */
  reportBytes?: boolean;
  /** The run's limit on aborts, if any. */
  limit?: number;
  /** Why the run stopped before finishing (its timeout, a cancel), if it did. */
  stoppedBecause?: string;
  /** The region of buckets that do not say otherwise (the `region` input). */
  defaultRegion?: string;
  /** What the run learned of each bucket before cleaning it. */
  buckets?: Array<Pick<BucketAccess, 'bucket' | 'region' | 'listing'>>;
  /** `owner/repo`, with links, when running on GitHub. */
  repository?: { name: string; url: string };
  run?: { label: string; url: string };
}

// Bounds that keep the worst case (300 rows of 1,024-byte keys made of characters that
// each need escaping) well under GitHub's 1 MiB step-summary limit.
const MAX_TARGET_ROWS = 100;
const MAX_KEY_CHARS = 200;
const MAX_ERROR_CHARS = 200;
const MAX_PREFIX_CHARS = 100;

/** Why a MinIO bucket's cleanup may be incomplete, for the log and the summary. */
export const MINIO_CAVEAT =
  'this store is MinIO, whose listing can miss uploads: it knows only the uploads begun since each of its nodes last started, and MinIO aborts stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY (24h by default). As MinIO takes a prefix as an exact object name, the whole bucket was listed and the prefixes applied here.';

const RESULT_LABEL: Record<ReportRow['result'], string> = {
  aborted: '✅ aborted',
  'would-abort': '🔍 would abort',
  gone: '➖ already gone',
  failed: '❌ failed',
  excluded: '🛡️ excluded',
  left: '⏸️ left (limit)',
};

/** The job summary as GitHub-flavoured Markdown. Every piece of user data is escaped. */
export function renderSummary(report: RunReport, run: RunDescription): string {
  return [
    '## S3 multipart upload cleanup',
    contextLine(run),
    headline(report, run),
    minioCaveat(run),
    `Stale means initiated at or before **${utc(run.cutoff)}** (max-age ${formatAge(run.maxAgeMs)}).`,
    targetTable(report, run),
    ...listingErrors(report.targets),
    uploadTable(report, run),
  ]
    .filter((block) => block !== '')
    .join('\n\n')
    .concat('\n');
}

/** The summary of a run that stopped at its inputs. */
export function renderInputErrorSummary(message: string): string {
  const lines = message.split('\n').map((line) => `- ${escapeMarkdown(line)}`);
  return [
    '## S3 multipart upload cleanup',
    '❌ **Invalid input; nothing was listed or aborted.**',
    ...lines,
  ]
    .join('\n\n')
    .concat('\n');
}

function contextLine(run: RunDescription): string {
  const parts = [
    run.repository && `[${escapeMarkdown(run.repository.name)}](${run.repository.url})`,
    run.run && `[${escapeMarkdown(run.run.label)}](${run.run.url})`,
    `started ${utc(run.startedAt)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

function headline(report: RunReport, run: RunDescription): string {
  const { matched, aborted, gone, excluded, left, bytes, parts } = report.totals;
  const notes = [
    run.reportBytes
      ? `${run.dryRun ? 'holding' : 'freeing'} ${formatBytes(bytes)} in ${plural(parts, 'part')}`
      : '',
    gone > 0 ? `${gone} ${gone === 1 ? 'was' : 'were'} already gone` : '',
    excluded > 0 ? `${excluded} excluded` : '',
    left > 0 ? `${left} left for a later run by the limit of ${run.limit ?? '?'}` : '',
  ].filter(Boolean);
  const tail = notes.length > 0 ? `; ${notes.join('; ')}.` : '.';
  const trouble = troubleOf(report, run.stoppedBecause);
  if (trouble !== undefined) {
    return `❌ **${trouble}.** Aborted ${plural(aborted, 'stale upload')}${tail}`;
  }
  if (run.dryRun) {
    return `🔍 **Dry run: nothing was aborted.** ${plural(matched, 'stale upload')} would be aborted${tail}`;
  }
  if (matched + excluded + left === 0) return '✅ **No stale uploads found.**';
  return `✅ **Aborted ${plural(aborted, 'stale upload')}**${tail}`;
}

function minioCaveat(run: RunDescription): string {
  const onMinio = (run.buckets ?? []).filter((bucket) => bucket.listing === 'minio');
  if (onMinio.length === 0) return '';
  const names = onMinio.map((bucket) => escapeMarkdown(bucket.bucket)).join(', ');
  return `⚠️ **${names}:** ${escapeMarkdown(MINIO_CAVEAT)}`;
}

/** The optional columns, shown only when they say something. */
function extraColumns(report: RunReport, run: RunDescription) {
  const columns: Array<{ title: string; value: (counts: Counts) => string }> = [];
  if (report.totals.excluded > 0)
    columns.push({ title: 'excluded', value: (c) => String(c.excluded) });
  if (report.totals.left > 0) columns.push({ title: 'left', value: (c) => String(c.left) });
  if (run.reportBytes) {
    columns.push({ title: run.dryRun ? 'size' : 'freed', value: (c) => formatBytes(c.bytes) });
  }
  return columns;
}

function targetTable(report: RunReport, run: RunDescription): string {
  const { targets } = report;
  const extra = extraColumns(report, run);
  // A bucket outside the default region says where it is.
  const regions = new Map((run.buckets ?? []).map((bucket) => [bucket.bucket, bucket.region]));
  const bucketCell = (bucket: string): string => {
    const region = regions.get(bucket);
    const elsewhere = region !== undefined && region !== run.defaultRegion;
    return escapeMarkdown(bucket) + (elsewhere ? ` (${escapeMarkdown(region)})` : '');
  };
  const rows = targets
    .slice(0, MAX_TARGET_ROWS)
    .map(({ target, counts, listingError }) =>
      cells([
        bucketCell(target.bucket),
        target.prefix === ''
          ? '*(whole bucket)*'
          : escapeMarkdown(truncate(target.prefix, MAX_PREFIX_CHARS)),
        String(counts.found),
        String(counts.matched),
        String(counts.aborted),
        String(counts.gone),
        listingError === undefined ? String(counts.failed) : `${counts.failed} (listing failed)`,
        ...extra.map((column) => column.value(counts)),
      ]),
    );
  const more = targets.length - rows.length;
  return [
    cells([
      'bucket',
      'prefix',
      'found',
      'stale',
      'aborted',
      'already gone',
      'failed',
      ...extra.map((column) => column.title),
    ]),
    `|---|---|--:|--:|--:|--:|--:|${'--:|'.repeat(extra.length)}`,
    ...rows,
    ...(more > 0 ? [`\n…and ${plural(more, 'more target')}.`] : []),
  ].join('\n');
}

function listingErrors(targets: TargetReport[]): string[] {
  return targets
    .flatMap(({ target, listingError }) =>
      listingError === undefined
        ? []
        : [
            `❌ Listing ${escapeMarkdown(target.bucket)}` +
              (target.prefix
                ? ` (prefix ${escapeMarkdown(truncate(target.prefix, MAX_PREFIX_CHARS))})`
                : '') +
              ` failed: ${escapeMarkdown(truncate(listingError, MAX_ERROR_CHARS))}`,
          ],
    )
    .slice(0, MAX_TARGET_ROWS);
}

function uploadTable(report: RunReport, run: RunDescription): string {
  const rows = report.rows;
  if (rows.length === 0) return '';
  const byPlace = (a: ReportRow, b: ReportRow): number =>
    Number(b.result === 'failed') - Number(a.result === 'failed') ||
    compare(a.bucket, b.bucket) ||
    compare(a.upload.key, b.upload.key) ||
    (a.upload.initiated?.getTime() ?? 0) - (b.upload.initiated?.getTime() ?? 0);
  const lines = [...rows]
    .sort(byPlace)
    .map((row) =>
      cells([
        escapeMarkdown(row.bucket),
        escapeMarkdown(truncate(row.upload.key, MAX_KEY_CHARS)),
        escapeMarkdown(shortId(row.upload.uploadId)),
        row.upload.initiated ? utc(row.upload.initiated) : '?',
        row.upload.initiated
          ? formatAge(
              run.startedAt.getTime() + (run.clockOffsetMs ?? 0) - row.upload.initiated.getTime(),
            )
          : '?',
        RESULT_LABEL[row.result] +
          (row.error ? `: ${escapeMarkdown(truncate(row.error, MAX_ERROR_CHARS))}` : ''),
        ...(run.reportBytes ? [row.size ? formatBytes(row.size.bytes) : '?'] : []),
      ]),
    );
  const omitted =
    report.omittedRows > 0
      ? `\n\n…and ${plural(report.omittedRows, 'more stale upload')} not shown (the table shows at most ${rows.length}; the counts above include them).`
      : '';
  return [
    `### Stale uploads`,
    '',
    cells([
      'bucket',
      'key',
      'upload id',
      'initiated (UTC)',
      'age',
      'result',
      ...(run.reportBytes ? ['size'] : []),
    ]),
    `|---|---|---|---|--:|---|${run.reportBytes ? '--:|' : ''}`,
    ...lines,
  ]
    .join('\n')
    .concat(omitted);
}

function cells(values: string[]): string {
  return `| ${values.join(' | ')} |`;
}

/** Upload ids run to 100+ characters on Amazon S3; the ends tell them apart at a glance. */
function shortId(uploadId: string): string {
  return uploadId.length <= 24 ? uploadId : `${uploadId.slice(0, 10)}…${uploadId.slice(-10)}`;
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
