import { describe, expect, it, jest } from '@jest/globals';
import { abortSenderFor } from '../../src/engine/abort/senders.js';
import { PageRoom, probeBucket, takeFirstPage } from '../../src/engine/probe.js';
import { RegionalClients } from '../../src/engine/regions.js';
import type { Upload } from '../../src/engine/types.js';
import {
  clean,
  engineClient,
  resultsOf,
  seedOldAndYoung as seedOldAndYoungIn,
  withResult,
} from '../support/engine.js';
import {
  idsOf,
  outsider,
  remainingUploads,
  seedUploads,
  store,
  testClient,
  useStore,
} from '../support/store.js';

jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const seedOldAndYoung = (bucket: string, oldKeys: string[], youngKeys: string[]) =>
  seedOldAndYoungIn(seeder, bucket, oldKeys, youngKeys);

describe('cleanTarget against a real S3 server', () => {
  const oddKeys = [
    'ci/run-1/with space.bin',
    'ci/run-1/plus+sign.bin',
    'ci/run-1/percent%20literal%.bin',
    'ci/run-1/ünïcødé ✓ 日本語.bin',
    'ci/run-1/<tag>&amp;|pipe|.bin',
    'ci/run-1/`tick`*star*_u_[x](y).bin',
    'ci/run-1/shared',
    'ci/run-1/shared',
    'ci/run-1', // the prefix itself is a key
    'ci/run-10/also-matches.bin', // a plain string prefix matches run-10 too
  ];
  const outside = ['ci/run-2/x.bin', 'ci/run-', 'ci/run', 'other/ci/run-1/x.bin', 'CI/run-1/x.bin'];

  it('aborts exactly the stale uploads under the prefix, odd keys included', async () => {
    const bucket = await newBucket('odd-keys');
    const { old, young, cutoff } = await seedOldAndYoung(
      bucket,
      [...oddKeys, ...outside],
      ['ci/run-1/shared', 'ci/run-1/young.bin'],
    );
    const stale = old.filter((u) => u.key.startsWith('ci/run-1'));
    const outsideOld = old.filter((u) => !u.key.startsWith('ci/run-1'));
    expect(outsideOld).toHaveLength(outside.length);

    const events = await clean(
      engineClient(),
      { bucket, prefix: 'ci/run-1' },
      { cutoff, dryRun: false, concurrency: 16 },
    );

    expect(resultsOf(events)).toEqual(
      [...withResult(stale, 'aborted'), ...withResult(young, 'kept')].sort(),
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf([...outsideOld, ...young]));
  });

  it('follows pagination across 1000-upload pages, aborting while it lists', async () => {
    const bucket = await newBucket('many');
    const keys = Array.from(
      { length: 1150 },
      (_, i) => `load/${String(i % 400).padStart(4, '0')}/part`,
    );
    const { old, young, cutoff } = await seedOldAndYoung(bucket, keys, [
      'load/0001/part',
      'load/zzzz',
    ]);

    const client = engineClient();
    const timeline: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        timeline.push(`${context.commandName} sent`);
        const result = await next(args);
        timeline.push(`${context.commandName} answered`);
        return result;
      },
      { step: 'initialize', name: 'timeline' },
    );
    // The path the action takes for this bucket, watched from outside.
    const lean = await abortSenderFor(client, bucket);
    const sendAbort = Object.assign(
      async (upload: Upload) => {
        timeline.push('abort sent');
        await lean(upload);
      },
      { retries: lean.retries },
    );

    const events = await clean(
      client,
      { bucket, prefix: 'load/' },
      { cutoff, dryRun: false, concurrency: 16, sendAbort },
    );

    expect(resultsOf(events)).toEqual(
      [...withResult(old, 'aborted'), ...withResult(young, 'kept')].sort(),
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(young));
    const listings = timeline.filter((entry) => entry === 'ListMultipartUploadsCommand answered');
    expect(listings.length).toBeGreaterThan(1);
    expect(timeline.indexOf('abort sent')).toBeLessThan(
      timeline.lastIndexOf('ListMultipartUploadsCommand answered'),
    );
    // The path the action takes for a bucket of this store is the lean one, not the SDK's
    // command (whose aborts the timeline would show as AbortMultipartUploadCommand).
    expect(lean.retries).toBe(false);
  });

  it('follows both markers through small pages of uploads sharing keys', async () => {
    const bucket = await newBucket('markers');
    const keys = [
      'k/a',
      'k/a',
      'k/a',
      'k/b',
      'k/b',
      'k/c',
      'k/a b',
      'k/a+b',
      'k/a%b',
      'k/ä',
      'k/ä',
    ];
    const { old, cutoff } = await seedOldAndYoung(bucket, keys, []);
    for (const pageSize of [1, 2, 3]) {
      const events = await clean(
        engineClient(),
        { bucket, prefix: 'k/' },
        { cutoff, dryRun: true, concurrency: 4, pageSize },
      );
      expect({ pageSize, results: resultsOf(events) }).toEqual({
        pageSize,
        results: withResult(old, 'would-abort').sort(),
      });
    }
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(old));
  });

  it("cleans the probe's first target from the probe's own page, without listing it again", async () => {
    const bucket = await newBucket('probe-page');
    const { old, young, cutoff } = await seedOldAndYoung(bucket, ['a/1', 'a/2', 'b/1'], ['a/new']);
    const client = engineClient();
    let listings = 0;
    client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ListMultipartUploadsCommand') listings += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countListings' },
    );
    const clients = new RegionalClients(store.region, () => client);
    const access = await probeBucket(clients, bucket, { firstPrefix: 'a/', room: new PageRoom() });
    expect(listings).toBe(1);

    const firstPage = takeFirstPage(access, 'a/');
    expect(firstPage).toBeDefined();
    const events = await clean(
      client,
      { bucket, prefix: 'a/' },
      { cutoff, dryRun: false, concurrency: 4, firstPage },
    );

    expect(listings).toBe(1);
    const underA = old.filter((u) => u.key.startsWith('a/'));
    expect(resultsOf(events)).toEqual(
      [...withResult(underA, 'aborted'), ...withResult(young, 'kept')].sort(),
    );
    const left = old.filter((u) => !u.key.startsWith('a/'));
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf([...left, ...young]));
  });

  it('aborts nothing in a dry run', async () => {
    const bucket = await newBucket('dry-run');
    const { old, cutoff } = await seedOldAndYoung(bucket, ['a', 'b'], []);
    const events = await clean(
      engineClient(),
      { bucket, prefix: '' },
      { cutoff, dryRun: true, concurrency: 16 },
    );
    expect(resultsOf(events)).toEqual(withResult(old, 'would-abort').sort());
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(old));
  });

  it('reports a missing bucket as a listing failure that names it', async () => {
    const events = await clean(
      engineClient(),
      { bucket: 'no-such-bucket-here', prefix: '' },
      { cutoff: new Date(), dryRun: false, concurrency: 1 },
    );
    expect(events).toEqual([
      {
        kind: 'listing-failed',
        target: { bucket: 'no-such-bucket-here', prefix: '' },
        error:
          'NoSuchBucket: bucket "no-such-bucket-here" does not exist (check the bucket name, region and endpoint)',
      },
    ]);
  });

  it('says which permission is missing when listing is denied', async () => {
    const bucket = await newBucket('denied');
    await seedUploads(seeder, bucket, ['a']);
    const events = await clean(
      testClient(outsider()),
      { bucket, prefix: '' },
      { cutoff: new Date(), dryRun: false, concurrency: 1 },
    );
    expect(events).toEqual([
      {
        kind: 'listing-failed',
        target: { bucket, prefix: '' },
        error: `AccessDenied: the credentials need s3:ListBucketMultipartUploads on arn:aws:s3:::${bucket}`,
      },
    ]);
  });

  it('reports wrong credentials without repeating them', async () => {
    const bucket = await newBucket('bad-creds');
    const secret = 'definitely-wrong-secret-key-1234567890';
    const client = testClient({ accessKeyId: store.accessKeyId, secretAccessKey: secret });
    const events = await clean(
      client,
      { bucket, prefix: '' },
      { cutoff: new Date(), dryRun: false, concurrency: 1 },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'listing-failed',
      error: expect.stringMatching(/^SignatureDoesNotMatch: .*secret access key is wrong/),
    });
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
