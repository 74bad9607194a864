import type { Output } from '../config/constants.js';

/**
 * What the run says to the GitHub runner: the few calls of @actions/core it makes, handed
 * over by main.ts, the one module that imports it. The steps of the run take this instead,
 * so that they run the same under a test's stand-in.
 */
export interface Runner {
  info(message: string): void;
  debug(message: string): void;
  /** Whether debug logging is on: debug lines cost as much to build as to write. */
  isDebug(): boolean;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** A collapsible group of log lines around `work`. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  setOutput(name: Output, value: string | number): void;
  setFailed(message: string): void;
  /** Appends Markdown to the job summary file; throws outside a runner. */
  appendSummary(markdown: string): Promise<void>;
}

export function writeOutputs(runner: Runner, outputs: Record<Output, string | number>): void {
  for (const [name, value] of Object.entries(outputs)) runner.setOutput(name as Output, value);
}

export async function writeSummary(runner: Runner, markdown: string): Promise<void> {
  try {
    await runner.appendSummary(markdown);
  } catch (error) {
    // Outside a runner there is no summary file; the log already says everything.
    runner.warning(`Could not write the job summary: ${messageOf(error)}`);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
