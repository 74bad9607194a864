// Fails the job unless no multipart upload is left under INPUT_PREFIX in INPUT_BUCKET on the
// local Ceph RGW. Uses the repository's scripts and node_modules (npm ci has run).
import { appendFileSync } from 'node:fs';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { localRgwClient } from '../../../scripts/local-rgw.mjs';

const bucket = process.env.INPUT_BUCKET ?? '';
const prefix = process.env.INPUT_PREFIX ?? '';
const s3 = localRgwClient();
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
