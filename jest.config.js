// Three suites, each run by `npm test`: unit (mocks only), integration (the engine against a
// real S3 server) and e2e (the bundled dist/index.js as the runner runs it). The last two run
// once per store named in S3_STORES (see __tests__/support/store.ts), as `integration:rgw` etc.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

const stores = (process.env.S3_STORES ?? 'rgw swift').split(/\s+/).filter(Boolean);

const project = (suite, store) => ({
  ...shared,
  displayName: store ? `${suite}:${store}` : suite,
  testMatch: [`<rootDir>/__tests__/${suite}/**/*.test.ts`],
  globals: { S3_STORE: store },
});

const projects = [
  project('unit'),
  ...['integration', 'e2e'].flatMap((suite) => stores.map((store) => project(suite, store))),
];

/** @type {import('jest').Config} */
export default {
  projects,
  reporters: [
    'default',
    [
      '<rootDir>/__tests__/support/suite-counts-reporter.js',
      { suites: projects.map((p) => p.displayName) },
    ],
  ],
};
