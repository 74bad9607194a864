// Ends `npm test` with one line of counts per suite (unit, integration, e2e), and fails the run
// when a suite that was selected ran no test or skipped one: a skipped suite must not look green.
export default class SuiteCountsReporter {
  #globalConfig;
  #suites;
  #error;

  /** `suites`: the display names of every project `npm test` must run. */
  constructor(globalConfig, { suites = [] } = {}) {
    this.#globalConfig = globalConfig;
    this.#suites = suites;
  }

  onRunComplete(contexts, results) {
    const counts = new Map();
    const countsOf = (suite) => {
      if (!counts.has(suite)) counts.set(suite, { passed: 0, failed: 0, skipped: 0 });
      return counts.get(suite);
    };
    if (this.#unfiltered()) this.#suites.forEach(countsOf);
    for (const context of contexts) countsOf(context.config.displayName?.name ?? 'tests');
    for (const file of results.testResults) {
      const count = countsOf(file.displayName?.name ?? 'tests');
      count.passed += file.numPassingTests;
      count.failed += file.numFailingTests + (file.testExecError ? 1 : 0);
      count.skipped += file.numPendingTests + file.numTodoTests;
    }

    const problems = [];
    for (const [suite, count] of counts) {
      if (this.#unfiltered() && count.skipped > 0)
        problems.push(`${suite}: ${count.skipped} skipped or todo`);
      if (this.#unfiltered() && count.passed + count.failed === 0) {
        problems.push(`${suite}: no tests ran`);
      }
    }
    if (problems.length > 0) this.#error = new Error(`incomplete: ${problems.join('; ')}`);

    const passed =
      results.numFailedTests === 0 &&
      results.numRuntimeErrorTestSuites === 0 &&
      !results.snapshot.failure &&
      !this.#error;
    const verdict = passed ? 'PASS' : 'FAIL';
    const line = [...counts]
      .map(([suite, c]) => `${suite} ${c.passed} passed${c.failed ? `, ${c.failed} failed` : ''}`)
      .join(' · ');
    const closing = `${verdict} ${line}${this.#error ? ` (${this.#error.message})` : ''}\n`;
    // Jest prints its own summary after every custom reporter; this line belongs last.
    process.once('exit', () => process.stderr.write(closing));
  }

  getLastError() {
    return this.#error;
  }

  /** True when the whole run was asked for: no test path, name or project filter. */
  #unfiltered() {
    const config = this.#globalConfig;
    const projectFlags = process.argv.some((arg) => /^--(select|ignore)Projects/.test(arg));
    return (
      !projectFlags &&
      !config.testPathPattern &&
      !config.testNamePattern &&
      !config.onlyChanged &&
      !config.findRelatedTests
    );
  }
}
