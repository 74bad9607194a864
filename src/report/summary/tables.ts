import { formatUsd, monthlyCost } from '../cost.js';
import { formatAge } from '../../config/duration.js';
import type { UploadGroup } from '../groups.js';
import { formatBytes, staleOf, type Counts, type ReportRow, type RunReport } from '../report.js';
import { codeSpan, truncate } from '../../runner/text.js';
import { details, plural, table, utc } from './markdown.js';
import type { RunDescription } from '../run-description.js';

// Bounds that keep the worst case (300 rows of 1,024-byte keys made of characters that
// each need escaping) well under GitHub's 1 MiB step-summary limit.
const MAX_TARGET_ROWS = 100;
const MAX_KEY_CHARS = 200;
const MAX_ERROR_CHARS = 200;
const MAX_PREFIX_CHARS = 100;

/** The groups the summary opens with. */
export const TOP_GROUPS = 10;
/** Up to this many upload rows show as they are; more go into a collapsed block. */
export const OPEN_UPLOAD_ROWS = 20;

const RESULT_LABEL: Record<ReportRow['result'], string> = {
  aborted: '✅ aborted',
  'would-abort': '🔍 would abort',
  gone: '➖ already gone',
  failed: '❌ failed',
  excluded: '🛡️ excluded',
  foreign: '👤 started by others',
  left: '⏸️ left (limit)',
};

/** User text in a table cell: literal, whatever it holds (see codeSpan). */
function cell(text: string, maxChars: number): string {
  return codeSpan(truncate(text, maxChars), { inTable: true });
}

/** A key prefix in a cell; `''` is the whole bucket. */
function prefixCell(prefix: string): string {
  return prefix === '' ? '*(whole bucket)*' : cell(prefix, MAX_PREFIX_CHARS);
}

/** How long before the run an upload was initiated, by the store's clock. */
export function ageAt(run: RunDescription, initiated: Date): string {
  return formatAge(run.startedAt.getTime() + (run.clockOffsetMs ?? 0) - initiated.getTime());
}

/** A column of a table of `T`: its title, its side, and its cell for each row. */
interface Column<T> {
  title: string;
  align: 'l' | 'r';
  value: (row: T) => string;
}

function tableOf<T>(columns: Column<T>[], rows: T[]): string {
  return table(
    columns.map((column) => column.title),
    columns.map((column) => column.align).join(''),
    rows.map((row) => columns.map((column) => column.value(row))),
  );
}

/**
 * Where the selected uploads are: the largest groups, by bytes when measured, with what they
 * cost a month where a storage price applies.
 */
export function groupsTable(report: RunReport, run: RunDescription): string {
  const { groups } = report;
  if (groups.size === 0) return '';
  const bySize = run.reportBytes === true;
  const price = bySize ? run.storagePrice?.usdPerGbMonth : undefined;
  const top = groups.largest(TOP_GROUPS, bySize ? 'bytes' : 'uploads');
  const columns: Column<UploadGroup>[] = [
    { title: 'bucket', align: 'l', value: (group) => cell(group.bucket, MAX_PREFIX_CHARS) },
    { title: 'group', align: 'l', value: (group) => prefixCell(group.group) },
    { title: 'stale uploads', align: 'r', value: (group) => String(group.uploads) },
  ];
  if (bySize) columns.push({ title: 'size', align: 'r', value: (g) => formatBytes(g.bytes) });
  if (price !== undefined) {
    const cost = (group: UploadGroup) => formatUsd(monthlyCost(group.bytes, price));
    columns.push({ title: 'cost a month', align: 'r', value: cost });
  }
  const oldest = (group: UploadGroup) => (group.oldest ? ageAt(run, group.oldest) : '?');
  columns.push({ title: 'oldest', align: 'r', value: oldest });
  const { matched, left } = report.totals;
  const rest = matched + left - top.reduce((sum, group) => sum + group.uploads, 0);
  const notes = [
    bySize && left > 0
      ? `The sizes are of the uploads measured: the ${plural(left, 'upload')} left by the limit ${left === 1 ? 'was' : 'were'} not.`
      : '',
    rest > 0
      ? `…and ${plural(groups.size - top.length, 'more group')} with ${plural(rest, 'stale upload')} in all.`
      : '',
    groups.other
      ? `Only the first ${groups.size} groups are told apart: the ${plural(groups.other.uploads, 'stale upload')} of the groups met after them are counted together.`
      : '',
  ].filter(Boolean);
  return ['### Where the stale uploads are', tableOf(columns, top), ...notes].join('\n\n');
}

/** The optional columns of the target table, shown only when they say something. */
function extraColumns(report: RunReport, run: RunDescription) {
  const columns: Array<{ title: string; value: (counts: Counts) => string }> = [];
  if (report.totals.excluded > 0)
    columns.push({ title: 'excluded', value: (c) => String(c.excluded) });
  if (report.totals.foreign > 0)
    columns.push({ title: 'started by others', value: (c) => String(c.foreign) });
  if (report.totals.left > 0) columns.push({ title: 'left', value: (c) => String(c.left) });
  if (run.reportBytes) {
    columns.push({ title: run.dryRun ? 'size' : 'freed', value: (c) => formatBytes(c.bytes) });
  }
  return columns;
}

