import * as core from '@actions/core';
import { context } from '@actions/github';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Input, State } from './constants.js';
import { formatAge } from './duration.js';
import { cleanTarget, type CleanupPlan } from './engine/cleanup.js';
import { excludeMatcher } from './engine/exclude.js';
import { checkLifecycle } from './engine/lifecycle.js';
import { probeBucket, type BucketAccess } from './engine/probe.js';
import { RegionalClients } from './engine/regions.js';
import { createS3Client } from './engine/s3-client.js';
import { AbortTraffic } from './engine/traffic/traffic.js';
import type { CleanupEvent, Target } from './engine/types.js';
import { InputError, parseConfig, targetsOf, type Config } from './inputs.js';
import {
  bucketLines,
  describeTarget,
  lifecycleLine,
  outcomeLine,
  proxyLine,
  trafficLine,
} from './log-lines.js';
import { outputsOf } from './outputs.js';
import { redactCheck, redactEvent, secretRedactor } from './redact.js';
import { ReportFile } from './report-file.js';
import { formatCounts, RunReport, troubleOf } from './report.js';
import { cutoffOf, describeRun } from './run-description.js';
import { runStop, type RunStop } from './run-stop.js';
import type { BucketLifecycle } from './summary/lifecycle.js';
import {
  MINIO_CAVEAT,
  renderInputErrorSummary,
  renderSummary,
  type RunDescription,
} from './summary/render.js';

/**
 * The step, main or post: action.yml runs this one bundle for both, and the post step is the
 * one that finds the state every main step saves. With `when: post` the main step only
 * checks the inputs and leaves the work to the post step.
 */
export async function run(): Promise<void> {
  const startedAt = new Date();
  if (core.getState(State.IsPost) === 'true') {
    await runPost(startedAt);
    return;
  }
  core.saveState(State.IsPost, 'true');
  const config = await readConfig();
  if (!config) return;
  if (config.when === 'post') {
    core.saveState(State.CleanupInPost, 'true');
    core.info(
      `The inputs are valid. The cleanup runs when the job ends, in this action's post step (${Input.When}: post).`,
    );
    return;
  }
  await cleanUp(config, startedAt);
}

/** The post step: cleans up if the main step of `when: post` asked for it, else does nothing. */
async function runPost(startedAt: Date): Promise<void> {
  if (core.getState(State.CleanupInPost) !== 'true') return;
  const config = await readConfig();
  if (config) await cleanUp(config, startedAt);
}

