import type { Config } from './inputs.js';
import type { RunDescription } from './summary/render.js';

/** The workflow run the step belongs to, as the runner describes it. */
export interface WorkflowRun {
  serverUrl: string;
  /** `owner/repo`; absent outside a runner. */
  repository: string | undefined;
  /** NaN when the runner does not say, as under local-action. */
  runId: number;
  /** Empty when the runner does not say. */
  workflow: string;
  /** NaN when the runner does not say. */
  runNumber: number;
}

/** Uploads initiated at or before it are stale: max-age before the step started, by the store's clock. */
export function cutoffOf(startedAt: Date, clockOffsetMs: number, config: Config): Date {
  return new Date(startedAt.getTime() + clockOffsetMs - config.maxAgeMs);
}

/** What the summary says of the run besides its counts: when, which cutoff, where. */
export function describeRun(
  startedAt: Date,
  clockOffsetMs: number,
  config: Config,
  workflow: WorkflowRun,
): RunDescription {
  const run: RunDescription = {
    startedAt,
    cutoff: cutoffOf(startedAt, clockOffsetMs, config),
    clockOffsetMs,
    maxAgeMs: config.maxAgeMs,
    dryRun: config.dryRun,
    reportBytes: config.reportBytes,
    limit: config.limit,
    initiatedBy: config.initiatedBy.length > 0,
    defaultRegion: config.region,
    storagePrice: config.storagePrice,
  };
  const { repository } = workflow;
  if (repository) {
    const repositoryUrl = `${workflow.serverUrl}/${repository}`;
    run.repository = { name: repository, url: repositoryUrl };
    if (isRunNumber(workflow.runId)) {
      run.run = {
        label: runLabel(workflow),
        url: `${repositoryUrl}/actions/runs/${workflow.runId}`,
      };
    }
  }
  return run;
}

/** The run link's text: the workflow and its run number, with a plain word for what is unset. */
export function runLabel(workflow: Pick<WorkflowRun, 'workflow' | 'runNumber' | 'runId'>): string {
  const name = workflow.workflow?.trim() || 'Workflow run';
  return isRunNumber(workflow.runNumber)
    ? `${name} #${workflow.runNumber}`
    : `${name} ${workflow.runId}`;
}

/** The runner's numbers arrive as parsed text: NaN or 0 when a variable is unset or empty. */
function isRunNumber(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
