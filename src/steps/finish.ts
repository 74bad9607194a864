import type { PatternMatch } from '../engine/buckets.js';
import { lifecycleLine, trafficLine } from '../report/log-lines.js';
import { outputsOf } from '../report/outputs.js';
import { formatCounts, troubleOf } from '../report/report.js';
import { describeRun, type WorkflowRun } from '../report/run-description.js';
import { writeOutputs, writeSummary, type Runner } from '../runner/runner.js';
import { protectionTrouble, type BucketLifecycle } from '../report/summary/lifecycle.js';
import type { RunDescription } from '../report/run-description.js';
import { renderSummary } from '../report/summary/render.js';
import type { ProbedBuckets } from './probe-buckets.js';
import type { Session } from './session.js';

/** What the steps found before the run ended: all of it, or what came before a crash. */
export interface RunProgress {
  /** What each pattern of `bucket` matched. */
  patterns?: PatternMatch[];
  probed?: ProbedBuckets;
  /** The buckets' lifecycle rules: being read, or read and acted on. */
  lifecycle?: Promise<BucketLifecycle[]> | BucketLifecycle[];
  /** A bug's stack, redacted: S3's errors are outcomes, not crashes. */
  crash?: string;
}

/**
 * Ends the run: closes what it opened, then says what it did in the log, the outputs and
 * the job summary, and fails the step if something went wrong, in that order, whatever
 * happened before.
 */
export async function finishRun(
  session: Session,
  progress: RunProgress,
  workflow: WorkflowRun,
  runner: Runner,
): Promise<void> {
  const { config, report, reportFile, traffic, stop } = session;
  const lifecycle = (await progress.lifecycle) ?? [];
  session.clients.destroy();
  await reportFile?.close();
  logLifecycle(lifecycle, runner);
  logTotals(session, runner);
  writeOutputs(runner, outputsOf(report, reportFile?.path, lifecycle));
  const pace = traffic.summary();
  const { buckets = [], clockOffsetMs = 0 } = progress.probed ?? {};
  const stoppedBecause = stop.stoppedBecause();
  const run: RunDescription = {
    ...describeRun(session.startedAt, clockOffsetMs, config, workflow),
    buckets,
    patterns: progress.patterns,
    lifecycle,
    stoppedBecause,
    // Only a run that sent aborts has a number in flight to tell of.
    traffic: pace.sent > 0 ? pace : undefined,
  };
  await writeSummary(runner, renderSummary(report, run));
  const trouble = troubleOf(report, stoppedBecause, protectionTrouble(lifecycle));
  failOnTrouble(session, progress.crash, trouble && withReasons(trouble, lifecycle), runner);
}

/** The most buckets whose failed rule the step's failure names one by one. */
const MAX_REASONS = 10;

/** The trouble, and why each rule asked for could not be added: the permission, the bucket. */
function withReasons(trouble: string, lifecycle: BucketLifecycle[]): string {
  const reasons = lifecycle.flatMap(({ bucket, protection }) =>
    protection?.state === 'failed' ? [`s3://${bucket}: ${protection.reason}`] : [],
  );
  const more = reasons.length - MAX_REASONS;
  const lines = [...reasons.slice(0, MAX_REASONS), ...(more > 0 ? [`and ${more} more`] : [])];
  return [`${trouble} (see the log and the job summary)`, ...lines].join('\n');
}

function logLifecycle(lifecycle: BucketLifecycle[], runner: Runner): void {
  for (const { bucket, check, protection } of lifecycle) {
    // Where the run added a rule or would have, its own line has said what it found.
    if (protection === undefined || protection.state === 'failed') {
      runner.info(lifecycleLine(bucket, check));
    }
  }
}

function logTotals({ config, report, traffic }: Session, runner: Runner): void {
  const dryRun = config.dryRun ? ' (dry run: nothing aborted)' : '';
  runner.info(`Total: ${formatCounts(report.totals)}${dryRun}`);
  const pace = traffic.summary();
  if (pace.sent > 0) runner.info(trafficLine(pace));
  if (report.unmeasuredReason !== undefined) {
    // Said once: the cause (usually a missing permission) is the same for every upload.
    runner.warning(
      `Could not measure the size of ${report.unmeasured} uploads (they were handled all the same): ${report.unmeasuredReason}`,
    );
  }
}

function failOnTrouble(
  { config, stop }: Session,
  crash: string | undefined,
  message: string | undefined,
  runner: Runner,
): void {
  if (crash !== undefined) {
    runner.setFailed(`The cleanup stopped unexpectedly: ${crash}`);
    return;
  }
  if (message === undefined) return;
  // A cancelled step fails whatever fail-on-error says: its job is cancelled anyway.
  if (config.failOnError || stop.cancelled()) runner.setFailed(message);
  else runner.warning(`${message}; not failing the step because fail-on-error is false`);
}
