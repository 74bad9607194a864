import { afterAll, beforeAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mapConcurrent } from '../../src/engine/pool.js';

/**
 * The real S3 server the integration and e2e suites run against: by default the project's
 * throwaway Ceph RGW (scripts/local-s3.sh), whose fixed credentials are loopback-only.
 */
export const localS3 = {
  endpoint: `http://127.0.0.1:${process.env.LOCAL_S3_PORT ?? '7480'}`,
  region: 'us-east-1',
  accessKeyId: 'LOCALS3TESTACCESSKEY',
  secretAccessKey: 'local-s3-test-secret-key-not-a-real-secret',
  /** A second user, with no rights on the first one's buckets. */
  outsider: {
    accessKeyId: 'LOCALS3OUTSIDERKEY00',
    secretAccessKey: 'local-s3-outsider-secret-not-a-real-secret',
  },
};

export function testClient(
  credentials: { accessKeyId: string; secretAccessKey: string } = localS3,
): S3Client {
  return new S3Client({
    endpoint: localS3.endpoint,
    region: localS3.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
  });
}

/** Fails loudly, saying how to start it, when the server is not there: a suite never skips. */
async function requireLocalS3(client: S3Client): Promise<void> {
  try {
    await client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw new Error(
      `No S3 server answers at ${localS3.endpoint} (${String(error)}).\n` +
        'The integration and e2e suites need the local Ceph RGW: `npm test` starts it, or run ' +
        '`scripts/local-s3.sh start` first (install it once with `scripts/local-s3.sh install`).',
      { cause: error },
    );
  }
}

/**
 * Sets up a suite on the local server: it fails before any test when the server is absent,
 * and removes the buckets it made (with what is left in them) when done.
 */
export function useLocalS3(): { seeder: S3Client; newBucket: (label: string) => Promise<string> } {
  const seeder = testClient();
  const buckets: string[] = [];
  beforeAll(() => requireLocalS3(seeder));
  afterAll(async () => {
    for (const bucket of buckets) await removeTestBucket(seeder, bucket);
  });
  const newBucket = async (label: string) => {
    const bucket = `${label}-${randomBytes(4).toString('hex')}`;
    await seeder.send(new CreateBucketCommand({ Bucket: bucket }));
    buckets.push(bucket);
    return bucket;
  };
  return { seeder, newBucket };
}

export interface SeededUpload {
  key: string;
  uploadId: string;
}

export interface ListedUpload extends SeededUpload {
  initiated: Date | undefined;
}

/** Initiates one multipart upload per key (a key listed twice gets two uploads). */
export async function seedUploads(
  client: S3Client,
  bucket: string,
  keys: string[],
): Promise<SeededUpload[]> {
  const seeded: SeededUpload[] = [];
  const create = async (key: string) => {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
    );
    if (!UploadId) throw new Error(`no upload id for ${key}`);
    return { key, uploadId: UploadId };
  };
  async function* each() {
    yield* keys;
  }
  for await (const upload of mapConcurrent(each(), create, 32)) seeded.push(upload);
  return seeded;
}

/**
 * Every upload left in a bucket, by a listing written independently of the code under test:
 * the plain markers S3 documents, no encoding-type, no shortcuts.
 */
export async function remainingUploads(client: S3Client, bucket: string): Promise<ListedUpload[]> {
  const uploads: ListedUpload[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const response = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }),
    );
    for (const upload of response.Uploads ?? []) {
      uploads.push({
        key: upload.Key ?? '',
        uploadId: upload.UploadId ?? '',
        initiated: upload.Initiated,
      });
    }
    if (!response.IsTruncated) return uploads;
    KeyMarker = response.NextKeyMarker;
    UploadIdMarker = response.NextUploadIdMarker;
  }
  throw new Error(`listing ${bucket} did not end`);
}

/** Aborts whatever is left and deletes the bucket. */
async function removeTestBucket(client: S3Client, bucket: string): Promise<void> {
  for (const upload of await remainingUploads(client, bucket)) {
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
      }),
    );
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Upload identities as sortable strings, for comparing sets. */
export const idsOf = (uploads: SeededUpload[]): string[] =>
  uploads.map((upload) => `${upload.key}#${upload.uploadId}`).sort();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
