// The suites `npm test` runs: unit (mocks only), integration (the engine against a real S3
// server), e2e (the bundled dist/index.js as the runner runs it) and e2e:stand-ins (dist/
// against stand-ins of stores that cannot run here). Integration and e2e run once per store
// named in S3_STORES (see __tests__/support/store.ts), as `integration:rgw` etc.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

// The stores CI runs the suites against: the two that run on its machine.
const ciStores = ['rgw', 'swift'];
const stores = (process.env.S3_STORES ?? ciStores.join(' ')).split(/\s+/).filter(Boolean);

// A test file named `<name>.<store>.test.ts` needs what only that store does, and runs only
// against it (regions.rgw.test.ts: only RGW accepts a signature for any region).
const storeNames = ['rgw', 'swift', 'env'];
const onlyForOtherStores = (store) =>
  storeNames.filter((name) => name !== store).map((name) => `\\.${name}\\.test\\.ts$`);

const project = (suite, store) => ({
  ...shared,
  displayName: store ? `${suite}:${store}` : suite,
  testMatch: [`<rootDir>/__tests__/${suite}/**/*.test.ts`],
  testPathIgnorePatterns: ['/node_modules/', ...onlyForOtherStores(store)],
  globals: { S3_STORE: store },
});

const projectsFor = (storeList) => [
  project('unit'),
  ...['integration', 'e2e'].flatMap((suite) => storeList.map((store) => project(suite, store))),
  // dist/ against stand-ins of the stores that cannot run here (MinIO, directory buckets).
  { ...project('e2e-stand-ins'), displayName: 'e2e:stand-ins' },
];
const projects = projectsFor(stores);

/** @type {import('jest').Config} */
export default {
  projects,
  reporters: [
    'default',
    [
      '<rootDir>/__tests__/support/suite-counts-reporter.js',
      {
        suites: projects.map((p) => p.displayName),
        // What a CI run must run, whatever S3_STORES says (see the reporter).
        required: projectsFor(ciStores).map((p) => p.displayName),
      },
    ],
  ],
};
