import type { CleanupEvent, Target, Upload, UploadResult, UploadSize } from '../engine/types.js';
import { GroupTally, groupOf } from './groups.js';
import { InitiatorReport } from './initiator-report.js';

export interface Counts {
  /** Uploads listed under the prefix, of any age. */
  found: number;
  /**
   * Uploads selected for abort (stale, not excluded, started by an initiator `initiated-by`
   * names; in a dry run, those that would be).
   */
  matched: number;
  aborted: number;
  /** Selected uploads that were already gone when aborted. */
  gone: number;
  /** Selected uploads whose abort failed, plus failed listings. */
  failed: number;
  /** Stale uploads whose key matches an exclusion. */
  excluded: number;
  /** Stale uploads left alone because `initiated-by` names none of their initiators. */
  foreign: number;
  /** Stale uploads beyond the run's limit, left for a later run. */
  left: number;
  /** Parts and bytes of the uploads aborted (in a dry run: that would be), when measured. */
  parts: number;
  bytes: number;
}

export interface TargetReport {
  target: Target;
  /** Where the target stands in the input. */
  index: number;
  counts: Counts;
  listingError?: string;
}

/** A stale upload, as the summary table shows it. */
export interface ReportRow {
  bucket: string;
  upload: Upload;
  result: Exclude<UploadResult, 'kept'>;
  error?: string;
  size?: UploadSize;
}

/** A row kept for the table, and the index of its target. */
interface KeptRow {
  target: number;
  row: ReportRow;
}

/** Enough rows to read, few enough to keep the summary far below GitHub's 1 MiB limit. */
export const SUMMARY_ROW_LIMIT = 300;

const zeroCounts = (): Counts => ({
  found: 0,
  matched: 0,
  aborted: 0,
  gone: 0,
  failed: 0,
  excluded: 0,
  foreign: 0,
  left: 0,
  parts: 0,
  bytes: 0,
});

/** Stale uploads of every kind: selected, excluded, someone else's, or left by the limit. */
export function staleOf(counts: Counts): number {
  return counts.matched + counts.excluded + counts.foreign + counts.left;
}

