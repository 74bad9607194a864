import { describe, expect, it, jest } from '@jest/globals';
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { useFaultProxy } from '../support/fault-proxy.js';
import { paragraph, summaryDom } from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import { seedUploads, sleep, storeCredentials, storeInputs, useStore } from '../support/store.js';
import { ourAbortRule } from '../support/lifecycle-fixtures.js';

// add-abort-rule against Ceph RGW, which keeps lifecycle rules and answers some of them in a
// form that changes their meaning when written back as read (S3-NOTES, "Writing a rule
// safely"). Every configuration is read back from the store itself after the run.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

/** Rules of every shape a bucket's owner may have written, in S3's own schema. */
const shapes: LifecycleRule[] = [
  {
    ID: 'logs-tagged',
    Status: 'Enabled',
    Filter: {
      And: {
        Prefix: 'logs/',
        Tags: [
          { Key: 'team', Value: 'search' },
          { Key: 'tier', Value: 'hot' },
        ],
      },
    },
    Expiration: { Days: 30 },
  },
  {
    ID: 'one-tag',
    Status: 'Enabled',
    Filter: { And: { Tags: [{ Key: 'scratch', Value: 'yes' }] } },
    Expiration: { Days: 10 },
  },
  {
    ID: 'noncurrent',
    Status: 'Enabled',
    Filter: { Prefix: 'v/' },
    NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    NoncurrentVersionTransitions: [{ NoncurrentDays: 10, StorageClass: 'STANDARD_IA' }],
  },
  {
    ID: 'abort-other',
    Status: 'Enabled',
    Filter: { Prefix: 'other/' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
  },
  {
    ID: 'paused-tmp',
    Status: 'Disabled',
    Filter: { Prefix: 'tmp/' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
  },
  {
    ID: 'dated',
    Status: 'Enabled',
    Filter: { Prefix: 'archive/' },
    Expiration: { Date: new Date('2031-01-01T00:00:00Z') },
    Transitions: [{ Date: new Date('2030-06-01T00:00:00Z'), StorageClass: 'STANDARD_IA' }],
  },
];

async function bucketWith(label: string, rules: LifecycleRule[] = []): Promise<string> {
  const bucket = await newBucket(label);
  if (rules.length > 0) {
    await seeder.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: rules },
      }),
    );
  }
  await seedUploads(seeder, bucket, ['ci/left-behind.bin']);
  return bucket;
}

/** The store's clock has whole seconds: past this, an upload just made is stale at max-age 0. */
const settle = () => sleep(2100);

/** The bucket's rules as the store answers them, by ID (RGW answers them sorted so). */
async function rulesOf(bucket: string): Promise<LifecycleRule[]> {
  const answer = await seeder
    .send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))
    .catch((error: { name?: string }) => {
      if (error.name === 'NoSuchLifecycleConfiguration') return { Rules: [] };
      throw error;
    });
  return byId(answer.Rules ?? []);
}
function byId(rules: LifecycleRule[]): LifecycleRule[] {
  return [...rules].sort((a, b) => (a.ID! < b.ID! ? -1 : 1));
}

const inputsFor = (buckets: string[], endpoint: string, more: Record<string, string> = {}) => ({
  ...storeInputs,
  endpoint,
  bucket: buckets.join('\n'),
  prefix: 'ci/\ntmp/',
  'max-age': '0',
  'add-abort-rule': '7',
  ...more,
});