/** The counts per bucket and prefix, and why any listing failed. */
export function targetsTable(report: RunReport, run: RunDescription): string {
  const { targets } = report;
  // Patterns that matched no bucket leave no target: nothing to count.
  if (targets.length === 0) return '';
  const extra = extraColumns(report, run);
  // A bucket outside the default region says where it is.
  const regions = new Map((run.buckets ?? []).map((bucket) => [bucket.bucket, bucket.region]));
  const bucketCell = (bucket: string): string => {
    const region = regions.get(bucket);
    const elsewhere = region !== undefined && region !== run.defaultRegion;
    return (
      cell(bucket, MAX_PREFIX_CHARS) + (elsewhere ? ` (${cell(region, MAX_PREFIX_CHARS)})` : '')
    );
  };
  const rows = targets
    .slice(0, MAX_TARGET_ROWS)
    .map(({ target, counts, listingError }) => [
      bucketCell(target.bucket),
      prefixCell(target.prefix),
      String(counts.found),
      String(staleOf(counts)),
      String(counts.aborted),
      String(counts.gone),
      listingError === undefined ? String(counts.failed) : `${counts.failed} (listing failed)`,
      ...extra.map((column) => column.value(counts)),
    ]);
  const header = ['bucket', 'prefix', 'found', 'stale', 'aborted', 'already gone', 'failed'];
  const more = targets.length - rows.length;
  const listingErrors = targets
    .filter((report) => report.listingError !== undefined)
    .slice(0, MAX_TARGET_ROWS)
    .map(
      ({ target, listingError }) =>
        `❌ Listing ${codeSpan(target.bucket)}` +
        (target.prefix ? ` (prefix ${codeSpan(truncate(target.prefix, MAX_PREFIX_CHARS))})` : '') +
        ` failed: ${codeSpan(truncate(listingError ?? '', MAX_ERROR_CHARS))}`,
    );
  return [
    '### By bucket and prefix',
    table(
      [...header, ...extra.map((column) => column.title)],
      `ll${'r'.repeat(5 + extra.length)}`,
      rows,
    ) + (more > 0 ? `\n\n…and ${plural(more, 'more target')}.` : ''),
    ...listingErrors,
  ].join('\n\n');
}

/**
 * The stale uploads one by one, failures first: the appendix. A long table is collapsed;
 * the failures stay in sight above it.
 */
export function uploadsTable(report: RunReport, run: RunDescription): string {
  const rows = [...report.rows].sort(byPlace);
  if (rows.length === 0) return '';
  const header = [
    'bucket',
    'key',
    'upload id',
    'initiated (UTC)',
    'age',
    'result',
    ...(run.reportBytes ? ['size'] : []),
  ];
  const align = `llllrl${run.reportBytes ? 'r' : ''}`;
  const render = (some: ReportRow[]) =>
    table(
      header,
      align,
      some.map((row) => uploadRow(row, run)),
    );
  const omitted =
    report.omittedRows > 0
      ? `…and ${plural(report.omittedRows, 'more stale upload')} not shown (the table shows at most ${rows.length}; the counts above include them).`
      : '';
  if (rows.length <= OPEN_UPLOAD_ROWS) {
    return ['### Stale uploads', render(rows), omitted].filter(Boolean).join('\n\n');
  }
  const failed = rows.filter((row) => row.result === 'failed');
  const others = rows.filter((row) => row.result !== 'failed');
  return [
    '### Stale uploads',
    failed.length > 0 ? `${plural(failed.length, 'upload')} could not be aborted:` : '',
    failed.length > 0 ? render(failed) : '',
    others.length > 0
      ? details(
          `${failed.length > 0 ? 'The other' : 'All'} ${others.length} shown, one by one`,
          render(others),
        )
      : '',
    omitted,
  ]
    .filter(Boolean)
    .join('\n\n');
}

function uploadRow(row: ReportRow, run: RunDescription): string[] {
  const { upload } = row;
  // Uploads not selected are never measured: their size is not unknown, just not asked.
  const notMeasured =
    row.result === 'excluded' || row.result === 'foreign' || row.result === 'left';
  return [
    cell(row.bucket, MAX_PREFIX_CHARS),
    cell(upload.key, MAX_KEY_CHARS),
    cell(shortId(upload.uploadId), MAX_KEY_CHARS),
    upload.initiated ? utc(upload.initiated) : '?',
    upload.initiated ? ageAt(run, upload.initiated) : '?',
    RESULT_LABEL[row.result] + (row.error ? `: ${cell(row.error, MAX_ERROR_CHARS)}` : ''),
    ...(run.reportBytes ? [row.size ? formatBytes(row.size.bytes) : notMeasured ? '—' : '?'] : []),
  ];
}

function byPlace(a: ReportRow, b: ReportRow): number {
  return (
    Number(b.result === 'failed') - Number(a.result === 'failed') ||
    compare(a.bucket, b.bucket) ||
    compare(a.upload.key, b.upload.key) ||
    (a.upload.initiated?.getTime() ?? 0) - (b.upload.initiated?.getTime() ?? 0)
  );
}

/** Upload ids run to 100+ characters on Amazon S3; the ends tell them apart at a glance. */
function shortId(uploadId: string): string {
  return uploadId.length <= 24 ? uploadId : `${uploadId.slice(0, 10)}…${uploadId.slice(-10)}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
