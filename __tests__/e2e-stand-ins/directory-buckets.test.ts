import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { paragraph, summaryDom } from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import { startDirectoryBucketStandIn, type S3StandIn } from '../support/s3-stand-ins.js';

// dist/index.js against a stand-in of an S3 Express One Zone directory bucket: opaque
// key-markers, no upload-id-marker, no order by key, only prefixes ending in `/`.
jest.setTimeout(60_000);

let express: S3StandIn | undefined;
afterEach(() => express?.close());

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'express-stand-in' };
const bucket = 'ci-tests--use1-az4--x-s3';

describe('dist/index.js on a directory bucket', () => {
  it('pages with the opaque markers alone, and aborts exactly the prefixes', async () => {
    express = await startDirectoryBucketStandIn({ pageSize: 4 });
    const hourAgo = new Date(Date.now() - 3600_000);
    const under = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}.bin`);
    // `ci/run-1` is a plain string prefix: it covers ci/run-1/… and ci/run-10/… alike.
    const selected = express.seed(
      bucket,
      [...under('ci/run-1/', 9), ...under('ci/run-10/', 3), ...under('tmp/', 2)],
      { initiated: hourAgo },
    );
    const kept = express.seed(bucket, [...under('ci/run-2/', 5), 'ci/run-', 'tmpx'], {
      initiated: hourAgo,
    });

    const run = await runAction(
      {
        endpoint: express.endpoint,
        region: 'us-east-1',
        bucket,
        prefix: 'ci/run-1\ntmp/',
        'max-age': '30m',
      },
      credentials,
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'found-count': String(selected.length),
      'aborted-count': String(selected.length),
      'failed-count': '0',
    });
    expect(express.uploads.map((upload) => upload.key).sort()).toEqual(
      kept.map((upload) => upload.key).sort(),
    );
    const listings = express.requests.filter((request) => request.query.has('uploads'));
    // More than one page for ci/, each after the first resumed by its opaque marker only.
    expect(listings.length).toBeGreaterThan(3);
    expect(listings.some((request) => request.query.has('upload-id-marker'))).toBe(false);
    // The probe asks for ci/'s first page, so no listing goes outside the prefixes.
    expect(new Set(listings.map((request) => request.query.get('prefix') ?? ''))).toEqual(
      new Set(['ci/', 'tmp/']),
    );
    expect(run.stdout).toContain(`s3://${bucket} is a directory bucket (S3 Express One Zone)`);

    // It has no lifecycle configuration, which AWS says with NoSuchLifecycleConfiguration.
    expect(run.outputs['buckets-without-abort-rule']).toBe(bucket);
    expect(paragraph(summaryDom(run.summary), '⚠️')).toBe(
      `⚠️ ${bucket}: no lifecycle rule aborts incomplete uploads under ci/run-1, tmp/. With one, the bucket aborts them itself 1 day after they start, even when no workflow runs.`,
    );
  });

  it("reads the bucket's lifecycle rules, as on any bucket", async () => {
    express = await startDirectoryBucketStandIn({ abortRules: [{ prefix: 'ci/', days: 2 }] });
    express.seed(bucket, ['ci/a.bin'], { initiated: new Date(Date.now() - 3600_000) });
    const run = await runAction(
      { endpoint: express.endpoint, region: 'us-east-1', bucket, prefix: 'ci/', 'max-age': '30m' },
      credentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '1', 'buckets-without-abort-rule': '' });
    expect(express.requests.filter((request) => request.query.has('lifecycle'))).toHaveLength(1);
    expect(paragraph(summaryDom(run.summary), '✅ ci-tests')).toBe(
      `✅ ${bucket}: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most 2 days after they start.`,
    );
  });
});
