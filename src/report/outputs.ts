import { Output } from '../config/constants.js';
import type { RunReport } from './report.js';
import { isProtected, type BucketLifecycle } from './summary/lifecycle.js';

/** Every output of the step, from the run's report and the buckets' lifecycle checks. */
export function outputsOf(
  report: RunReport,
  reportPath: string | undefined,
  lifecycle: BucketLifecycle[] = [],
): Record<Output, string | number> {
  const { totals } = report;
  return {
    [Output.AbortedCount]: totals.aborted,
    [Output.MatchedCount]: totals.matched,
    [Output.FoundCount]: totals.found,
    [Output.FailedCount]: totals.failed,
    [Output.GoneCount]: totals.gone,
    [Output.ExcludedCount]: totals.excluded,
    [Output.ForeignCount]: totals.foreign,
    [Output.LeftCount]: totals.left,
    [Output.BytesFreed]: totals.bytes,
    [Output.PartsFreed]: totals.parts,
    [Output.ReportPath]: reportPath ?? '',
    [Output.BucketsWithoutAbortRule]: lifecycle
      .filter(({ check, protection }) => check.state === 'uncovered' && !isProtected(protection))
      .map(({ bucket }) => bucket)
      .join('\n'),
    [Output.AbortRuleAdded]: lifecycle
      .filter(({ protection }) => protection?.state === 'added')
      .map(({ bucket }) => bucket)
      .join('\n'),
  };
}