describe('add-abort-rule on Ceph RGW', () => {
  it('adds the missing rules and keeps every rule as RGW answered it; a second run writes nothing', async () => {
    const shaped = await bucketWith('e2e-protect-shapes', shapes);
    const bare = await bucketWith('e2e-protect-bare');
    const legacy = await bucketWith('e2e-protect-legacy', [
      { ID: 'old-logs', Status: 'Enabled', Prefix: 'logs/', Expiration: { Days: 30 } },
    ]);
    const before = new Map<string, LifecycleRule[]>();
    for (const bucket of [shaped, bare, legacy]) before.set(bucket, await rulesOf(bucket));
    // RGW answers the prefix-and-two-tags rule outside S3's schema: given back as read, it
    // would keep the tags and drop the prefix. This is what the action must not do.
    expect(before.get(shaped)!.find((r) => r.ID === 'logs-tagged')?.Filter).toEqual({
      Prefix: 'logs/',
      And: { Tags: expect.any(Array) },
    });

    await settle();
    const proxy = await startProxy();
    const buckets = [shaped, bare, legacy];
    const run = await runAction(inputsFor(buckets, proxy.endpoint), storeCredentials);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'aborted-count': '3',
      'abort-rule-added': buckets.join('\n'),
      // tmp/ stays uncovered on the shaped bucket: its rule there is disabled.
      'buckets-without-abort-rule': shaped,
    });
    expect(await rulesOf(shaped)).toEqual(byId([...before.get(shaped)!, ourAbortRule('ci/')]));
    expect(await rulesOf(bare)).toEqual(byId([ourAbortRule('ci/'), ourAbortRule('tmp/')]));
    expect(await rulesOf(legacy)).toEqual(
      byId([...before.get(legacy)!, ourAbortRule('ci/', true), ourAbortRule('tmp/', true)]),
    );
    expect(proxy.log.filter((r) => r.operation === 'put-lifecycle')).toHaveLength(3);

    const $ = summaryDom(run.summary);
    expect(paragraph($, `🧹 ${bare}`)).toMatch(
      new RegExp(
        `^🧹 ${bare}: this run added 2 lifecycle rules that abort incomplete uploads under ci/, tmp/ 7 days after they start\\. From now on the bucket sweeps them by itself`,
      ),
    );
    expect(paragraph($, '⏸️')).toBe(
      '⏸️ A disabled rule would abort them under tmp/ (paused-tmp). The action never enables, changes or removes a rule, and adds none beside a disabled one: enable it, or remove it, and run again.',
    );
    expect(run.summary).not.toContain('replaces the whole lifecycle configuration');

    const again = await runAction(inputsFor(buckets, proxy.endpoint), storeCredentials);
    expect(again.exitCode).toBe(0);
    expect(again.outputs['abort-rule-added']).toBe('');
    expect(proxy.log.filter((r) => r.operation === 'put-lifecycle')).toHaveLength(3);
  });

  it('merges into the rules as they are at the write, when another writer changed them after the check', async () => {
    const bucket = await bucketWith('e2e-protect-race', [shapes[0]]);
    const theirs: LifecycleRule = {
      ID: 'added-meanwhile',
      Status: 'Enabled',
      Filter: { Prefix: 'reports/' },
      Expiration: { Days: 90 },
    };
    // The second read of the bucket's rules is the one just before the write: another client
    // changes them first.
    const proxy = await startProxy(async (request) => {
      if (request.operation === 'lifecycle' && request.attempt === 1) {
        await seeder.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket: bucket,
            LifecycleConfiguration: { Rules: [shapes[0], theirs] },
          }),
        );
      }
      return 'forward' as const;
    });
    const run = await runAction(inputsFor([bucket], proxy.endpoint), storeCredentials);
    expect(run.exitCode).toBe(0);
    expect((await rulesOf(bucket)).map((r) => r.ID)).toEqual(
      [theirs.ID, shapes[0].ID, ourAbortRule('ci/').ID, ourAbortRule('tmp/').ID].sort(),
    );
  });

  it('writes nothing where the read or the write is denied, and fails naming the permission', async () => {
    const unreadable = await bucketWith('e2e-protect-noread', [shapes[3]]);
    const unwritable = await bucketWith('e2e-protect-nowrite', [shapes[3]]);
    await settle();
    const denied = { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    const proxy = await startProxy((request) =>
      (request.operation === 'lifecycle' && request.bucket === unreadable) ||
      (request.operation === 'put-lifecycle' && request.bucket === unwritable)
        ? denied
        : 'forward',
    );
    const run = await runAction(
      inputsFor([unreadable, unwritable], proxy.endpoint),
      storeCredentials,
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::The abort rule could not be added to 2 buckets (see the log and the job summary)%0As3://${unreadable}: could not read its rules: AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::${unreadable}%0As3://${unwritable}: AccessDenied: the credentials need s3:PutLifecycleConfiguration on arn:aws:s3:::${unwritable}`,
    );
    // Everything else was done: the uploads are aborted, and the rules are as they were.
    expect(run.outputs).toMatchObject({ 'aborted-count': '2', 'abort-rule-added': '' });
    expect(await rulesOf(unreadable)).toEqual([shapes[3]]);
    expect(await rulesOf(unwritable)).toEqual([shapes[3]]);
    expect(proxy.log.filter((r) => r.operation === 'put-lifecycle').map((r) => r.bucket)).toEqual([
      unwritable,
    ]);
  });

  it('refuses to take a bucket past 1,000 rules, and writes nothing', async () => {
    const rules = Array.from({ length: 1000 }, (_, i) => ({
      ...shapes[3],
      ID: `rule-${String(i).padStart(4, '0')}`,
      Filter: { Prefix: `p${i}/` },
    }));
    const bucket = await bucketWith('e2e-protect-full', rules);
    const proxy = await startProxy();
    const run = await runAction(inputsFor([bucket], proxy.endpoint), storeCredentials);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `s3://${bucket}: the bucket has 1000 lifecycle rules, and 2 more would pass S3's limit of 1,000`,
    );
    expect(proxy.log.filter((r) => r.operation === 'put-lifecycle')).toEqual([]);
    expect(await rulesOf(bucket)).toHaveLength(1000);
  });
});
