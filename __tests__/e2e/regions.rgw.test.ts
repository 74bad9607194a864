import { describe, expect, it, jest } from '@jest/globals';
import { regionsOfAmazonS3 } from '../support/aws-regions.js';
import { useFaultProxy } from '../support/fault-proxy.js';
import { summaryDom, tableAfter } from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// Buckets in three regions of Amazon S3, played by a proxy in front of RGW that answers as S3
// does to a request signed for the wrong region. RGW accepts a signature for any region, so
// correctly signed requests go through to it (Swift accepts only us-east-1: RGW only).
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

describe('dist/index.js with buckets in several regions', () => {
  it('learns each bucket region once, and cleans it with a client for that region', async () => {
    const home = await newBucket('e2e-region-home');
    const dublin = await newBucket('e2e-region-dublin');
    const sydney = await newBucket('e2e-region-sydney');
    const buckets = [home, dublin, sydney];
    const seeded = await Promise.all(
      buckets.map((bucket) =>
        seedStaleUploads(seeder, bucket, ['ci/a', 'ci/b', 'tmp/c', 'keep/d']),
      ),
    );
    const regionOf = {
      [home]: { home: 'us-east-1', answer: 'PermanentRedirect' as const },
      [dublin]: { home: 'eu-west-1', answer: 'PermanentRedirect' as const },
      [sydney]: { home: 'ap-southeast-2', answer: 'AuthorizationHeaderMalformed' as const },
    };
    const proxy = await startProxy(regionsOfAmazonS3(regionOf));

    const run = await runAction(
      {
        ...storeInputs,
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        bucket: buckets.join('\n'),
        prefix: 'ci/\ntmp/',
        'max-age': '0',
      },
      storeCredentials,
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '9', 'failed-count': '0' });
    for (const [i, bucket] of buckets.entries()) {
      const kept = seeded[i].filter((upload) => upload.key.startsWith('keep/'));
      expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(kept));
    }
    // One refusal for each bucket outside the default region, whatever it holds.
    const refused = proxy.log.filter((entry) => /PermanentRedirect|Malformed/.test(entry.fault));
    expect(refused.map((entry) => `${entry.bucket} ${entry.fault}`).sort()).toEqual(
      [`${dublin} PermanentRedirect`, `${sydney} AuthorizationHeaderMalformed`].sort(),
    );
    // Every request that reached the store was signed for its bucket's region.
    for (const entry of proxy.log.filter((e) => e.fault === 'forward')) {
      expect(`${entry.bucket} ${entry.signingRegion}`).toBe(
        `${entry.bucket} ${regionOf[entry.bucket].home}`,
      );
    }
    expect(run.stdout).toContain(
      `s3://${dublin} is in region eu-west-1 (the store said so when asked in us-east-1)`,
    );
    const targets = tableAfter(summaryDom(run.summary), 'By bucket and prefix');
    expect(targets.slice(1).map((row) => `${row[0]} ${row[1]}`)).toEqual([
      `${home} ci/`,
      `${home} tmp/`,
      `${dublin} (eu-west-1) ci/`,
      `${dublin} (eu-west-1) tmp/`,
      `${sydney} (ap-southeast-2) ci/`,
      `${sydney} (ap-southeast-2) tmp/`,
    ]);
  });
});
