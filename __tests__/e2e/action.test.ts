import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  idsOf,
  store,
  storeCredentials as credentials,
  storeInputs as local,
  useStore,
  remainingUploads,
  seedUploads,
  sleep,
} from '../support/store.js';
import { node24, readActionYml, runAction } from '../support/runner.js';
import { paragraph, summaryDom, tableAfter } from '../support/github-markdown.js';

jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();

/**
 * Seeds uploads that will be older than `max-age: 3s` when the action runs, then young ones.
 * The margin covers Swift's rounding of Initiated up to the second and the whole seconds of
 * the Date header that gives the store's clock: each can make an upload look 1 s younger.
 */
async function seedStaleAndFresh(bucket: string, staleKeys: string[], freshKeys: string[]) {
  const stale = await seedUploads(seeder, bucket, staleKeys);
  await sleep(5500);
  const fresh = await seedUploads(seeder, bucket, freshKeys);
  return { stale, fresh };
}

describe('dist/index.js as the runner runs it', () => {
  it('runs on the Node 24 that action.yml declares', async () => {
    const action = await readActionYml();
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/index.js',
      'post-if': 'always()',
    });
    expect(execFileSync(node24, ['--version']).toString()).toMatch(/^v24\./);
  });

  it('aborts the stale uploads under the prefix and reports them', async () => {
    const bucket = await newBucket('e2e-clean');
    const { stale, fresh } = await seedStaleAndFresh(
      bucket,
      ['ci/1/a.bin', 'ci/1/a.bin', 'ci/1/<b>|c.bin', 'other/x'],
      ['ci/1/a.bin', 'ci/2/new.bin'],
    );
    const run = await runAction({ bucket, prefix: 'ci/', 'max-age': '3s', ...local }, credentials);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'aborted-count': '3',
      'matched-count': '3',
      'found-count': '5',
      'failed-count': '0',
      'gone-count': '0',
      'excluded-count': '0',
      'foreign-count': '0',
      'left-count': '0',
      'bytes-freed': '0',
      'parts-freed': '0',
      'report-path': expect.stringMatching(/\/s3-multipart-cleanup-\w+\.jsonl$/),
      // The bucket has no lifecycle rule (on a store that keeps them).
      'buckets-without-abort-rule': store.lifecycleRules ? bucket : '',
      // Nothing is written unless add-abort-rule asks.
      'abort-rule-added': '',
    });
    expect(run.report.trimEnd().split('\n')).toHaveLength(3);
    const outsidePrefix = stale.filter((u) => u.key === 'other/x');
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(
      idsOf([...outsidePrefix, ...fresh]),
    );
    const $ = summaryDom(run.summary);
    expect($('h2').text()).toBe('S3 multipart upload cleanup');
    expect(
      $('p a')
        .toArray()
        .map((link) => $(link).attr('href')),
    ).toEqual([
      'https://github.com/octo/cleanup-test',
      'https://github.com/octo/cleanup-test/actions/runs/4242',
    ]);
    expect($('p').first().text()).toMatch(/^octo\/cleanup-test · integration #17 · started /);
    expect(paragraph($, '✅')).toMatch(/^✅ Aborted 3 stale uploads; the oldest was \d+s old\.$/);
    expect(tableAfter($, 'By bucket and prefix')[1]).toEqual([
      bucket,
      'ci/',
      '5',
      '3',
      '3',
      '0',
      '0',
    ]);
    expect(tableAfter($, 'Stale uploads').map((row) => row[1])).toEqual([
      'key',
      'ci/1/<b>|c.bin',
      'ci/1/a.bin',
      'ci/1/a.bin',
    ]);
    expect(run.stdout).toContain('::group::Cleaning s3://');
    expect(run.stdout).toContain('Total: found 5, stale 3, aborted 3, already gone 0, failed 0');
  });

  it('aborts nothing in a dry run, and says which uploads it would abort', async () => {
    const bucket = await newBucket('e2e-dry');
    const { stale, fresh } = await seedStaleAndFresh(bucket, ['a', 'b'], ['c']);
    const run = await runAction(
      { bucket, 'max-age': '3s', 'dry-run': 'true', ...local },
      credentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'aborted-count': '0',
      'matched-count': '2',
      'found-count': '3',
    });
    expect(run.summary).toContain(
      '🔍 **Dry run: nothing was aborted.** 2 stale uploads would be aborted;',
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf([...stale, ...fresh]));
  });

  it('goes on past a failing bucket, writes everything, then fails the step', async () => {
    const bucket = await newBucket('e2e-partial');
    const { fresh } = await seedStaleAndFresh(bucket, ['x', 'y'], ['z']);
    const run = await runAction(
      { bucket: `missing-${bucket}\n${bucket}`, 'max-age': '3s', ...local },
      credentials,
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      'aborted-count': '2',
      'matched-count': '2',
      'found-count': '3',
      'failed-count': '1',
      'gone-count': '0',
    });
    expect(run.stdout).toContain(
      `::error::Listing s3://missing-${bucket} (whole bucket) failed: NoSuchBucket: bucket "missing-${bucket}" does not exist`,
    );
    expect(run.stdout).toContain('::error::1 listing failed (see the log and the job summary)');
    expect(run.summary).toContain('❌ **1 listing failed.** Aborted 2 stale uploads;');
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(fresh));
  });

  it('only warns about failures when fail-on-error is false', async () => {
    const run = await runAction(
      { bucket: 'no-such-bucket-e2e', 'fail-on-error': 'false', ...local },
      credentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs['failed-count']).toBe('1');
    expect(run.stdout).toContain(
      '::warning::1 listing failed (see the log and the job summary); not failing the step because fail-on-error is false',
    );
  });

  it('never shows the secret key, even when the store rejects it', async () => {
    const secret = 'e2e-wrong-secret-that-must-not-leak-0123456789';
    const run = await runAction(
      { bucket: 'any-bucket', ...local },
      { ...credentials, AWS_SECRET_ACCESS_KEY: secret },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'failed: SignatureDoesNotMatch: the store computed another signature with this access key: usually the secret access key is wrong',
    );
    for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('says what an access key the store does not know usually means', async () => {
    const run = await runAction(
      { bucket: 'any-bucket', ...local },
      { ...credentials, AWS_ACCESS_KEY_ID: 'AKIAE2ENOSUCHKEY0000' },
    );
    expect(run.exitCode).toBe(1);
    // Swift's s3api with tempauth answers an unknown key as a wrong signature.
    expect(run.stdout).toContain(
      store.unknownKeyError === 'InvalidAccessKeyId'
        ? 'failed: InvalidAccessKeyId: the store knows no such access key: usually a key of another store or account'
        : 'failed: SignatureDoesNotMatch: the store computed another signature with this access key',
    );
  });
});

