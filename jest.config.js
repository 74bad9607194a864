// Three suites, each run by `npm test`: unit (mocks only), integration (the engine against a
// real S3 server on 127.0.0.1) and e2e (the bundled dist/index.js as the runner runs it).
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

const suites = ['unit', 'integration', 'e2e'];

/** @type {import('jest').Config} */
export default {
  projects: suites.map((suite) => ({
    ...shared,
    displayName: suite,
    testMatch: [`<rootDir>/__tests__/${suite}/**/*.test.ts`],
  })),
  reporters: ['default', ['<rootDir>/__tests__/support/suite-counts-reporter.js', { suites }]],
};
