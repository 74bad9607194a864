import { describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { useFaultProxy } from '../support/fault-proxy.js';
import {
  foreignMarkup,
  headings,
  paragraph,
  summaryDom,
  tableAfter,
} from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  seedUploads,
  sleep,
  storeCredentials,
  storeInputs,
  uploadPart,
  useStore,
} from '../support/store.js';

// dist/index.js with bucket patterns, against the store's own ListBuckets. It answers every
// bucket of the user, those of the suites running meanwhile too: each pattern here starts with
// a token of this run, so that it can match only the buckets this suite made.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();
const run = `p${randomBytes(3).toString('hex')}`;

describe('dist/index.js with bucket patterns', () => {
  it('cleans the buckets whose whole name a pattern matches, and no other', async () => {
    // `?` is one character: ci-ab starts as the matched ones do, but is not matched.
    const [a, b, ab, other] = await Promise.all(
      ['ci-a', 'ci-b', 'ci-ab', 'it-a'].map((label) => newBucket(`${run}-${label}`)),
    );
    const seeded = new Map(
      await Promise.all(
        [a, b, ab, other].map(
          async (bucket) =>
            [bucket, await seedUploads(seeder, bucket, ['ci/x.bin', 'ci/y.bin'])] as const,
        ),
      ),
    );
    await sleep(2100); // stale for max-age 0, as seedStaleUploads makes them
    const pattern = `${run}-ci-?-*`;

    const result = await runAction(
      { ...storeInputs, bucket: pattern, prefix: 'ci/', 'max-age': '0' },
      storeCredentials,
    );

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'aborted-count': '4', 'failed-count': '0' });
    for (const bucket of [a, b]) expect(await remainingUploads(seeder, bucket)).toEqual([]);
    for (const bucket of [ab, other]) {
      expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(seeded.get(bucket)!));
    }
    expect(result.stdout).toContain(`Bucket pattern ${pattern} matched 2 buckets: ${a}, ${b}.`);
    const $ = summaryDom(result.summary);
    expect(foreignMarkup($)).toEqual([]);
    expect(paragraph($, pattern)).toBe(`${pattern} matched 2 buckets: ${a}, ${b}.`);
    expect(tableAfter($, 'By bucket and prefix').map((row) => row[0])).toEqual(['bucket', a, b]);
  });

  it('says so when a pattern matches no bucket, and passes with counts of zero', async () => {
    const pattern = `${run}-none-*`;
    const result = await runAction(
      { ...storeInputs, bucket: pattern, 'max-age': '0' },
      storeCredentials,
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'found-count': '0',
      'aborted-count': '0',
      'failed-count': '0',
      'buckets-without-abort-rule': '',
    });
    expect(result.stdout).toContain(`Bucket pattern ${pattern} matched no bucket.`);
    const $ = summaryDom(result.summary);
    expect(paragraph($, '✅')).toBe('✅ No stale uploads found.');
    expect(paragraph($, pattern)).toBe(`${pattern} matched no bucket.`);
    expect(headings($)).toEqual(['Buckets by pattern']);
  });

  it('cleans a bucket once when it is named and matched too', async () => {
    const [named, matched] = await Promise.all(
      ['dup-a', 'dup-b'].map((label) => newBucket(`${run}-${label}`)),
    );
    for (const bucket of [named, matched]) {
      await seedStaleUploads(seeder, bucket, ['ci/x.bin', 'ci/keep/y.bin']);
    }
    const proxy = await startProxy();
    const result = await runAction(
      {
        ...storeInputs,
        endpoint: proxy.endpoint,
        bucket: `${named}\n${run}-dup-*`,
        'max-age': '0',
        exclude: 'ci/keep/**',
      },
      storeCredentials,
    );

    expect(result.exitCode).toBe(0);
    // Kept uploads are listed again by a second cleaning, and would be counted twice.
    expect(result.outputs).toMatchObject({
      'found-count': '4',
      'aborted-count': '2',
      'excluded-count': '2',
    });
    const listings = (bucket: string) =>
      proxy.log.filter((entry) => entry.operation === 'list' && entry.bucket === bucket);
    // One listing each: the probe's page is the first page of the bucket's one listing.
    expect([listings(named).length, listings(matched).length]).toEqual([1, 1]);
    const targets = tableAfter(summaryDom(result.summary), 'By bucket and prefix');
    expect(targets.map((row) => row[0])).toEqual(['bucket', named, matched]);
  });

  it('names s3:ListAllMyBuckets when the listing is denied, fails, and still cleans the named buckets', async () => {
    const named = await newBucket(`${run}-named`);
    await seedStaleUploads(seeder, named, ['ci/x.bin']);
    const proxy = await startProxy((request) =>
      request.method === 'GET' && request.bucket === ''
        ? { status: 403, code: 'AccessDenied', message: 'Access Denied' }
        : 'forward',
    );
    const result = await runAction(
      { ...storeInputs, endpoint: proxy.endpoint, bucket: `${run}-ci-*, ${named}`, 'max-age': '0' },
      storeCredentials,
    );

    const denied = 'AccessDenied: the credentials need s3:ListAllMyBuckets on *';
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'aborted-count': '1', 'failed-count': '1' });
    expect(result.stdout).toContain(`::error::Listing the buckets failed: ${denied}`);
    expect(result.stdout).toContain('::error::1 listing failed (see the log and the job summary)');
    const $ = summaryDom(result.summary);
    expect(paragraph($, '❌ 1')).toMatch(/^❌ 1 listing failed\. Aborted 1 stale upload; /);
    expect(paragraph($, '❌ Listing')).toBe(
      `❌ Listing the buckets failed: ${denied}. The patterns matched only the buckets listed before it.`,
    );
  });
});

describe('what the leak costs a month', () => {
  it('is shown on this store only at the storage-price given, in the verdict and per group', async () => {
    const bucket = await newBucket(`${run}-cost`);
    const [big, small] = await seedStaleUploads(seeder, bucket, ['ci/big/a.bin', 'ci/small/b.bin']);
    await uploadPart(seeder, bucket, big, 3 * 1024 * 1024);
    await uploadPart(seeder, bucket, small, 1024 * 1024);
    const inputs = {
      ...storeInputs,
      bucket,
      prefix: 'ci/',
      'max-age': '0',
      'report-bytes': 'true',
      'check-lifecycle': 'false',
    };

    // Not Amazon S3: its list price is no default here.
    const unpriced = await runAction({ ...inputs, 'dry-run': 'true' }, storeCredentials);
    expect(paragraph(summaryDom(unpriced.summary), '🔍')).toMatch(
      /holding 4\.00 MiB in 2 parts\.$/,
    );

    // 4 MiB are 1/256 of a GB-month (2^30 bytes): $2.00 at $512.
    const priced = await runAction({ ...inputs, 'storage-price': '512' }, storeCredentials);
    expect(priced.exitCode).toBe(0);
    const $ = summaryDom(priced.summary);
    expect(paragraph($, '✅')).toMatch(
      /^✅ Aborted 2 stale uploads; the oldest was \d+s old; freeing 4\.00 MiB in 2 parts, which cost \$2\.00 a month at \$512\.00 per GB-month \(storage-price\)\.$/,
    );
    const groups = tableAfter($, 'Where the stale uploads are');
    expect(groups.map((row) => row.slice(1, 5))).toEqual([
      ['group', 'stale uploads', 'size', 'cost a month'],
      ['ci/big/', '1', '3.00 MiB', '$1.50'],
      ['ci/small/', '1', '1.00 MiB', '$0.50'],
    ]);
  });
});