describe('bad input', () => {
  let server: Server;
  let requests = 0;
  let endpoint = '';

  beforeAll(async () => {
    server = createServer((_, response) => {
      requests += 1;
      response.statusCode = 500;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [
      { 'max-age': '7 days' },
      'max-age: "7 days" is not a duration; use e.g. 7d, 36h, 90m, 1d12h or P7D',
    ],
    [
      { concurrency: '1000' },
      'concurrency: "1000" is neither auto nor a whole number from 1 to 256; use e.g. auto, or 32',
    ],
    [{ bucket: '  ' }, 'bucket: is required; give one or more bucket names, e.g. my-test-bucket'],
    [{ 'dry-run': 'maybe' }, 'dry-run: "maybe" is not a boolean; use true or false'],
  ])('fails the step on %j before any request', async (inputs, message) => {
    const run = await runAction(
      { bucket: 'b', endpoint, 'force-path-style': 'true', ...inputs },
      credentials,
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::Invalid input; nothing was listed or aborted.%0A${message}`,
    );
    expect(run.summary).toContain('❌ **Invalid input; nothing was listed or aborted.**');
    expect(run.outputs['aborted-count']).toBe('0');
    expect(requests).toBe(0);
  });

  it('would have reached the server with good input (the check above can fail)', async () => {
    const run = await runAction({ bucket: 'b', endpoint, 'force-path-style': 'true' }, credentials);
    expect(run.exitCode).toBe(1);
    expect(requests).toBeGreaterThan(0);
  });
});
