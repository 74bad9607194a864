import type { PatternMatch } from '../engine/buckets.js';
import type { BucketAccess } from '../engine/probe.js';
import type { TrafficSummary } from '../engine/traffic/traffic.js';
import type { Config, StoragePrice } from '../config/inputs.js';
import type { BucketLifecycle } from './summary/lifecycle.js';

/** Where and how the run happened, for the summary's opening lines. */
export interface RunDescription {
  startedAt: Date;
  cutoff: Date;
  maxAgeMs: number;
  dryRun: boolean;
  /** How far the store's clock is ahead of the runner's: ages are by the store's clock. */
  clockOffsetMs?: number;
  /** Whether sizes were measured (report-bytes). */
  reportBytes?: boolean;
  /** The price the measured bytes' monthly cost is shown at, if any. */
  storagePrice?: StoragePrice;
  /** Whether `initiated-by` names the initiators whose uploads may be aborted. */
  initiatedBy?: boolean;
  /** The run's limit on aborts, if any. */
  limit?: number;
  /** Why the run stopped before finishing (its timeout, a cancel), if it did. */
  stoppedBecause?: string;
  /** The region of buckets that do not say otherwise (the `region` input). */
  defaultRegion?: string;
  /** What the run learned of each bucket before cleaning it. */
  buckets?: Array<Pick<BucketAccess, 'bucket' | 'region' | 'listing'>>;
  /** What each pattern of `bucket` matched. */
  patterns?: PatternMatch[];
  /** Each bucket's lifecycle rules, when they were checked (check-lifecycle). */
  lifecycle?: BucketLifecycle[];
  /** How the aborts were sent, when any were. */
  traffic?: TrafficSummary;
  /** `owner/repo`, with links, when running on GitHub. */
  repository?: { name: string; url: string };
  run?: { label: string; url: string };
}

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
