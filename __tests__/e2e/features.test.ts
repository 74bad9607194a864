import { describe, expect, it, jest } from '@jest/globals';
import { UploadPartCommand } from '@aws-sdk/client-s3';
import { runAction } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  seedUploads,
  sleep,
  store,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// The features beyond the basics, through dist/ against the real store.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();

const seedStale = (bucket: string, keys: string[]) => seedStaleUploads(seeder, bucket, keys);

const lines = (report: string) =>
  report
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('when: post', () => {
  it('checks the inputs in the main step and cleans up in the post step', async () => {
    const bucket = await newBucket('e2e-post');
    const inputs = { bucket, prefix: 'ci/4242/', 'max-age': '0', when: 'post', ...storeInputs };

    const main = await runAction(inputs, storeCredentials);
    expect(main.exitCode).toBe(0);
    expect(main.state).toEqual({ 'is-post': 'true', 'cleanup-in-post': 'true' });
    expect(main.stdout).toContain("The cleanup runs when the job ends, in this action's post step");

    // The tests run (and crash) between the two steps, leaving uploads behind.
    const leftBehind = await seedStale(bucket, ['ci/4242/a.bin', 'ci/4242/b.bin']);
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(leftBehind));

    const post = await runAction(inputs, storeCredentials, { entry: 'post', state: main.state });
    expect(post.exitCode).toBe(0);
    expect(post.outputs['aborted-count']).toBe('2');
    expect(post.summary).toContain('✅ **Aborted 2 stale uploads**');
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });

  it('does nothing in the post step when the main step cleaned up at once', async () => {
    const bucket = await newBucket('e2e-post-now');
    const inputs = { bucket, 'max-age': '0', ...storeInputs };
    const main = await runAction(inputs, storeCredentials);
    expect(main.state).toEqual({ 'is-post': 'true' });
    const later = await seedStale(bucket, ['x']);
    const post = await runAction(inputs, storeCredentials, { entry: 'post', state: main.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toBe('');
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(later));
  });
});

describe('exclude, limit, report-bytes and the report file', () => {
  it('never aborts excluded keys, and counts them', async () => {
    const bucket = await newBucket('e2e-exclude');
    const seeded = await seedStale(bucket, [
      'ci/run-1/keep-fixture.bin',
      'ci/pinned/deep/x.bin',
      'ci/run-1/drop.bin',
      'ci/pinned-not/drop.bin',
    ]);
    const run = await runAction(
      {
        bucket,
        prefix: 'ci/',
        'max-age': '0',
        exclude: '**/keep-*\nci/pinned/**',
        ...storeInputs,
      },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'aborted-count': '2',
      'matched-count': '2',
      'excluded-count': '2',
    });
    const kept = seeded.filter((u) => /keep-|pinned\//.test(u.key));
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(kept));
    expect(run.summary).toContain('| 🛡️ excluded |');
    expect(
      lines(run.report)
        .map((line) => `${String(line.key)} ${String(line.result)}`)
        .sort(),
    ).toEqual([
      'ci/pinned-not/drop.bin aborted',
      'ci/pinned/deep/x.bin excluded',
      'ci/run-1/drop.bin aborted',
      'ci/run-1/keep-fixture.bin excluded',
    ]);
  });

  it('aborts at most `limit` uploads and reports how many were left', async () => {
    const bucket = await newBucket('e2e-limit');
    await seedStale(bucket, ['a', 'b', 'c', 'd', 'e']);
    const run = await runAction(
      { bucket, 'max-age': '0', limit: '2', ...storeInputs },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '2', 'left-count': '3' });
    expect(run.summary).toContain('3 left for a later run by the limit of 2');
    expect(await remainingUploads(seeder, bucket)).toHaveLength(3);
  });

  it('counts the real parts and bytes it frees, and writes them to the report', async () => {
    const bucket = await newBucket('e2e-bytes');
    const seeded = await seedUploads(seeder, bucket, ['big.bin', 'empty.bin']);
    const withParts = seeded.find((upload) => upload.key === 'big.bin')!;
    const empty = seeded.find((upload) => upload.key === 'empty.bin')!;
    for (const [PartNumber, size] of [
      [1, 1000],
      [2, 2345],
      [3, 70_000],
    ]) {
      await seeder.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: withParts.key,
          UploadId: withParts.uploadId,
          PartNumber,
          Body: Buffer.alloc(size, 7),
        }),
      );
    }
    await sleep(2100);
    const run = await runAction(
      { bucket, 'max-age': '0', 'report-bytes': 'true', ...storeInputs },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'aborted-count': '2',
      'bytes-freed': String(1000 + 2345 + 70_000),
      'parts-freed': '3',
    });
    expect(run.summary).toContain('freeing 71.6 KiB in 3 parts');
    const report = lines(run.report).sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(report).toEqual([
      {
        bucket,
        key: 'big.bin',
        uploadId: withParts.uploadId,
        initiated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        ageSeconds: expect.any(Number),
        initiator: store.userId,
        result: 'aborted',
        bytes: 73_345,
        parts: 3,
      },
      {
        bucket,
        key: 'empty.bin',
        uploadId: empty.uploadId,
        initiated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        ageSeconds: expect.any(Number),
        initiator: store.userId,
        result: 'aborted',
        bytes: 0,
        parts: 0,
      },
    ]);
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });
});

describe("the store's clock", () => {
  it('keeps young uploads when the runner clock is an hour ahead of the store', async () => {
    const bucket = await newBucket('e2e-clock-ahead');
    const young = await seedUploads(seeder, bucket, ['ci/young']);
    // By the runner's clock alone, this upload would be 1h old: stale for max-age 30m.
    const run = await runAction({ bucket, 'max-age': '30m', ...storeInputs }, storeCredentials, {
      clockSkewMs: 3600_000,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/The store's clock is (59m 5\ds|1h) behind this runner's/);
    expect(run.outputs).toMatchObject({ 'found-count': '1', 'aborted-count': '0' });
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(young));
  });

  it('aborts stale uploads when the runner clock is an hour behind the store', async () => {
    const bucket = await newBucket('e2e-clock-behind');
    await seedStale(bucket, ['ci/stale']);
    // By the runner's clock alone, this upload would not exist for another hour.
    const run = await runAction({ bucket, 'max-age': '0', ...storeInputs }, storeCredentials, {
      clockSkewMs: -3600_000,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/The store's clock is (59m 5\ds|1h) ahead of this runner's/);
    expect(run.outputs).toMatchObject({ 'found-count': '1', 'aborted-count': '1' });
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });
});

describe('a prefix beginning with /', () => {
  it('finds nothing on the store, and says why in a notice; the step passes', async () => {
    const bucket = await newBucket('e2e-slash');
    const left = await seedStale(bucket, ['ci/a.bin']);
    const run = await runAction(
      { bucket, prefix: '/ci/', 'max-age': '0', ...storeInputs },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs['found-count']).toBe('0');
    expect(run.stdout).toContain(
      `::notice::Nothing was found in s3://${bucket} under prefix "/ci/": S3 keys rarely begin with "/"`,
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(left));
  });
});
