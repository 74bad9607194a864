// Types for the reporter, which is plain JavaScript because jest loads it untransformed.

/** What the reporter reads of one test file's results. */
export interface FileResult {
  displayName?: { name: string };
  numPassingTests: number;
  numFailingTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testExecError?: unknown;
}

export interface RunResults {
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  snapshot: { failure: boolean };
  testResults: FileResult[];
}

export interface SuiteRun {
  /** The suites jest.config.js made (of S3_STORES). */
  suites: string[];
  /** The suites a CI run must run. */
  required: string[];
  /** jest's `ci`: the CI variable, or --ci. */
  ci: boolean;
  /** A filter on test paths or names. */
  filtered: boolean;
  /** --selectProjects or --ignoreProjects. */
  selected: boolean;
  /** The suites jest ran. */
  ran: string[];
  results: RunResults;
}

export function checkSuites(run: SuiteRun): { error: Error | undefined; closing: string };

export default class SuiteCountsReporter {
  constructor(globalConfig: unknown, options?: { suites?: string[]; required?: string[] });
  onRunComplete(contexts: Set<unknown>, results: RunResults): void;
  getLastError(): Error | undefined;
}
