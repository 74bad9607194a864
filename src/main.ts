import * as core from '@actions/core';
import { context } from '@actions/github';
import { Input, State } from './config/constants.js';
import { InputError, parseConfig, type Config } from './config/inputs.js';
import { outputsOf } from './report/outputs.js';
import { RunReport } from './report/report.js';
import type { WorkflowRun } from './report/run-description.js';
import { writeOutputs, writeSummary, type Runner } from './runner/runner.js';
import { checkLifecycles } from './steps/check-lifecycle.js';
import { cleanTargets } from './steps/clean-targets.js';
import { finishRun, type RunProgress } from './steps/finish.js';
import { probeBuckets } from './steps/probe-buckets.js';
import { protectBuckets } from './steps/protect-buckets.js';
import { resolveBuckets } from './steps/resolve-buckets.js';
import { openSession, type Session } from './steps/session.js';
import { renderInputErrorSummary } from './report/summary/render.js';

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
    writeOutputs(runner, outputsOf(new RunReport(), undefined));
    await writeSummary(runner, renderInputErrorSummary(error.message));
    runner.setFailed(`Invalid input; nothing was listed or aborted.\n${error.message}`);
    return undefined;
  }
}

/**
 * The run: find the buckets of the patterns, probe the buckets, read their lifecycle rules
 * while each target is cleaned, add the missing abort rules if asked, then report. Whatever
 * happens on the way, the report says what was done.
 */
async function cleanUp(config: Config, startedAt: Date): Promise<void> {
  const session = await openSession(config, startedAt, process.env, runner);
  const progress: RunProgress = {};
  try {
    await runSteps(session, progress);
  } catch (error) {
    // A bug, not an S3 error (those become outcomes): still report what was done.
    progress.crash = session.redact(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  try {
    await finishRun(session, progress, workflowRun(), runner);
  } finally {
    session.stop.dispose();
  }
}

async function runSteps(session: Session, progress: RunProgress): Promise<void> {
  const resolved = await resolveBuckets(session, runner);
  progress.patterns = resolved.patterns;
  const probed = await probeBuckets(session, resolved, runner);
  progress.probed = probed;
  const checks = checkLifecycles(session, probed.buckets);
  progress.lifecycle = checks;
  await cleanTargets(session, probed, runner);
  if (checks)
    progress.lifecycle = await protectBuckets(session, probed.buckets, await checks, runner);
}

/** The workflow run this step belongs to, for the summary's links. */
function workflowRun(): WorkflowRun {
  return { ...context, repository: process.env.GITHUB_REPOSITORY };
}

/** @actions/core, as the steps of the run use it. */
const runner: Runner = {
  info: (message) => core.info(message),
  debug: (message) => core.debug(message),
  isDebug: () => core.isDebug(),
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  group: (name, work) => core.group(name, work),
  setOutput: (name, value) => core.setOutput(name, value),
  setFailed: (message) => core.setFailed(message),
  appendSummary: async (markdown) => {
    await core.summary.addRaw(markdown).write();
  },
};
