import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runAction } from '../support/runner.js';
import {
  startMinioStandIn,
  startS3StandIn,
  type S3StandIn,
  type StandInPrincipal,
} from '../support/s3-stand-ins.js';
import { paragraph, summaryDom } from '../support/github-markdown.js';

// dist/index.js with initiated-by against the stores that cannot run here, answering
// ListMultipartUploads' Initiator and Owner as each does: Amazon S3 names who started an
// upload (an IAM user's or role session's ARN, or the account's canonical ID) and the
// bucket's account as Owner; MinIO names no one.
jest.setTimeout(60_000);

let standIn: S3StandIn | undefined;
afterEach(() => standIn?.close());

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'stand-in-secret' };
const ci = (session: string): StandInPrincipal => ({
  id: `arn:aws:sts::123456789012:assumed-role/ci-integration-tests/${session}`,
  displayName: `ci-integration-tests/${session}`,
});
const alice: StandInPrincipal = {
  id: 'arn:aws:iam::123456789012:user/alice',
  displayName: 'alice',
};

const inputs = (endpoint: string) => ({
  endpoint,
  'force-path-style': 'true',
  bucket: 'shared-bucket',
  'max-age': '30m',
  'initiated-by': 'arn:aws:sts::123456789012:assumed-role/ci-integration-tests/*',
});

const keysLeft = (store: S3StandIn) => store.uploads.map((upload) => upload.key).sort();

describe('initiated-by on Amazon S3', () => {
  it("aborts only the role's uploads, and names whoever started the others", async () => {
    standIn = await startS3StandIn();
    standIn.seed('shared-bucket', ['ci/run-1/a.bin', 'ci/run-1/b.bin'], {
      initiator: ci('GitHubActions'),
    });
    standIn.seed('shared-bucket', ['ci/run-2/c.bin'], { initiator: ci('run-2') });
    standIn.seed('shared-bucket', ['ci/alice/d.bin', 'ci/alice/e.bin'], { initiator: alice });
    // Started by the account itself: Initiator and Owner are both its canonical ID.
    standIn.seed('shared-bucket', ['ci/root/f.bin']);
    // A role of the same account with a name the pattern does not match.
    standIn.seed('shared-bucket', ['ci/other/g.bin'], {
      initiator: {
        id: 'arn:aws:sts::123456789012:assumed-role/ci-integration-tests-admin/x',
        displayName: 'x',
      },
    });

    const run = await runAction(inputs(standIn.endpoint), credentials);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'found-count': '7',
      'aborted-count': '3',
      'foreign-count': '4',
      'failed-count': '0',
    });
    expect(keysLeft(standIn)).toEqual([
      'ci/alice/d.bin',
      'ci/alice/e.bin',
      'ci/other/g.bin',
      'ci/root/f.bin',
    ]);
    // S3 tells initiators apart: no notice that the guard cannot hold.
    expect(run.stdout).not.toContain('initiated-by cannot tell');

    const lines = run.report.trimEnd().split('\n');
    const report = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      Object.fromEntries(report.map(({ key, result, initiator }) => [key, [result, initiator]])),
    ).toEqual({
      'ci/run-1/a.bin': ['aborted', ci('GitHubActions').id],
      'ci/run-1/b.bin': ['aborted', ci('GitHubActions').id],
      'ci/run-2/c.bin': ['aborted', ci('run-2').id],
      'ci/alice/d.bin': ['foreign', alice.id],
      'ci/alice/e.bin': ['foreign', alice.id],
      'ci/root/f.bin': [
        'foreign',
        '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
      ],
      'ci/other/g.bin': [
        'foreign',
        'arn:aws:sts::123456789012:assumed-role/ci-integration-tests-admin/x',
      ],
    });

    const $ = summaryDom(run.summary);
    expect(paragraph($, '👤')).toBe(
      '👤 4 stale uploads left alone: initiated-by names none of their initiators. Started by arn:aws:iam::123456789012:user/alice (2), 75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a (1), arn:aws:sts::123456789012:assumed-role/ci-integration-tests-admin/x (1).',
    );
  });
});

describe('initiated-by on MinIO', () => {
  it('aborts nothing, as MinIO names no initiator, and says why', async () => {
    standIn = await startMinioStandIn();
    standIn.seed('shared-bucket', ['ci/run-1/a.bin', 'ci/run-1/b.bin'], {
      initiator: ci('GitHubActions'),
    });

    const run = await runAction(inputs(standIn.endpoint), credentials);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'found-count': '2',
      'aborted-count': '0',
      'foreign-count': '2',
      'failed-count': '0',
    });
    expect(keysLeft(standIn)).toEqual(['ci/run-1/a.bin', 'ci/run-1/b.bin']);
    const why =
      'initiated-by cannot tell who started an upload here. The store named no initiator for any of the 2 uploads it listed (as MinIO and versitygw answer), so none is aborted while initiated-by is given.';
    expect(run.stdout).toContain(`::notice::s3://shared-bucket: ${why}`);
    const $ = summaryDom(run.summary);
    expect(paragraph($, '⚠️ shared-bucket: initiated-by')).toBe(`⚠️ shared-bucket: ${why}`);
    const lines = run.report.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { initiator: unknown }).initiator)).toEqual([
      null,
      null,
    ]);
  });
});
