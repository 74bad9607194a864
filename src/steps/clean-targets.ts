import { cleanTarget, type CleanupPlan } from '../engine/cleanup.js';
import { excludeMatcher } from '../engine/exclude.js';
import { initiatorMatcher } from '../engine/initiators.js';
import { mapAll, TARGETS_AT_ONCE } from '../engine/pool.js';
import { takeFirstPage } from '../engine/probe.js';
import type { CleanupEvent, Target } from '../engine/types.js';
import { targetsOf } from '../config/inputs.js';
import {
  describeTarget,
  leadingSlashNotice,
  outcomeLine,
  untoldInitiatorsNote,
} from '../report/log-lines.js';
import { redactEvent } from '../runner/redact.js';
import { formatCounts } from '../report/report.js';
import { cutoffOf } from '../report/run-description.js';
import type { Runner } from '../runner/runner.js';
import type { ProbedBuckets } from './probe-buckets.js';
import type { Session } from './session.js';
import { TargetLog, writeInOrder } from './target-log.js';

/**
 * Cleans every bucket and prefix, several at once, with one plan for the whole run: its
 * cutoff, its limit and its bound on requests in flight are shared by every target, and each
 * bucket keeps its own pace. Each target's log is a group of its own, in the input's order.
 */
export async function cleanTargets(
  session: Session,
  { buckets, clockOffsetMs }: ProbedBuckets,
  runner: Runner,
): Promise<void> {
  const { config, startedAt, stop, traffic, report } = session;
  const plan: Omit<CleanupPlan, 'sendAbort'> = {
    cutoff: cutoffOf(startedAt, clockOffsetMs, config),
    dryRun: config.dryRun,
    traffic,
    stop: stop.signal,
    isExcluded: excludeMatcher(config.exclude),
    isInitiatedBy: initiatorMatcher(config.initiatedBy),
    budget: config.limit > 0 ? { remaining: config.limit } : undefined,
    measureSize: config.reportBytes,
  };
  const storeStart = startedAt.getTime() + clockOffsetMs;
  const byName = new Map(buckets.map((access) => [access.bucket, access]));
  const names = buckets.map((access) => access.bucket);
  const targets = targetsOf({ buckets: names, prefixes: config.prefixes });
  // The summary's tables list the targets in the input's order, whichever finishes first.
  for (const target of targets) report.addTarget(target);
  const logs = targets.map((target) => new TargetLog(`Cleaning ${describeTarget(target)}`, runner));
  const written = writeInOrder(logs, runner);
  // Read once: it is the environment, and each read costs as much as the log line it guards.
  const debug = runner.isDebug();
  try {
    await mapAll(
      startOrder(targets.length, config.prefixes.length),
      async (i) => {
        const target = targets[i];
        const access = byName.get(target.bucket)!;
        const { client, listing, sendAbort } = access;
        const firstPage = takeFirstPage(access, target.prefix);
        const events = cleanTarget(client, target, { ...plan, listing, sendAbort, firstPage });
        try {
          await recordTarget(events, target, session, { storeStart, debug, log: logs[i] });
        } finally {
          logs[i].end();
        }
      },
      TARGETS_AT_ONCE,
    );
  } finally {
    // A target that never started (a bug stopped the run) has nothing to write.
    for (const log of logs) log.end();
    await written;
  }
  for (const target of targets) {
    const { counts, listingError } = report.addTarget(target);
    if (target.prefix.startsWith('/') && counts.found === 0 && listingError === undefined) {
      runner.notice(leadingSlashNotice(target));
    }
  }
  // A guard the user relies on must say where it cannot hold.
  if (config.initiatedBy.length > 0) {
    for (const bucket of report.initiators.untold) runner.notice(untoldInitiatorsNote(bucket));
  }
}

interface TargetOutput {
  /** When the store's clock read the run's start: for the uploads' ages. */
  storeStart: number;
  debug: boolean;
  log: TargetLog;
}

/** One target's outcomes into the report, its log and the report file, as they arrive. */
async function recordTarget(
  events: AsyncIterable<CleanupEvent>,
  target: Target,
  { report, reportFile, redact }: Session,
  { storeStart, debug, log }: TargetOutput,
): Promise<void> {
  const { counts } = report.addTarget(target);
  for await (const event of events) {
    const safeEvent = redactEvent(event, redact);
    report.record(safeEvent);
    logEvent(safeEvent, storeStart, debug, log);
    if (safeEvent.kind === 'upload') await reportFile?.write(safeEvent, storeStart);
  }
  log.info(`${describeTarget(target)}: ${formatCounts(counts)}`);
}

function logEvent(event: CleanupEvent, nowMs: number, debug: boolean, log: TargetLog): void {
  if (event.kind === 'listing-failed') {
    log.error(`Listing ${describeTarget(event.target)} failed: ${event.error}`);
    return;
  }
  // Every other upload is a debug line: not built at all unless debug logging is on, as
  // writing one per upload costs more than the rest of the action's own code.
  if (event.result === 'failed') log.info(outcomeLine(event, nowMs));
  else if (event.result !== 'kept' && debug) log.debug(outcomeLine(event, nowMs));
}

/**
 * The order in which targets (bucket-major, `perBucket` prefixes each) start: every bucket's
 * first prefix, then every bucket's second, and so on. A bucket's pace is its own, so one
 * that throttles takes as long wherever it is listed; started among the last, it would run
 * on alone after the rest. And the first page its probe holds is handed over, and let go, early.
 */
export function startOrder(targets: number, perBucket: number): number[] {
  const order = Array.from({ length: targets }, (_, i) => i);
  return order.sort((a, b) => (a % perBucket) - (b % perBucket) || a - b);
}
