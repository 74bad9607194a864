import { afterEach, beforeEach, jest } from '@jest/globals';
import { AbortMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Upload } from '../../src/engine/types.js';
import { fakeCore } from './core.js';
import { useRunnerTemp } from './runner-temp.js';

/** The secret key every test run of main.ts holds: it must never show. */
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/**
 * main.ts's run() with `@actions/core` faked, a run context and credentials in the
 * environment, and a fresh aws-sdk-client-mock for each test (`mocked.s3`). Called once, at
 * the top of a test file, before anything imports main.ts.
 */
export async function mockedRun() {
  // @actions/github reads the run's context once, when loaded: as on a runner, set it first.
  Object.assign(process.env, {
    GITHUB_REPOSITORY: 'octo/repo',
    GITHUB_RUN_ID: '7',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_WORKFLOW: 'CI',
  });
  const fake = fakeCore();
  jest.unstable_mockModule('@actions/core', () => fake.core);
  // aws-sdk-client-mock answers the SDK's commands only: here aborts take the SDK's command.
  // The lean path, which does not go through the SDK's pipeline, is tested against
  // stand-ins (s3-client, lean-abort) and the real stores.
  jest.unstable_mockModule('../../src/engine/abort/senders.js', () => ({
    abortSenderFor: (client: S3Client, bucket: string) =>
      Object.assign(
        async (upload: Upload) => {
          const input = { Bucket: bucket, Key: upload.key, UploadId: upload.uploadId };
          await client.send(new AbortMultipartUploadCommand(input));
        },
        { retries: true },
      ),
  }));
  const { run } = await import('../../src/main.js');
  const mocked = { s3: undefined as unknown as ReturnType<typeof mockClient> };
  let savedEnv: NodeJS.ProcessEnv;
  beforeEach(() => {
    mocked.s3 = mockClient(S3Client);
    savedEnv = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
    });
  });
  afterEach(() => {
    mocked.s3.restore();
    process.env = savedEnv;
  });
  useRunnerTemp();
  return { run, fake, mocked };
}
