import { describe, expect, it, jest } from '@jest/globals';
import {
  PutBucketLifecycleConfigurationCommand,
  UploadPartCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
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
  remainingUploads,
  seedUploads,
  sleep,
  store,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// The job summary of dist/index.js as GitHub shows it (rendered with cmark-gfm): where the
// stale uploads are, and whether each bucket aborts them by itself.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

describe('where the stale uploads are', () => {
  it('groups them by the path segment after the prefix, with counts, sizes and the oldest age', async () => {
    const bucket = await newBucket('e2e-groups');
    const seeded = await seedUploads(seeder, bucket, [
      'ci/run-1/a.bin',
      'ci/run-1/deep/b.bin',
      'ci/run-2/x.bin',
      'ci/top.bin',
      'other/y.bin',
    ]);
    const withParts = { 'ci/run-1/a.bin': [1000, 2000], 'ci/run-2/x.bin': [10_000] };
    for (const [key, sizes] of Object.entries(withParts)) {
      const { uploadId } = seeded.find((upload) => upload.key === key)!;
      for (const [i, size] of sizes.entries()) {
        await seeder.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: i + 1,
            Body: Buffer.alloc(size, 1),
          }),
        );
      }
    }
    await sleep(2100);
    const run = await runAction(
      {
        ...storeInputs,
        bucket,
        prefix: 'ci/',
        'max-age': '0',
        'report-bytes': 'true',
        'check-lifecycle': 'false',
      },
      storeCredentials,
    );

    expect(run.exitCode).toBe(0);
    const $ = summaryDom(run.summary);
    expect(foreignMarkup($)).toEqual([]);
    const groups = tableAfter($, 'Where the stale uploads are');
    expect(groups[0]).toEqual(['bucket', 'group', 'stale uploads', 'size', 'oldest']);
    expect(groups.slice(1).map((row) => row.slice(0, 4))).toEqual([
      [bucket, 'ci/run-2/', '1', '9.77 KiB'],
      [bucket, 'ci/run-1/', '2', '2.93 KiB'],
      [bucket, 'ci/', '1', '0 B'],
    ]);
    for (const row of groups.slice(1)) expect(row[4]).toMatch(/^\d+s$/);
    expect(paragraph($, '✅')).toMatch(
      /^✅ Aborted 4 stale uploads; the oldest was \d+s old; freeing 12\.7 KiB in 3 parts\.$/,
    );
    expect(headings($)).toEqual([
      'Where the stale uploads are',
      'By bucket and prefix',
      'Stale uploads',
    ]);
    expect((await remainingUploads(seeder, bucket)).map((u) => u.key)).toEqual(['other/y.bin']);
  });
});

describe('whether the buckets clean up by themselves', () => {
  const abortAfter = (days: number, status: 'Enabled' | 'Disabled'): LifecycleRule => ({
    ID: 'abort-stale-uploads',
    Status: status,
    Filter: { Prefix: 'ci/' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  });

  async function bucketWith(label: string, rule?: LifecycleRule): Promise<string> {
    const bucket = await newBucket(label);
    if (rule && store.lifecycleRules) {
      await seeder.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: [rule] },
        }),
      );
    }
    await seedUploads(seeder, bucket, ['ci/left-behind.bin']);
    return bucket;
  }

  it('tells each bucket: a covering rule, none, a disabled one, or why it cannot tell', async () => {
    const covered = await bucketWith('e2e-lc-covered', abortAfter(3, 'Enabled'));
    const bare = await bucketWith('e2e-lc-bare');
    const disabled = await bucketWith('e2e-lc-disabled', abortAfter(1, 'Disabled'));
    const denied = await bucketWith('e2e-lc-denied', abortAfter(3, 'Enabled'));
    await sleep(2100);
    const proxy = await startProxy((request) =>
      request.operation === 'lifecycle' && request.bucket === denied
        ? { status: 403, code: 'AccessDenied', message: 'Access Denied' }
        : 'forward',
    );
    const run = await runAction(
      {
        ...storeInputs,
        endpoint: proxy.endpoint,
        bucket: [covered, bare, disabled, denied].join('\n'),
        prefix: 'ci/',
        'max-age': '0',
      },
      storeCredentials,
    );

    // Never a reason to fail the step.
    expect(run.exitCode).toBe(0);
    expect(run.outputs['aborted-count']).toBe('4');
    expect(proxy.log.filter((entry) => entry.operation === 'lifecycle')).toHaveLength(4);
    const $ = summaryDom(run.summary);
    expect(foreignMarkup($)).toEqual([]);
    const unknown = (bucket: string, why: string) => `❔ ${bucket}: unknown; ${why}.`;
    expect(paragraph($, `❔ ${denied}`)).toBe(
      unknown(
        denied,
        `AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::${denied}`,
      ),
    );
    const noRule = (bucket: string) =>
      `⚠️ ${bucket}: no lifecycle rule aborts incomplete uploads under ci/. With one, the bucket aborts them itself 1 day after they start, even when no workflow runs.`;
    // Swift's s3api keeps no lifecycle rules: it answers every bucket with none.
    const noRules = (bucket: string) =>
      unknown(
        bucket,
        'the store keeps no lifecycle rules (it answered with an empty configuration)',
      );
    const lines = store.lifecycleRules
      ? [
          `✅ ${covered}: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most 3 days after they start.`,
          noRule(bare),
          noRule(disabled),
        ]
      : [noRules(covered), noRules(bare), noRules(disabled)];
    const paragraphs = $('p')
      .toArray()
      .map((element) => $(element).text());
    for (const line of lines) expect(paragraphs).toContain(line);
    const withoutRule = store.lifecycleRules ? [bare, disabled] : [];
    expect(run.outputs['buckets-without-abort-rule']).toBe(withoutRule.join('\n'));

    // The rule to add, in a collapsed block that GitHub renders as code.
    const blocks = $('details').toArray();
    expect(blocks).toHaveLength(withoutRule.length);
    for (const [i, bucket] of withoutRule.entries()) {
      const block = $(blocks[i]);
      expect(block.find('summary').text()).toBe('The rule to add, as abort-rule.json');
      expect(JSON.parse(block.find('pre[lang="json"]').text())).toEqual({
        Rules: [
          {
            ID: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            Filter: { Prefix: 'ci/' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      });
      expect(block.find('pre[lang="sh"]').text()).toContain(
        `aws s3api put-bucket-lifecycle-configuration --bucket ${bucket} --lifecycle-configuration file://abort-rule.json\n`,
      );
      expect(block.text()).toContain(
        bucket === bare ? 'this bucket has none now' : 'this bucket has 1 rule now',
      );
    }
    for (const bucket of withoutRule) {
      expect(run.stdout).toContain(
        `s3://${bucket}: no lifecycle rule aborts incomplete uploads under ci/; the job summary shows one to add.`,
      );
    }
  });

  it('reads no lifecycle configuration with check-lifecycle: false', async () => {
    const bare = await bucketWith('e2e-lc-off');
    const proxy = await startProxy();
    const run = await runAction(
      { ...storeInputs, endpoint: proxy.endpoint, bucket: bare, 'check-lifecycle': 'false' },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs['buckets-without-abort-rule']).toBe('');
    expect(proxy.log.filter((entry) => entry.operation === 'lifecycle')).toEqual([]);
    expect(run.summary).not.toContain('clean up by themselves');
  });
});
