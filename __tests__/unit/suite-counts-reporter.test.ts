import { describe, expect, it } from '@jest/globals';
import { checkSuites, type FileResult, type SuiteRun } from '../support/suite-counts-reporter.js';

// The check that ends `npm test`: a suite that ran nothing, or skipped a test, must fail the
// run wherever it was expected, and in CI every suite is expected.
const all = [
  'unit',
  'integration:rgw',
  'integration:swift',
  'e2e:rgw',
  'e2e:swift',
  'e2e:stand-ins',
];

const file = (suite: string, passed: number, skipped = 0): FileResult => ({
  displayName: { name: suite },
  numPassingTests: passed,
  numFailingTests: 0,
  numPendingTests: skipped,
  numTodoTests: 0,
});

/** A green run of these suites' files, as jest.config.js made them of S3_STORES. */
function run(files: FileResult[], options: Partial<SuiteRun> = {}): SuiteRun {
  const ran = [...new Set(files.map((f) => f.displayName?.name ?? 'tests'))];
  return {
    suites: all,
    required: all,
    ci: false,
    filtered: false,
    selected: false,
    ran,
    results: {
      numFailedTests: 0,
      numRuntimeErrorTestSuites: 0,
      snapshot: { failure: false },
      testResults: files,
    },
    ...options,
  };
}

const everySuite = all.map((suite) => file(suite, 3));
// S3_STORES="": jest.config.js makes no integration or e2e suite of a store.
const withoutStores = [file('unit', 3), file('e2e:stand-ins', 3)];
const storeless = { suites: ['unit', 'e2e:stand-ins'] };

describe('checkSuites', () => {
  it('passes a run of every suite, each with tests and none skipped', () => {
    const { error, closing } = checkSuites(run(everySuite, { ci: true }));
    expect(error).toBeUndefined();
    expect(closing).toBe(`PASS ${all.map((suite) => `${suite} 3 passed`).join(' · ')}\n`);
  });

  it('fails a CI run without the stores’ suites (S3_STORES="")', () => {
    const { error, closing } = checkSuites(run(withoutStores, { ...storeless, ci: true }));
    expect(error?.message).toBe(
      'incomplete for CI, which runs every suite: integration:rgw: no tests ran; integration:swift: no tests ran; e2e:rgw: no tests ran; e2e:swift: no tests ran',
    );
    expect(closing).toMatch(/^FAIL unit 3 passed · integration:rgw 0 passed · /);
  });

  it.each([
    ['a project filter', { selected: true }],
    ['a test name or path filter', { filtered: true }],
  ])('fails a CI run cut short by %s', (_, filter) => {
    const { error } = checkSuites(run([file('unit', 3)], { ci: true, ...filter }));
    expect(error?.message).toMatch(/^incomplete for CI, which runs every suite: integration:rgw/);
  });

  it('fails a suite with a skipped test, in CI and in a full run', () => {
    const skipping = [...everySuite, file('e2e:swift', 2, 1)];
    for (const ci of [true, false]) {
      expect(checkSuites(run(skipping, { ci })).error?.message).toMatch(
        /: e2e:swift: 1 skipped or todo$/,
      );
    }
  });

  it('lets a developer run a subset, and says which suites did not run', () => {
    const { error, closing } = checkSuites(run(withoutStores, storeless));
    expect(error).toBeUndefined();
    expect(closing).toBe(
      'PASS unit 3 passed · e2e:stand-ins 3 passed (not run: integration:rgw, integration:swift, e2e:rgw, e2e:swift)\n',
    );
  });

  it('checks the projects a developer selected, and nothing under a name filter', () => {
    const selected = checkSuites(run([file('unit', 0, 2)], { selected: true }));
    expect(selected.error?.message).toBe('incomplete: unit: no tests ran; unit: 2 skipped or todo');
    const named = checkSuites(run([file('unit', 1, 352)], { filtered: true }));
    expect(named.error).toBeUndefined();
  });
});
