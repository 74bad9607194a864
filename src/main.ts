import * as core from '@actions/core';
import { context } from '@actions/github';
import type { S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Input, Output, State } from './constants.js';
import { formatAge } from './duration.js';
import { cleanTarget, type CleanupPlan } from './engine/cleanup.js';
import { measureClockOffset } from './engine/clock.js';
import { excludeMatcher } from './engine/exclude.js';
import { createS3Client } from './engine/s3-client.js';
import type { CleanupEvent, Target } from './engine/types.js';
import { InputError, parseConfig, type Config } from './inputs.js';
import { ReportFile } from './report-file.js';
import { formatCounts, RunReport } from './report.js';
import { runTimeout } from './run-timeout.js';
import { renderInputErrorSummary, renderSummary, type RunDescription } from './summary.js';
import { visible } from './text.js';

/** The main step. With `when: post` it only checks the inputs and leaves the work to runPost. */
export async function run(): Promise<void> {
  const startedAt = new Date();
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
export async function runPost(): Promise<void> {
  const startedAt = new Date();
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
  const redact = secretRedactor(process.env);
  const reportFile = await openReportFile();
  const timeout = runTimeout(config.timeoutMs);
  const client = createS3Client(config);
  const report = new RunReport();
  let clockOffsetMs = 0;
  let cutoff = new Date(startedAt.getTime() - config.maxAgeMs);
  let crash: string | undefined;
  try {
    clockOffsetMs = await storeClockOffset(client, config.buckets[0], timeout.signal);
    const storeStart = startedAt.getTime() + clockOffsetMs;
    cutoff = new Date(storeStart - config.maxAgeMs);
    const plan: CleanupPlan = {
      cutoff,
      dryRun: config.dryRun,
      concurrency: config.concurrency,
      stop: timeout.signal,
      isExcluded: excludeMatcher(config.exclude),
      budget: config.limit > 0 ? { remaining: config.limit } : undefined,
      measureSize: config.reportBytes,
    };
    for (const target of targetsOf(config)) {
      const { counts } = report.addTarget(target);
      await core.group(`Cleaning ${describeTarget(target)}`, async () => {
        for await (const event of cleanTarget(client, target, plan)) {
          const safeEvent = redactEvent(event, redact);
          report.record(safeEvent);
          logEvent(safeEvent, storeStart);
          if (safeEvent.kind === 'upload') await reportFile?.write(safeEvent, storeStart);
        }
        core.info(`${describeTarget(target)}: ${formatCounts(counts)}`);
      });
    }
  } catch (error) {
    // A bug, not an S3 error (those become outcomes): still report what was done.
    crash = redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    timeout.clear();
    client.destroy();
    await reportFile?.close();
  }

  core.info(
    `Total: ${formatCounts(report.totals)}${config.dryRun ? ' (dry run: nothing aborted)' : ''}`,
  );
  if (report.unmeasuredReason !== undefined) {
    // Said once: the cause (usually a missing permission) is the same for every upload.
    core.warning(
      `Could not measure the size of ${report.unmeasured} uploads (they were handled all the same): ${report.unmeasuredReason}`,
    );
  }
  writeOutputs(report, reportFile?.path);
  const run: RunDescription = {
    ...describeRun(startedAt, cutoff, config),
    clockOffsetMs,
    stoppedBecause: timeout.stoppedBecause(),
  };
  await writeSummary(renderSummary(report, run));

  if (crash !== undefined) {
    core.setFailed(`The cleanup stopped unexpectedly: ${crash}`);
  } else if (report.failureText !== undefined) {
    const stopped = run.stoppedBecause ? `Stopped: ${run.stoppedBecause}; ` : '';
    const message = `${stopped}${report.failureText} (see the log and the job summary)`;
    if (config.failOnError) core.setFailed(message);
    else core.warning(`${message}; not failing the step because fail-on-error is false`);
  }
}

/** Below this, a difference between the clocks is only the Date header's whole seconds. */
const CLOCK_SKEW_NOTICE_MS = 5_000;

async function storeClockOffset(
  client: S3Client,
  bucket: string,
  signal: AbortSignal,
): Promise<number> {
  const offsetMs = await measureClockOffset(client, bucket, signal);
  if (offsetMs === undefined) {
    core.info(
      `Could not read the store's clock from s3://${bucket}; ages are measured by this runner's clock.`,
    );
    return 0;
  }
  if (Math.abs(offsetMs) >= CLOCK_SKEW_NOTICE_MS) {
    core.info(
      `The store's clock is ${formatAge(Math.abs(offsetMs))} ${offsetMs > 0 ? 'ahead of' : 'behind'} this runner's; ages are measured by the store's clock.`,
    );
  }
  return offsetMs;
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

function redactEvent(event: CleanupEvent, redact: (text: string) => string): CleanupEvent {
  if (event.kind === 'listing-failed') return { ...event, error: redact(event.error) };
  if (event.error === undefined && event.sizeError === undefined) return event;
  return {
    ...event,
    error: event.error && redact(event.error),
    sizeError: event.sizeError && redact(event.sizeError),
  };
}

function targetsOf(config: Config): Target[] {
  return config.buckets.flatMap((bucket) => config.prefixes.map((prefix) => ({ bucket, prefix })));
}

function describeTarget(target: Target): string {
  return target.prefix === ''
    ? `s3://${target.bucket} (whole bucket)`
    : `s3://${target.bucket}/${visible(target.prefix)}`;
}

function logEvent(event: CleanupEvent, nowMs: number): void {
  if (event.kind === 'listing-failed') {
    core.error(`Listing ${describeTarget(event.target)} failed: ${event.error}`);
    return;
  }
  const { upload, result } = event;
  // Every other upload is a debug line: not built at all unless debug logging is on, as
  // writing one per upload costs more than the rest of the action's own code.
  if (result === 'kept' || (result !== 'failed' && !core.isDebug())) return;
  const age = upload.initiated ? formatAge(nowMs - upload.initiated.getTime()) : '?';
  const line = `${result}: ${JSON.stringify(visible(upload.key))} upload ${visible(upload.uploadId)} (age ${age})`;
  if (result === 'failed') core.info(`${line}: ${event.error ?? ''}`);
  else core.debug(line);
}

function writeOutputs(report: RunReport, reportFilePath: string | undefined): void {
  const { totals } = report;
  core.setOutput(Output.AbortedCount, totals.aborted);
  core.setOutput(Output.MatchedCount, totals.matched);
  core.setOutput(Output.FoundCount, totals.found);
  core.setOutput(Output.FailedCount, totals.failed);
  core.setOutput(Output.GoneCount, totals.gone);
  core.setOutput(Output.ExcludedCount, totals.excluded);
  core.setOutput(Output.LeftCount, totals.left);
  core.setOutput(Output.BytesFreed, totals.bytes);
  core.setOutput(Output.PartsFreed, totals.parts);
  core.setOutput(Output.ReportPath, reportFilePath ?? '');
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

function describeRun(startedAt: Date, cutoff: Date, config: Config): RunDescription {
  const run: RunDescription = {
    startedAt,
    cutoff,
    maxAgeMs: config.maxAgeMs,
    dryRun: config.dryRun,
    reportBytes: config.reportBytes,
    limit: config.limit,
  };
  const repository = process.env.GITHUB_REPOSITORY;
  if (repository) {
    const repositoryUrl = `${context.serverUrl}/${repository}`;
    run.repository = { name: repository, url: repositoryUrl };
    if (context.runId) {
      run.run = {
        label: `${context.workflow} #${context.runNumber}`,
        url: `${repositoryUrl}/actions/runs/${context.runId}`,
      };
    }
  }
  return run;
}

/**
 * Replaces credentials that the environment holds wherever they might surface, as a last
 * line of defence: no message is built from them, but an SDK or a store could echo one.
 * (Not core.setSecret: that prints the value in an ::add-mask:: command, which any runner
 * that does not understand it, or a local run, would show.)
 */
function secretRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 8,
  );
  return (text) => secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}
