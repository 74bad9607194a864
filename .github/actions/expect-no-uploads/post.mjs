// Fails the job unless no multipart upload is left under INPUT_PREFIX in INPUT_BUCKET on the
// local Ceph RGW. Resolves @aws-sdk/client-s3 from the repository's node_modules.
import { appendFileSync } from 'node:fs';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';

const bucket = process.env.INPUT_BUCKET ?? '';
const prefix = process.env.INPUT_PREFIX ?? '';
const s3 = new S3Client({
  endpoint: `http://127.0.0.1:${process.env.LOCAL_S3_RGW_PORT ?? '7480'}`,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: 'LOCALS3TESTACCESSKEY',
    secretAccessKey: 'local-s3-test-secret-key-not-a-real-secret',
  },
});
const { Uploads = [] } = await s3.send(
  new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }),
);
if (Uploads.length > 0) {
  console.log(`::error::${Uploads.length} uploads are left under s3://${bucket}/${prefix}`);
  process.exitCode = 1;
} else {
  console.log(`No upload is left under s3://${bucket}/${prefix}: the post step cleaned up.`);
}
if (process.env.GITHUB_STEP_SUMMARY) {
  appendFileSync(
    process.env.GITHUB_STEP_SUMMARY,
    `Uploads left under ${prefix}: ${Uploads.length}\n`,
  );
}