/** The validated inputs, or undefined once bad input has been reported and the step failed. */
async function readConfig(): Promise<Config | undefined> {
  try {
    return parseConfig((name) => core.getInput(name), process.env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    writeOutputs(new RunReport(), undefined);
    await writeSummary(renderInputErrorSummary(error.message));
    core.setFailed(`Invalid input; nothing was listed or aborted.\n${error.message}`);
    return undefined;
  }
}

async function cleanUp(config: Config, startedAt: Date): Promise<void> {
  const reportFile = await openReportFile();
  const stop = runStop(config.timeoutMs);
  try {
    await cleanUpUntilStopped(config, startedAt, reportFile, stop);
  } finally {
    stop.dispose();
  }
}

async function cleanUpUntilStopped(
  config: Config,
  startedAt: Date,
  reportFile: ReportFile | undefined,
  stop: RunStop,
): Promise<void> {
  const redact = secretRedactor(process.env);
  const proxy = proxyLine(process.env);
  if (proxy) core.info(proxy);
  const clients = new RegionalClients(config.region, (region) =>
    createS3Client({ ...config, region, proxyEnv: process.env, stop: stop.signal }),
  );
  const report = new RunReport();
  const traffic = AbortTraffic.for(config.concurrency, stop.signal);
  let buckets: BucketAccess[] = [];
  let lifecycleChecks: Promise<BucketLifecycle[]> | undefined;
  let clockOffsetMs = 0;
  let crash: string | undefined;
  try {
    buckets = await Promise.all(
      config.buckets.map((bucket) => probeBucket(clients, bucket, stop.signal)),
    );
    clockOffsetMs = storeClockOffset(buckets);
    logBuckets(buckets, config.region);
    // Read while the cleanup runs: one small request per bucket, needed only at the end.
    if (config.checkLifecycle) {
      lifecycleChecks = Promise.all(
        buckets.map(async (access) => ({
          bucket: access.bucket,
          check: redactCheck(await checkLifecycle(access, config.prefixes, stop.signal), redact),
        })),
      );
    }
    const storeStart = startedAt.getTime() + clockOffsetMs;
    const plan: Omit<CleanupPlan, 'sendAbort'> = {
      cutoff: cutoffOf(startedAt, clockOffsetMs, config),
      dryRun: config.dryRun,
      traffic,
      stop: stop.signal,
      isExcluded: excludeMatcher(config.exclude),
      budget: config.limit > 0 ? { remaining: config.limit } : undefined,
      measureSize: config.reportBytes,
    };
    const outcomes = { report, reportFile, storeStart, redact };
    for (const target of targetsOf(config)) {
      const { client, listing, sendAbort } = buckets.find((b) => b.bucket === target.bucket)!;
      const events = cleanTarget(client, target, { ...plan, listing, sendAbort });
      await cleanTargetInGroup(events, target, outcomes);
    }
  } catch (error) {
    // A bug, not an S3 error (those become outcomes): still report what was done.
    crash = redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  const lifecycle = (await lifecycleChecks) ?? [];
  clients.destroy();
  await reportFile?.close();
  for (const { bucket, check } of lifecycle) core.info(lifecycleLine(bucket, check));

  core.info(
    `Total: ${formatCounts(report.totals)}${config.dryRun ? ' (dry run: nothing aborted)' : ''}`,
  );
  const pace = traffic.summary();
  // Only a run that sent aborts has a number in flight to tell of.
  if (pace.sent > 0) core.info(trafficLine(pace));
  if (report.unmeasuredReason !== undefined) {
    // Said once: the cause (usually a missing permission) is the same for every upload.
    core.warning(
      `Could not measure the size of ${report.unmeasured} uploads (they were handled all the same): ${report.unmeasuredReason}`,
    );
  }
  writeOutputs(report, reportFile?.path, lifecycle);
  const run: RunDescription = {
    ...describeRun(startedAt, clockOffsetMs, config, {
      ...context,
      repository: process.env.GITHUB_REPOSITORY,
    }),
    buckets,
    lifecycle,
    stoppedBecause: stop.stoppedBecause(),
    traffic: pace.sent > 0 ? pace : undefined,
  };
  await writeSummary(renderSummary(report, run));

  const trouble = troubleOf(report, run.stoppedBecause);
  if (crash !== undefined) {
    core.setFailed(`The cleanup stopped unexpectedly: ${crash}`);
  } else if (trouble !== undefined) {
    const message = `${trouble} (see the log and the job summary)`;
    // A cancelled step fails whatever fail-on-error says: its job is cancelled anyway.
    if (config.failOnError || stop.cancelled()) core.setFailed(message);
    else core.warning(`${message}; not failing the step because fail-on-error is false`);
  }
}

/** Below this, a difference between the clocks is only the Date header's whole seconds. */
const CLOCK_SKEW_NOTICE_MS = 5_000;

/** The store's clock offset, from the first bucket whose answer gave it. */
function storeClockOffset(buckets: BucketAccess[]): number {
  const offsetMs = buckets.find((access) => access.clockOffsetMs !== undefined)?.clockOffsetMs;
  if (offsetMs === undefined) {
    core.info(`Could not read the store's clock; ages are measured by this runner's clock.`);
    return 0;
  }
  if (Math.abs(offsetMs) >= CLOCK_SKEW_NOTICE_MS) {
    core.info(
      `The store's clock is ${formatAge(Math.abs(offsetMs))} ${offsetMs > 0 ? 'ahead of' : 'behind'} this runner's; ages are measured by the store's clock.`,
    );
  }
  return offsetMs;
}

function logBuckets(buckets: BucketAccess[], defaultRegion: string): void {
  for (const access of buckets)
    bucketLines(access, defaultRegion).forEach((line) => core.info(line));
  const onMinio = buckets.filter((access) => access.listing === 'minio');
  if (onMinio.length > 0) {
    const names = onMinio.map((access) => `s3://${access.bucket}`).join(', ');
    core.notice(`${names}: ${MINIO_CAVEAT}`);
  }
}

/**
 * The JSON Lines report, in the runner's temporary directory (emptied after the job). A
 * directory that cannot be written to costs the report, not the cleanup.
 */
async function openReportFile(): Promise<ReportFile | undefined> {
  const directory = process.env.RUNNER_TEMP || tmpdir();
  const path = join(directory, `s3-multipart-cleanup-${randomUUID().slice(0, 8)}.jsonl`);
  try {
    return await ReportFile.create(path);
  } catch (error) {
    core.warning(
      `Could not create the report file (${error instanceof Error ? error.message : String(error)}); report-path stays empty.`,
    );
    return undefined;
  }
}

/**
 * One target's outcomes, in a log group of its own, into the report, the log and the report
 * file, as they arrive.
 */
async function cleanTargetInGroup(
  events: AsyncIterable<CleanupEvent>,
  target: Target,
  into: {
    report: RunReport;
    reportFile: ReportFile | undefined;
    storeStart: number;
    redact: (text: string) => string;
  },
): Promise<void> {
  const { report, reportFile, storeStart, redact } = into;
  const { counts } = report.addTarget(target);
  // Read once: it is the environment, and each read costs as much as the log line it guards.
  const debug = core.isDebug();
  await core.group(`Cleaning ${describeTarget(target)}`, async () => {
    for await (const event of events) {
      const safeEvent = redactEvent(event, redact);
      report.record(safeEvent);
      logEvent(safeEvent, storeStart, debug);
      if (safeEvent.kind === 'upload') await reportFile?.write(safeEvent, storeStart);
    }
    core.info(`${describeTarget(target)}: ${formatCounts(counts)}`);
  });
}

function logEvent(event: CleanupEvent, nowMs: number, debug: boolean): void {
  if (event.kind === 'listing-failed') {
    core.error(`Listing ${describeTarget(event.target)} failed: ${event.error}`);
    return;
  }
  // Every other upload is a debug line: not built at all unless debug logging is on, as
  // writing one per upload costs more than the rest of the action's own code.
  if (event.result === 'failed') core.info(outcomeLine(event, nowMs));
  else if (event.result !== 'kept' && debug) core.debug(outcomeLine(event, nowMs));
}

function writeOutputs(
  report: RunReport,
  reportFilePath: string | undefined,
  lifecycle?: BucketLifecycle[],
): void {
  for (const [name, value] of Object.entries(outputsOf(report, reportFilePath, lifecycle))) {
    core.setOutput(name, value);
  }
}

async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    // Outside a runner there is no summary file; the log already says everything.
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
