import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runAction } from '../support/runner.js';
import { startMinioStandIn, type S3StandIn } from '../support/s3-stand-ins.js';
import { paragraph, summaryDom } from '../support/github-markdown.js';

// dist/index.js against a stand-in that lists multipart uploads as MinIO does: a prefix is
// taken as an exact object name; without one, every upload comes in one page.
jest.setTimeout(60_000);

let minio: S3StandIn | undefined;
afterEach(() => minio?.close());

const credentials = { AWS_ACCESS_KEY_ID: 'minioadmin', AWS_SECRET_ACCESS_KEY: 'minio-stand-in' };

describe('dist/index.js on MinIO', () => {
  it('lists the whole bucket, aborts only under the prefixes, and says what it may miss', async () => {
    minio = await startMinioStandIn();
    const hourAgo = new Date(Date.now() - 3600_000);
    minio.seed('ci-bucket', ['ci/run-1/a.bin', 'ci/run-2/b.bin', 'ci/', 'tmp/x'], {
      initiated: hourAgo,
    });
    const outside = minio.seed('ci-bucket', ['ci', 'cid/y', 'other/z'], { initiated: hourAgo });
    const young = minio.seed('ci-bucket', ['ci/run-3/now.bin'], { initiated: new Date() });
    const elsewhere = minio.seed('other-bucket', ['ci/not-this-bucket'], { initiated: hourAgo });

    const run = await runAction(
      {
        endpoint: minio.endpoint,
        'force-path-style': 'true',
        bucket: 'ci-bucket',
        prefix: 'ci/\ntmp/',
        'max-age': '30m',
      },
      credentials,
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'found-count': '5',
      'aborted-count': '4',
      'failed-count': '0',
    });
    const keysLeft = minio.uploads.map((upload) => `${upload.bucket}/${upload.key}`).sort();
    expect(keysLeft).toEqual(
      [...outside, ...young, ...elsewhere].map((u) => `${u.bucket}/${u.key}`).sort(),
    );
    // Only the probe named a prefix: its answer shows MinIO, which takes a prefix as an exact
    // key, so that page is thrown away and every listing after it names none.
    const listings = minio.requests.filter((request) => request.query.has('uploads'));
    const [probe, ...after] = listings.map((request) => request.query.get('prefix') ?? '');
    expect(probe).toBe('ci/');
    expect(after.length).toBeGreaterThan(0);
    expect(after).not.toContain('ci/');
    const caveat =
      'this store is MinIO, whose listing can miss uploads: it knows only the uploads begun since each of its nodes last started, and MinIO aborts stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY (24h by default).';
    expect(run.stdout).toContain(`::notice::s3://ci-bucket: ${caveat}`);
    const $ = summaryDom(run.summary);
    expect(paragraph($, '✅')).toMatch(
      /^✅ Aborted 4 stale uploads; the oldest was (1h|59m 5\ds) old\.$/,
    );
    expect(paragraph($, '⚠️')).toBe(
      `⚠️ ci-bucket: ${caveat} As MinIO takes a prefix as an exact object name, the whole bucket was listed and the prefixes applied here.`,
    );
  });

  it('counts an upload that another client finished first as aborted: MinIO answers 204', async () => {
    minio = await startMinioStandIn();
    const [raced] = minio.seed('ci-bucket', ['ci/raced.bin'], {
      initiated: new Date(Date.now() - 3600_000),
    });
    // Another client completes the upload after the listing, just before the abort.
    minio.beforeAnswer = (request) => {
      if (request.method === 'DELETE') minio?.uploads.splice(minio.uploads.indexOf(raced), 1);
    };
    const run = await runAction(
      {
        endpoint: minio.endpoint,
        'force-path-style': 'true',
        bucket: 'ci-bucket',
        'max-age': '30m',
      },
      credentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '1', 'gone-count': '0' });
  });
});
