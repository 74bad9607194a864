// Ends `npm test` with one line of counts per suite (unit, integration, e2e), and fails the
// run when a suite it expects ran no test or skipped one: a skipped suite must not look green.
//
// In CI (jest's `ci`: the CI variable is set, as on GitHub Actions, or `--ci`, which .ci/run
// passes) it expects every suite CI must run (`required`), whatever S3_STORES or a filter
// left out. Elsewhere a developer may run a subset: a run with no filter expects the suites
// jest.config.js made of S3_STORES, `--selectProjects` the ones selected, and a filter on
// test paths or names (which counts what it leaves out as skipped) none.
export default class SuiteCountsReporter {
  #globalConfig;
  #options;
  #error;

  /**
   * `suites`: the display names of the projects jest.config.js made; `required`: those a CI
   * run must run.
   */
  constructor(globalConfig, { suites = [], required = [] } = {}) {
    this.#globalConfig = globalConfig;
    this.#options = { suites, required };
  }

  onRunComplete(contexts, results) {
    const config = this.#globalConfig;
    const { error, closing } = checkSuites({
      ...this.#options,
      ci: Boolean(config.ci),
      filtered: Boolean(
        config.testPathPattern ||
        config.testNamePattern ||
        config.onlyChanged ||
        config.findRelatedTests,
      ),
      selected: process.argv.some((arg) => /^--(select|ignore)Projects/.test(arg)),
      ran: [...contexts].map((context) => context.config.displayName?.name ?? 'tests'),
      results,
    });
    this.#error = error;
    // Jest prints its own summary after every custom reporter; this line belongs last.
    process.once('exit', () => process.stderr.write(closing));
  }

  getLastError() {
    return this.#error;
  }
}

/**
 * The run's verdict on its suites: an error when one it expects ran no test or skipped one,
 * and the closing line of counts. `ran`: the suites jest ran (its projects with tests).
 */
export function checkSuites(run) {
  const { required, ci, ran, results } = run;
  const expected = expectedSuites(run);
  const counts = countsBySuite([...expected, ...ran], results);
  const problems = [];
  for (const suite of expected) {
    const count = counts.get(suite);
    if (count.passed + count.failed === 0) problems.push(`${suite}: no tests ran`);
    if (count.skipped > 0) problems.push(`${suite}: ${count.skipped} skipped or todo`);
  }
  const error =
    problems.length === 0
      ? undefined
      : new Error(
          `incomplete${ci ? ' for CI, which runs every suite' : ''}: ${problems.join('; ')}`,
        );

  const passed =
    results.numFailedTests === 0 &&
    results.numRuntimeErrorTestSuites === 0 &&
    !results.snapshot.failure &&
    !error;
  const line = [...counts]
    .map(([suite, c]) => `${suite} ${c.passed} passed${c.failed ? `, ${c.failed} failed` : ''}`)
    .join(' · ');
  // Said even when a subset was asked for, so that a missing suite never goes unseen.
  const notRun = required.filter((suite) => !counts.has(suite));
  const notes = [
    notRun.length > 0 && !error ? `not run: ${notRun.join(', ')}` : '',
    error?.message ?? '',
  ].filter(Boolean);
  const closing = `${passed ? 'PASS' : 'FAIL'} ${line}${notes.map((note) => ` (${note})`).join('')}\n`;
  return { error, closing };
}

/** The suites that must have run, each with tests and none skipped (see the top). */
function expectedSuites({ suites, required, ci, filtered, selected, ran }) {
  if (ci) return [...new Set([...required, ...suites])];
  if (filtered) return [];
  return selected ? ran : suites;
}

/** Passed, failed and skipped tests of each suite: those given, in order, then any other. */
function countsBySuite(suites, results) {
  const counts = new Map();
  const countsOf = (suite) => {
    if (!counts.has(suite)) counts.set(suite, { passed: 0, failed: 0, skipped: 0 });
    return counts.get(suite);
  };
  suites.forEach(countsOf);
  for (const file of results.testResults) {
    const count = countsOf(file.displayName?.name ?? 'tests');
    count.passed += file.numPassingTests;
    count.failed += file.numFailingTests + (file.testExecError ? 1 : 0);
    count.skipped += file.numPendingTests + file.numTodoTests;
  }
  return counts;
}
