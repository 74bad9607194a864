import { describe, expect, it, jest } from '@jest/globals';
import { CreateMultipartUploadCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { runAction } from '../support/runner.js';
import {
  outsider,
  remainingUploads,
  sleep,
  storeCredentials,
  storeInputs,
  testClient,
  useStore,
} from '../support/store.js';

// initiated-by against Ceph RGW 16.2 with two users: the bucket's owner and `outsider`,
// given write access by a bucket policy, each start one upload. RGW 16.2 answers whoever
// lists as the Initiator and Owner of every upload (measured: the behaviour of ceph#43715),
// so the guard cannot tell them apart: the action must say so, and its outcome follows
// what the store answered.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();

async function sharedBucket(): Promise<string> {
  const bucket = await newBucket('e2e-initiators');
  await seeder.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam:::user/local-s3-outsider'] },
            Action: ['s3:*'],
            Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          },
        ],
      }),
    }),
  );
  await seeder.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'by-owner' }));
  const other = testClient(outsider());
  await other.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'by-outsider' }));
  other.destroy();
  // max-age 0 keeps an upload of the last second or two (the Date header has whole seconds).
  await sleep(2_500);
  return bucket;
}

const untold = (bucket: string) =>
  `::notice::s3://${bucket}: initiated-by cannot tell who started an upload here. The store named "local-s3" as the initiator and owner of all 2 uploads it listed`;

describe('initiated-by on Ceph RGW 16.2, two users', () => {
  it('says the guard cannot hold, as the store names the requester for both uploads', async () => {
    const bucket = await sharedBucket();
    const run = await runAction(
      { ...storeInputs, bucket, 'max-age': '0', 'initiated-by': 'local-s3' },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(untold(bucket));
    expect(run.summary).toContain('initiated-by cannot tell who started an upload here');
    // The outsider's upload went too: the store named the owner, who listed, as its initiator.
    expect(run.outputs).toMatchObject({ 'aborted-count': '2', 'foreign-count': '0' });
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });

  it('leaves every upload of an initiator it does not name, and counts them', async () => {
    const bucket = await sharedBucket();
    const run = await runAction(
      { ...storeInputs, bucket, 'max-age': '0', 'initiated-by': 'arn:aws:iam::*:user/ci-*' },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '0', 'foreign-count': '2' });
    expect(run.summary).toContain('2 stale uploads left alone:');
    expect(run.stdout).toContain(untold(bucket));
    expect((await remainingUploads(seeder, bucket)).map((upload) => upload.key).sort()).toEqual([
      'by-outsider',
      'by-owner',
    ]);
  });
});
