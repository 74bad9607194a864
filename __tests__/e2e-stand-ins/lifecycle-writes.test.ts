import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { paragraph, summaryDom } from '../support/github-markdown.js';
import { StandInLifecycles } from '../support/lifecycle-stand-in.js';
import { runAction } from '../support/runner.js';
import {
  startDirectoryBucketStandIn,
  startS3StandIn,
  type S3StandIn,
} from '../support/s3-stand-ins.js';
import { expireLogs, ourAbortRule } from '../support/lifecycle-fixtures.js';

// dist/index.js writing lifecycle rules to stand-ins of what Ceph RGW cannot show: Amazon
// S3's TransitionDefaultMinimumObjectSize, its refusal of a configuration that mixes the two
// forms, a configuration that shows late, and directory buckets.
jest.setTimeout(60_000);

let standIn: S3StandIn | undefined;
afterEach(() => standIn?.close());

const credentials = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'lifecycle-stand-in',
};
const clientOf = ({ endpoint }: S3StandIn) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'lifecycle-stand-in' },
  });

async function cleanUp(bucket: string, more: Record<string, string> = {}) {
  return runAction(
    {
      endpoint: standIn!.endpoint,
      'force-path-style': 'true',
      region: 'us-east-1',
      bucket,
      prefix: 'ci/',
      'max-age': '30m',
      'add-abort-rule': '7',
      ...more,
    },
    credentials,
  );
}

async function rulesOf(bucket: string): Promise<LifecycleRule[]> {
  const { Rules = [] } = await clientOf(standIn!).send(
    new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }),
  );
  return Rules;
}

describe('add-abort-rule on Amazon S3 (stand-in)', () => {
  const bucket = 'ci-artifacts';

  it('puts back TransitionDefaultMinimumObjectSize, which S3 resets when a PUT leaves it out', async () => {
    const lifecycles = new StandInLifecycles();
    standIn = await startS3StandIn({ lifecycles });
    standIn.seed(bucket, ['ci/a.bin']);
    await clientOf(standIn).send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [expireLogs()] },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      }),
    );
    const run = await cleanUp(bucket);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '1', 'abort-rule-added': bucket });
    expect(await rulesOf(bucket)).toEqual([expireLogs(), ourAbortRule('ci/')]);
    expect(lifecycles.minimumSizeOf(bucket)).toBe('varies_by_storage_class');
  });

  it('adds to a configuration in the legacy form in that form, as S3 refuses the two mixed', async () => {
    standIn = await startS3StandIn();
    const client = clientOf(standIn);
    // The stand-in refuses a mix, as S3 does.
    await expect(
      client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: [expireLogs(true), ourAbortRule('ci/')] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedXML' });
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [expireLogs(true)] },
      }),
    );
    const run = await cleanUp(bucket);
    expect(run.exitCode).toBe(0);
    expect(await rulesOf(bucket)).toEqual([expireLogs(true), ourAbortRule('ci/', true)]);
  });

  it('waits for a new configuration that shows late, and says so when it does not show', async () => {
    const lifecycles = new StandInLifecycles();
    standIn = await startS3StandIn({ lifecycles });
    lifecycles.showAfterMs = 1_200;
    const late = await cleanUp(bucket);
    expect(late.exitCode).toBe(0);
    expect(late.stdout).toContain(
      `s3://${bucket}: added a lifecycle rule aborting incomplete uploads 7 days after they start, under "ci/".`,
    );
    const reads = standIn.requests.filter((r) => r.method === 'GET' && r.query.has('lifecycle'));
    expect(reads.length).toBeGreaterThan(3);

    lifecycles.showAfterMs = 60_000;
    const never = await cleanUp('other-bucket');
    expect(never.exitCode).toBe(0);
    expect(never.outputs['abort-rule-added']).toBe('other-bucket');
    expect(paragraph(summaryDom(never.summary), '🧹')).toMatch(
      /The store accepted it, but did not show it yet when read back: it may take a while to apply\.$/,
    );
  });
});

describe('add-abort-rule on a directory bucket (stand-in)', () => {
  const bucket = 'ci-tests--use1-az4--x-s3';

  it('adds the rule, in the Filter form and without the size default directory buckets refuse', async () => {
    const lifecycles = new StandInLifecycles('directory');
    standIn = await startDirectoryBucketStandIn({ lifecycles });
    standIn.seed(bucket, ['ci/a.bin']);
    await clientOf(standIn).send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [{ ...expireLogs(), Filter: { ObjectSizeGreaterThan: 1024 } }],
        },
      }),
    );
    const run = await cleanUp(bucket);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '1', 'abort-rule-added': bucket });
    expect(await rulesOf(bucket)).toEqual([
      { ...expireLogs(), Filter: { ObjectSizeGreaterThan: 1024 } },
      ourAbortRule('ci/'),
    ]);
  });

  it("names the directory bucket's own permissions when they are missing", async () => {
    const lifecycles = new StandInLifecycles('directory');
    standIn = await startDirectoryBucketStandIn({ lifecycles });
    lifecycles.deniedReads.add(bucket);
    const run = await cleanUp(bucket);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `could not read its rules: AccessDenied: the credentials need s3express:GetLifecycleConfiguration on the directory bucket's ARN, arn:aws:s3express:REGION:ACCOUNT:bucket/${bucket}`,
    );
    lifecycles.deniedReads.clear();
    lifecycles.deniedWrites.add(bucket);
    const denied = await cleanUp(bucket);
    expect(denied.exitCode).toBe(1);
    expect(denied.stdout).toContain('s3express:PutLifecycleConfiguration');
  });
});
