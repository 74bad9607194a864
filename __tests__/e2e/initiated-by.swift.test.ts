import { describe, expect, it, jest } from '@jest/globals';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { runAction } from '../support/runner.js';
import {
  remainingUploads,
  sleep,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// initiated-by against Swift's s3api, which names the requester (tempauth's account:user)
// as the Initiator and Owner of every upload it lists (measured; its code writes the
// request's user id): the action must say the guard cannot hold there.
jest.setTimeout(60_000);

const { seeder, newBucket } = useStore();

describe("initiated-by on Swift's s3api", () => {
  it('says the guard cannot hold, as the store names the requester as the initiator', async () => {
    const bucket = await newBucket('e2e-initiators');
    await seeder.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'ci/a' }));
    // max-age 0 keeps an upload of the last second or two (the Date header has whole seconds).
    await sleep(2_500);
    const run = await runAction(
      { ...storeInputs, bucket, 'max-age': '0', 'initiated-by': 'test:*' },
      storeCredentials,
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      `::notice::s3://${bucket}: initiated-by cannot tell who started an upload here. The store named "test:tester" as the initiator and owner of the one upload it listed`,
    );
    expect(run.outputs).toMatchObject({ 'aborted-count': '1', 'foreign-count': '0' });
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });
});
