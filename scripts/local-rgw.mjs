// The local Ceph RGW that scripts/local-s3.sh starts, as the scripts beside the test suites
// reach it: its endpoint, and the throwaway user that scripts/stores/rgw.sh creates on a
// server that listens on 127.0.0.1 only.
import { S3Client } from '@aws-sdk/client-s3';

export const endpoint = `http://127.0.0.1:${process.env.LOCAL_S3_RGW_PORT ?? '7480'}`;
export const region = 'us-east-1';
export const credentials = {
  accessKeyId: 'LOCALS3TESTACCESSKEY',
  secretAccessKey: 'local-s3-test-secret-key-not-a-real-secret',
};

/** A client of the local RGW, with the SDK's defaults. */
export function localRgwClient() {
  return new S3Client({ endpoint, region, credentials, forcePathStyle: true });
}