/** Counts as one log line; the optional ones only when they happened. */
export function formatCounts(counts: Counts): string {
  const stale = staleOf(counts);
  // "selected" only where it differs: with no exclusion nor limit, every stale upload is.
  const selected = stale === counts.matched ? '' : ` (selected ${counts.matched})`;
  return [
    `found ${counts.found}, stale ${stale}${selected}, aborted ${counts.aborted}, already gone ${counts.gone}, failed ${counts.failed}`,
    counts.excluded > 0 ? `excluded ${counts.excluded}` : '',
    counts.foreign > 0 ? `started by others ${counts.foreign}` : '',
    counts.left > 0 ? `left by the limit ${counts.left}` : '',
    counts.parts > 0 ? `${formatBytes(counts.bytes)} in ${counts.parts} parts` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units, three significant digits: `1.50 GiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/**
 * What went wrong in a run, in one phrase (`Stopped: …; 2 of 40 aborts failed`), or undefined
 * when nothing did.
 */
export function troubleOf(
  report: RunReport,
  stoppedBecause?: string,
  /** What else went wrong, as a phrase. */
  more?: string,
): string | undefined {
  const parts = [stoppedBecause && `Stopped: ${stoppedBecause}`, report.failureText, more];
  const trouble = parts.filter(Boolean).join('; ');
  return trouble === '' ? undefined : trouble[0].toUpperCase() + trouble.slice(1);
}

/**
 * Everything the run will tell: counters per target and in total, and a capped set of rows
 * for the summary table. Memory stays flat however many uploads pass through; failed rows
 * are kept in preference to others, as they are the ones a reader must see.
 */
export class RunReport {
  readonly totals = zeroCounts();
  readonly targets: TargetReport[] = [];
  /** Selected uploads beyond the row limit: counted, not shown. */
  omittedRows = 0;
  /** Stale uploads whose size could not be measured, and why the first one could not. */
  unmeasured = 0;
  unmeasuredReason: string | undefined;
  /** The stale uploads by bucket and group, selected or left by the limit: where the leaks come from. */
  readonly groups = new GroupTally();
  /** Whose stale uploads `initiated-by` left alone, and whether each store tells initiators apart. */
  readonly initiators = new InitiatorReport();
  /** Why listing the buckets for the patterns of `bucket` failed: a failed listing too. */
  bucketListingError: string | undefined;
  private readonly byTarget = new Map<Target, TargetReport>();
  private readonly failedRows: KeptRow[] = [];
  private readonly otherRows: KeptRow[] = [];

  constructor(private readonly rowLimit = SUMMARY_ROW_LIMIT) {}

  /** Registers a target, so that it is reported even when nothing is found in it. */
  addTarget(target: Target): TargetReport {
    let report = this.byTarget.get(target);
    if (!report) {
      report = { target, index: this.targets.length, counts: zeroCounts() };
      this.byTarget.set(target, report);
      this.targets.push(report);
      this.initiators.of(target.bucket);
    }
    return report;
  }

  record(event: CleanupEvent): void {
    const report = this.addTarget(event.target);
    const add = (field: keyof Counts, amount: number): void => {
      report.counts[field] += amount;
      this.totals[field] += amount;
    };
    const count = (field: keyof Counts): void => add(field, 1);
    if (event.kind === 'listing-failed') {
      report.listingError = event.error;
      count('failed');
      return;
    }
    count('found');
    const { result, size } = event;
    if (event.sizeError !== undefined) {
      this.unmeasured += 1;
      this.unmeasuredReason ??= event.sizeError;
    }
    this.initiators.listed(event.target.bucket, event.upload);
    if (result === 'kept') return;
    if (result === 'excluded' || result === 'foreign') {
      count(result);
      if (result === 'foreign') this.initiators.leftAlone(event.upload.initiator);
    } else {
      if (result === 'left') count(result);
      else {
        count('matched');
        if (result !== 'would-abort') count(result);
        if (size && (result === 'aborted' || result === 'would-abort')) {
          add('parts', size.parts);
          add('bytes', size.bytes);
        }
      }
      // Those left by the limit are part of the leak; excluded and others' are kept on purpose.
      const { key, initiated } = event.upload;
      this.groups.add(
        event.target.bucket,
        groupOf(event.target.prefix, key),
        initiated,
        size?.bytes,
      );
    }
    this.keepRow(report.index, {
      bucket: event.target.bucket,
      upload: event.upload,
      result,
      error: event.error,
      size,
    });
  }

  recordBucketListingFailure(error: string): void {
    this.bucketListingError = error;
    this.totals.failed += 1;
  }

  /**
   * The rows kept for the table: failures first, each kind in the order of the targets
   * (targets cleaned at once send their rows in any order), then as they came.
   */
  get rows(): ReportRow[] {
    // Stable: rows of one target stay in the order they came.
    const byTarget = (rows: KeptRow[]) =>
      [...rows].sort((a, b) => a.target - b.target).map(({ row }) => row);
    return [...byTarget(this.failedRows), ...byTarget(this.otherRows)];
  }

  get listingFailures(): number {
    const ofBuckets = this.bucketListingError === undefined ? 0 : 1;
    return this.targets.filter((report) => report.listingError !== undefined).length + ofBuckets;
  }

  /** What went wrong, in a few words (`2 of 40 aborts failed, 1 listing failed`), if anything. */
  get failureText(): string | undefined {
    const listings = this.listingFailures;
    const aborts = this.totals.failed - listings;
    const parts = [
      aborts > 0 ? `${aborts} of ${this.totals.matched} aborts failed` : '',
      listings > 0 ? `${listings} listing${listings === 1 ? '' : 's'} failed` : '',
    ].filter(Boolean);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }

  /**
   * Keeps a row while there is room; once full, a row is kept in place of a worse one: a
   * failure before any other, then the earlier target (targets cleaned at once send their
   * rows in any order, and the table must not show whichever came first), then the earlier
   * row.
   */
  private keepRow(target: number, reportRow: ReportRow): void {
    const row = { target, row: reportRow };
    const failed = reportRow.result === 'failed';
    if (this.failedRows.length + this.otherRows.length < this.rowLimit) {
      (failed ? this.failedRows : this.otherRows).push(row);
      return;
    }
    this.omittedRows += 1;
    const own = failed ? this.failedRows : this.otherRows;
    const from = failed && this.otherRows.length > 0 ? this.otherRows : own;
    const worst = lastOfLatestTarget(from);
    if (worst === undefined || (from === own && from[worst].target <= target)) return;
    from.splice(worst, 1);
    own.push(row);
  }
}

/** The index of the last row of the latest target among `rows`; undefined if there are none. */
function lastOfLatestTarget(rows: KeptRow[]): number | undefined {
  let worst: number | undefined;
  rows.forEach((row, i) => {
    if (worst === undefined || row.target >= rows[worst].target) worst = i;
  });
  return worst;
}
