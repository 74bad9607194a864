import * as core from '@actions/core';
import { context } from '@actions/github';
import { Input, Output } from './constants.js';
import { formatAge } from './duration.js';
import { cleanTarget } from './engine/cleanup.js';
import { createS3Client } from './engine/s3-client.js';
import type { CleanupEvent, Target } from './engine/types.js';
import { InputError, parseConfig, type Config } from './inputs.js';
import { formatCounts, RunReport } from './report.js';
import { renderInputErrorSummary, renderSummary, type RunDescription } from './summary.js';
import { visible } from './text.js';

/** The action: the only module that talks to the runner (inputs, logs, outputs, summary). */
export async function run(): Promise<void> {
  const startedAt = new Date();
  const redact = secretRedactor(process.env);
  let config: Config;
  try {
    config = parseConfig((name) => core.getInput(name), process.env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    writeOutputs(new RunReport());
    await writeSummary(renderInputErrorSummary(error.message));
    core.setFailed(`Invalid input; nothing was listed or aborted.\n${error.message}`);
    return;
  }

  const cutoff = new Date(startedAt.getTime() - config.maxAgeMs);
  const timeout = runTimeout(config.timeoutMs);
  const plan = {
    cutoff,
    dryRun: config.dryRun,
    concurrency: config.concurrency,
    stop: timeout.signal,
  };
  const report = new RunReport();
  const client = createS3Client(config);
  let crash: string | undefined;
  try {
    for (const target of targetsOf(config)) {
      const { counts } = report.addTarget(target);
      await core.group(`Cleaning ${describeTarget(target)}`, async () => {
        for await (const event of cleanTarget(client, target, plan)) {
          const safeEvent =
            event.error === undefined ? event : { ...event, error: redact(event.error) };
          report.record(safeEvent);
          logEvent(safeEvent, startedAt);
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
  }

  core.info(
    `Total: ${formatCounts(report.totals)}${config.dryRun ? ' (dry run: nothing aborted)' : ''}`,
  );
  writeOutputs(report);
  const run = {
    ...describeRun(startedAt, cutoff, config),
    stoppedBecause: timeout.stoppedBecause(),
  };
  await writeSummary(renderSummary(report, run));

  if (crash !== undefined) {
    core.setFailed(`The cleanup stopped unexpectedly: ${crash}`);
  } else if (report.failureText !== undefined) {
    const stopped = timeout.stoppedBecause() ? `Stopped: ${timeout.stoppedBecause()}; ` : '';
    const message = `${stopped}${report.failureText} (see the log and the job summary)`;
    if (config.failOnError) core.setFailed(message);
    else core.warning(`${message}; not failing the step because fail-on-error is false`);
  }
}

// setTimeout fires at once for delays beyond 2^31-1 ms (24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

interface RunTimeout {
  /** Fires at the time limit; the engine then starts nothing new. */
  signal: AbortSignal;
  /** Why the run stopped early, once the limit was reached. */
  stoppedBecause: () => string | undefined;
  clear: () => void;
}

function runTimeout(timeoutMs: number): RunTimeout {
  const controller = new AbortController();
  const reason = new Error(
    `the run reached its timeout (${Input.Timeout}: ${formatAge(timeoutMs)})`,
  );
  const timer = setTimeout(() => controller.abort(reason), Math.min(timeoutMs, MAX_TIMER_MS));
  return {
    signal: controller.signal,
    stoppedBecause: () => (controller.signal.aborted ? reason.message : undefined),
    clear: () => clearTimeout(timer),
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

function logEvent(event: CleanupEvent, startedAt: Date): void {
  if (event.kind === 'listing-failed') {
    core.error(`Listing ${describeTarget(event.target)} failed: ${event.error}`);
    return;
  }
  const { upload, result } = event;
  if (result === 'kept') return;
  const age = upload.initiated ? formatAge(startedAt.getTime() - upload.initiated.getTime()) : '?';
  const line = `${result}: ${JSON.stringify(visible(upload.key))} upload ${visible(upload.uploadId)} (age ${age})`;
  if (result === 'failed') core.info(`${line}: ${event.error ?? ''}`);
  else core.debug(line);
}

function writeOutputs(report: RunReport): void {
  const { totals } = report;
  core.setOutput(Output.AbortedCount, totals.aborted);
  core.setOutput(Output.MatchedCount, totals.matched);
  core.setOutput(Output.FoundCount, totals.found);
  core.setOutput(Output.FailedCount, totals.failed);
  core.setOutput(Output.GoneCount, totals.gone);
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
