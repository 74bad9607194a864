import { afterAll, beforeAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type BucketLocationConstraint,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mapConcurrent } from '../../src/engine/pool.js';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A real S3 server the integration and e2e suites run against. */
export interface S3Store extends Credentials {
  name: string;
  /** Undefined: Amazon S3 itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** A second user, with no rights on the first one's buckets. */
  outsider: Credentials | undefined;
  /** How to get the store running, for the message when it is not. */
  howToStart: string;
  /**
   * The longest key a multipart upload may have, in UTF-8 bytes: S3's 1,024, less on Swift,
   * which names the upload's segments after the key and its upload id.
   */
  maxUploadKeyBytes: number;
  /** Whether it keeps lifecycle rules (Swift's s3api has none: a GET answers no rules). */
  lifecycleRules: boolean;
  /**
   * What it answers a request signed with an access key it does not know: Swift's s3api
   * with tempauth cannot tell that from a wrong secret.
   */
  unknownKeyError: 'InvalidAccessKeyId' | 'SignatureDoesNotMatch';
  /**
   * The ID it names as the Initiator of the uploads this user lists: the user's own, on the
   * local stores (Ceph RGW 16.2 and Swift's s3api answer the requester); on Amazon S3 the
   * user's or role session's ARN.
   */
  userId: string;
}

const localStart =
  '`npm test` starts it, or run `scripts/local-s3.sh start` first (install it once with ' +
  '`scripts/local-s3.sh install`).';

/**
 * The stores the suites know. jest.config.js runs the integration and e2e suites once per
 * store named in S3_STORES (default: the two local ones). The local stores' fixed
 * credentials are throwaway values of servers that listen on 127.0.0.1 only.
 */
const stores: Record<string, () => S3Store> = {
  rgw: () => ({
    name: 'Ceph RGW',
    endpoint: `http://127.0.0.1:${process.env.LOCAL_S3_RGW_PORT ?? '7480'}`,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'LOCALS3TESTACCESSKEY',
    secretAccessKey: 'local-s3-test-secret-key-not-a-real-secret',
    outsider: {
      accessKeyId: 'LOCALS3OUTSIDERKEY00',
      secretAccessKey: 'local-s3-outsider-secret-not-a-real-secret',
    },
    howToStart: localStart,
    maxUploadKeyBytes: 1024,
    lifecycleRules: true,
    unknownKeyError: 'InvalidAccessKeyId',
    userId: 'local-s3',
  }),
  swift: () => ({
    name: 'OpenStack Swift (s3api)',
    endpoint: `http://127.0.0.1:${process.env.LOCAL_S3_SWIFT_PORT ?? '8080'}`,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'test:tester',
    secretAccessKey: 'local-swift-test-secret-not-a-real-secret',
    outsider: {
      accessKeyId: 'outsider:user',
      secretAccessKey: 'local-swift-outsider-secret-not-a-real-secret',
    },
    howToStart: localStart,
    maxUploadKeyBytes: 960,
    lifecycleRules: false,
    unknownKeyError: 'SignatureDoesNotMatch',
    userId: 'test:tester',
  }),
  // Any other store (MinIO, Amazon S3, R2, …), described by the environment.
  env: () => ({
    name: process.env.S3_TEST_NAME ?? 'S3 store from S3_TEST_* variables',
    endpoint: process.env.S3_TEST_ENDPOINT || undefined,
    region: process.env.S3_TEST_REGION ?? 'us-east-1',
    forcePathStyle: process.env.S3_TEST_FORCE_PATH_STYLE === 'true',
    accessKeyId: required('S3_TEST_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_TEST_SECRET_ACCESS_KEY'),
    outsider: process.env.S3_TEST_OUTSIDER_ACCESS_KEY_ID
      ? {
          accessKeyId: process.env.S3_TEST_OUTSIDER_ACCESS_KEY_ID,
          secretAccessKey: required('S3_TEST_OUTSIDER_SECRET_ACCESS_KEY'),
        }
      : undefined,
    howToStart: 'check the S3_TEST_* variables.',
    maxUploadKeyBytes: 1024,
    lifecycleRules: process.env.S3_TEST_LIFECYCLE_RULES !== 'false',
    unknownKeyError: 'InvalidAccessKeyId',
    userId: required('S3_TEST_USER_ID'),
  }),
};

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new Error(`S3_STORES names the store "env", which needs ${variable}`);
  return value;
}

