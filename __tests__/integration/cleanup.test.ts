import { describe, expect, it, jest } from '@jest/globals';
import { AbortMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { cleanTarget, type CleanupPlan } from '../../src/engine/cleanup.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import type { CleanupEvent, Target } from '../../src/engine/types.js';
import {
  idsOf,
  useLocalS3,
  localS3,
  remainingUploads,
  seedUploads,
  sleep,
  testClient,
  type SeededUpload,
} from '../support/local-s3.js';

jest.setTimeout(120_000);

const { seeder, newBucket } = useLocalS3();

/** The engine's own client, built the way the action builds it, against the local server. */
function engineClient(concurrency = 16): S3Client {
  process.env.AWS_ACCESS_KEY_ID = localS3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localS3.secretAccessKey;
  return createS3Client({
    region: localS3.region,
    endpoint: localS3.endpoint,
    forcePathStyle: true,
    concurrency,
  });
}

/**
 * Seeds `old` uploads, then `young` ones, and returns a cutoff between the two as the
 * server's own clock recorded them.
 */
async function seedOldAndYoung(bucket: string, oldKeys: string[], youngKeys: string[]) {
  const old = await seedUploads(seeder, bucket, oldKeys);
  const cutoff = new Date(Math.max(...(await initiatedTimes(bucket))));
  await sleep(1100); // stores may round Initiated to the second
  const young = await seedUploads(seeder, bucket, youngKeys);
  // Guard the test itself: every young upload must really be younger than the cutoff.
  const all = await initiatedTimes(bucket);
  expect(all.filter((time) => time > cutoff.getTime())).toHaveLength(young.length);
  return { old, young, cutoff };
}

async function initiatedTimes(bucket: string): Promise<number[]> {
  return (await remainingUploads(seeder, bucket)).map((u) => u.initiated?.getTime() ?? NaN);
}

async function clean(client: S3Client, target: Target, plan: CleanupPlan): Promise<CleanupEvent[]> {
  const events: CleanupEvent[] = [];
  for await (const event of cleanTarget(client, target, plan)) events.push(event);
  return events;
}

const resultsOf = (events: CleanupEvent[]) =>
  events
    .flatMap((e) =>
      e.kind === 'upload' ? [`${e.upload.key}#${e.upload.uploadId} ${e.result}`] : [],
    )
    .sort();
const withResult = (uploads: SeededUpload[], result: string) =>
  uploads.map((u) => `${u.key}#${u.uploadId} ${result}`);

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

    const events = await clean(
      client,
      { bucket, prefix: 'load/' },
      { cutoff, dryRun: false, concurrency: 16 },
    );

    expect(resultsOf(events)).toEqual(
      [...withResult(old, 'aborted'), ...withResult(young, 'kept')].sort(),
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(young));
    const listings = timeline.filter((entry) => entry === 'ListMultipartUploadsCommand answered');
    expect(listings.length).toBeGreaterThan(1);
    expect(timeline.indexOf('AbortMultipartUploadCommand sent')).toBeLessThan(
      timeline.lastIndexOf('ListMultipartUploadsCommand answered'),
    );
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

  it('counts an upload someone else aborted after the listing as gone', async () => {
    const bucket = await newBucket('gone');
    const { old, cutoff } = await seedOldAndYoung(bucket, ['race/a', 'race/b'], []);
    const client = engineClient();
    // Just before our abort of race/a leaves, another client aborts it on the real server.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; UploadId?: string };
        if (context.commandName === 'AbortMultipartUploadCommand' && input.Key === 'race/a') {
          await seeder.send(
            new AbortMultipartUploadCommand({
              Bucket: bucket,
              Key: input.Key,
              UploadId: input.UploadId,
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'abortFirst' },
    );
    const events = await clean(
      client,
      { bucket, prefix: 'race/' },
      { cutoff, dryRun: false, concurrency: 2 },
    );
    const idOf = (key: string) => old.find((u) => u.key === key)?.uploadId;
    expect(resultsOf(events)).toEqual([
      `race/a#${idOf('race/a')} gone`,
      `race/b#${idOf('race/b')} aborted`,
    ]);
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
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
      testClient(localS3.outsider),
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
    const client = new S3Client({
      region: localS3.region,
      endpoint: localS3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: localS3.accessKeyId, secretAccessKey: secret },
    });
    const events = await clean(
      client,
      { bucket, prefix: '' },
      { cutoff: new Date(), dryRun: false, concurrency: 1 },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'listing-failed',
      error: expect.stringMatching(/^SignatureDoesNotMatch, HTTP 403/),
    });
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
