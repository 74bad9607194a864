import { cleanTarget, type CleanupPlan } from '../engine/cleanup.js';
import { excludeMatcher } from '../engine/exclude.js';
import type { CleanupEvent, Target } from '../engine/types.js';
import { targetsOf } from '../inputs.js';
import { describeTarget, outcomeLine } from '../log-lines.js';
import { redactEvent } from '../redact.js';
import { formatCounts } from '../report.js';
import { cutoffOf } from '../run-description.js';
import type { Runner } from '../runner.js';
import type { ProbedBuckets } from './probe-buckets.js';
import type { Session } from './session.js';

/**
 * Cleans every bucket and prefix in turn, each in a log group of its own, with one plan for
 * the whole run: its cutoff, its limit and its traffic are shared by every target.
 */
export async function cleanTargets(
  session: Session,
  { buckets, clockOffsetMs }: ProbedBuckets,
  runner: Runner,
): Promise<void> {
  const { config, startedAt, stop, traffic } = session;
  const plan: Omit<CleanupPlan, 'sendAbort'> = {
    cutoff: cutoffOf(startedAt, clockOffsetMs, config),
    dryRun: config.dryRun,
    traffic,
    stop: stop.signal,
    isExcluded: excludeMatcher(config.exclude),
    budget: config.limit > 0 ? { remaining: config.limit } : undefined,
    measureSize: config.reportBytes,
  };
  const storeStart = startedAt.getTime() + clockOffsetMs;
  const byName = new Map(buckets.map((access) => [access.bucket, access]));
  const names = buckets.map((access) => access.bucket);
  for (const target of targetsOf({ buckets: names, prefixes: config.prefixes })) {
    const { client, listing, sendAbort } = byName.get(target.bucket)!;
    const events = cleanTarget(client, target, { ...plan, listing, sendAbort });
    await cleanTargetInGroup(events, target, session, storeStart, runner);
  }
}

/** One target's outcomes into the report, the log and the report file, as they arrive. */
async function cleanTargetInGroup(
  events: AsyncIterable<CleanupEvent>,
  target: Target,
  { report, reportFile, redact }: Session,
  storeStart: number,
  runner: Runner,
): Promise<void> {
  const { counts } = report.addTarget(target);
  // Read once: it is the environment, and each read costs as much as the log line it guards.
  const debug = runner.isDebug();
  await runner.group(`Cleaning ${describeTarget(target)}`, async () => {
    for await (const event of events) {
      const safeEvent = redactEvent(event, redact);
      report.record(safeEvent);
      logEvent(safeEvent, storeStart, debug, runner);
      if (safeEvent.kind === 'upload') await reportFile?.write(safeEvent, storeStart);
    }
    runner.info(`${describeTarget(target)}: ${formatCounts(counts)}`);
  });
}

function logEvent(event: CleanupEvent, nowMs: number, debug: boolean, runner: Runner): void {
  if (event.kind === 'listing-failed') {
    runner.error(`Listing ${describeTarget(event.target)} failed: ${event.error}`);
    return;
  }
  // Every other upload is a debug line: not built at all unless debug logging is on, as
  // writing one per upload costs more than the rest of the action's own code.
  if (event.result === 'failed') runner.info(outcomeLine(event, nowMs));
  else if (event.result !== 'kept' && debug) runner.debug(outcomeLine(event, nowMs));
}