/** The store of this jest project (its `globals.S3_STORE`, set by jest.config.js). */
export const store: S3Store = (() => {
  const name = (globalThis as { S3_STORE?: string }).S3_STORE ?? 'rgw';
  const describe = stores[name];
  if (!describe) {
    throw new Error(`S3_STORES names "${name}"; known stores: ${Object.keys(stores).join(', ')}`);
  }
  return describe();
})();

/** The outsider's credentials; a test that needs them fails when the store has none. */
export function outsider(): Credentials {
  if (!store.outsider) throw new Error(`no second user is configured for ${store.name}`);
  return store.outsider;
}

/** The inputs that point the action at the store. */
export const storeInputs = {
  endpoint: store.endpoint ?? '',
  'force-path-style': String(store.forcePathStyle),
  region: store.region,
};

/** The environment that gives the action the store's credentials. */
export const storeCredentials = {
  AWS_ACCESS_KEY_ID: store.accessKeyId,
  AWS_SECRET_ACCESS_KEY: store.secretAccessKey,
};

export function testClient(credentials: Credentials = store): S3Client {
  return new S3Client({
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: store.forcePathStyle,
    // Some stores (Swift) answer 501 to the SDK's default aws-chunked checksummed bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
  });
}

/** Fails loudly, saying how to start it, when the server is not there: a suite never skips. */
async function requireStore(client: S3Client): Promise<void> {
  try {
    await client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw new Error(
      `${store.name} does not answer at ${store.endpoint ?? 'Amazon S3'} (${String(error)}).\n` +
        `The integration and e2e suites need it: ${store.howToStart}`,
      { cause: error },
    );
  }
}

/**
 * Sets up a suite on the store: it fails before any test when the store is absent, and
 * removes the buckets it made (with what is left in them) when done.
 */
export function useStore(): {
  seeder: S3Client;
  /** A bucket named `label-<random>`, or `label` itself when exact: removed after the suite. */
  newBucket: (label: string, options?: { exact?: boolean }) => Promise<string>;
} {
  const seeder = testClient();
  const buckets: string[] = [];
  beforeAll(() => requireStore(seeder));
  afterAll(async () => {
    for (const bucket of buckets) await removeTestBucket(seeder, bucket);
  });
  const newBucket = async (label: string, { exact = false } = {}) => {
    const bucket = exact ? label : `${label}-${randomBytes(4).toString('hex')}`;
    // Amazon S3 wants the region named, except for its first one.
    const location =
      store.endpoint === undefined && store.region !== 'us-east-1'
        ? {
            CreateBucketConfiguration: {
              LocationConstraint: store.region as BucketLocationConstraint,
            },
          }
        : {};
    await seeder.send(new CreateBucketCommand({ Bucket: bucket, ...location }));
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
  // Swift makes a bucket's segments container on its first upload; first uploads sent
  // together race to make it, and the losers answer NoSuchBucket from a cached lookup.
  const [first, ...rest] = keys;
  if (first === undefined) return seeded;
  seeded.push(await create(first));
  async function* each() {
    yield* rest;
  }
  for await (const upload of mapConcurrent(each(), create, 32)) seeded.push(upload);
  return seeded;
}

/**
 * Seeds uploads that are stale for `max-age: 0` once this returns: older than a run started
 * now by the store's clock, which the action reads from the Date header in whole seconds,
 * even when the store rounds Initiated up to the second (Swift).
 */
export async function seedStaleUploads(
  client: S3Client,
  bucket: string,
  keys: string[],
): Promise<SeededUpload[]> {
  const seeded = await seedUploads(client, bucket, keys);
  await sleep(2100);
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

/** Aborts whatever is left, deletes the objects that completed uploads made, and the bucket. */
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
  const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const { Key } of Contents) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Uploads the first part of an upload, `bytes` long: what aborting it frees. */
export async function uploadPart(
  client: S3Client,
  bucket: string,
  upload: SeededUpload,
  bytes: number,
): Promise<void> {
  const { key: Key, uploadId: UploadId } = upload;
  const Body = Buffer.alloc(bytes, 'p');
  await client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body }));
}

/** Completes an upload with one small part, as a test run that finished after all would. */
export async function completeUpload(
  client: S3Client,
  bucket: string,
  upload: SeededUpload,
): Promise<void> {
  const { Key, UploadId } = { Key: upload.key, UploadId: upload.uploadId };
  const { ETag } = await client.send(
    new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body: 'part' }),
  );
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
    }),
  );
}

/** Upload identities as sortable strings, for comparing sets. */
export const idsOf = (uploads: SeededUpload[]): string[] =>
  uploads.map((upload) => `${upload.key}#${upload.uploadId}`).sort();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
