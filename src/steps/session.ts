import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionalClients } from '../engine/regions.js';
import { createS3Client, REQUEST_TIMEOUT_MS } from '../engine/s3-client.js';
import { StoreContacts } from '../engine/store-contact.js';
import { AbortTraffic } from '../engine/traffic/traffic.js';
import type { Config } from '../config/inputs.js';
import { proxyLine } from '../report/log-lines.js';
import { secretRedactor } from '../runner/redact.js';
import { ReportFile } from '../report/report-file.js';
import { RunReport } from '../report/report.js';
import { runStop, type RunStop } from '../runner/run-stop.js';
import { messageOf, type Runner } from '../runner/runner.js';

/** What every step of one cleanup shares: its inputs, its stop, its clients and its tallies. */
export interface Session {
  config: Config;
  startedAt: Date;
  env: NodeJS.ProcessEnv;
  /** The timeout and the runner's cancel, as one signal for every request. */
  stop: RunStop;
  clients: RegionalClients;
  /** How many aborts are in flight, and at what pace: one for the whole run. */
  traffic: AbortTraffic;
  report: RunReport;
  reportFile: ReportFile | undefined;
  /** Hides the environment's secrets in any text that may quote the store. */
  redact: (text: string) => string;
}

export async function openSession(
  config: Config,
  startedAt: Date,
  env: NodeJS.ProcessEnv,
  runner: Runner,
): Promise<Session> {
  const reportFile = await openReportFile(env, runner);
  const stop = runStop(config.timeoutMs);
  const proxy = proxyLine(env);
  if (proxy) runner.info(proxy);
  // One for every region's client: a store found dead is given up by all of them.
  const contacts = new StoreContacts(REQUEST_TIMEOUT_MS);
  const clients = new RegionalClients(config.region, (region) =>
    createS3Client({ ...config, region, proxyEnv: env, stop: stop.signal, contacts }),
  );
  return {
    config,
    startedAt,
    env,
    stop,
    clients,
    traffic: AbortTraffic.for(config.concurrency, stop.signal),
    report: new RunReport(),
    reportFile,
    redact: secretRedactor(env),
  };
}

/**
 * The JSON Lines report, in the runner's temporary directory (emptied after the job). A
 * directory that cannot be written to costs the report, not the cleanup.
 */
async function openReportFile(
  env: NodeJS.ProcessEnv,
  runner: Runner,
): Promise<ReportFile | undefined> {
  const directory = env.RUNNER_TEMP || tmpdir();
  const path = join(directory, `s3-multipart-cleanup-${randomUUID().slice(0, 8)}.jsonl`);
  try {
    return await ReportFile.create(path);
  } catch (error) {
    runner.warning(
      `Could not create the report file (${messageOf(error)}); report-path stays empty.`,
    );
    return undefined;
  }
}
