// Starts multipart uploads on the local Ceph RGW (scripts/local-s3.sh), as a test run that
// crashed would leave them, for the workflow job that runs this action with `uses: ./`.
// Creates the bucket when it is missing, and waits until the uploads are older than
// `max-age: 0` by the store's clock (whole seconds).
//
//   node scripts/seed-uploads.mjs BUCKET PREFIX COUNT
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { localRgwClient } from './local-rgw.mjs';

const [bucket, prefix, countText] = process.argv.slice(2);
const count = Number(countText);
if (!bucket || prefix === undefined || !Number.isInteger(count) || count < 1) {
  console.error('usage: node scripts/seed-uploads.mjs BUCKET PREFIX COUNT');
  process.exit(2);
}
const s3 = localRgwClient();
try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
} catch (error) {
  if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
}
for (let i = 1; i <= count; i += 1) {
  const Key = `${prefix}file-${i}.bin`;
  await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
}
await sleep(2100);
console.log(`${count} uploads under s3://${bucket}/${prefix}`);
