// The ceiling profile's baseline: @aws-sdk/client-s3 in its best settings, in a fresh process
// as the action runs: the middleware stack cached (cacheMiddleware), kept-alive sockets, a
// fixed number of aborts in flight while the next page is listed. No reporting of any kind.
// Prints `{"aborted":N}`; exits non-zero if it aborted fewer than expected.
//
//   node bench/raw-client.mjs ENDPOINT CONCURRENCY EXPECTED
import { Agent } from 'node:http';
import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const [endpoint, concurrencyText, expectedText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const Bucket = 'bench';
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  cacheMiddleware: true,
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: concurrency + 1 }),
  }),
});

/** @param {{ KeyMarker?: string, UploadIdMarker?: string }} markers */
const listPage = (markers) =>
  client.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: 1000, ...markers }));

/** Every upload, page after page; the next page is requested as soon as one arrives. */
async function* allUploads() {
  let page = await listPage({});
  for (;;) {
    const next = page.IsTruncated
      ? listPage({ KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker })
      : undefined;
    yield* page.Uploads ?? [];
    if (!next) return;
    page = await next;
  }
}

let aborted = 0;
const uploads = allUploads();
// `concurrency` aborts in flight all the time, across page boundaries.
const worker = async () => {
  for (let next = await uploads.next(); !next.done; next = await uploads.next()) {
    const { Key, UploadId } = next.value;
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    aborted += 1;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
client.destroy();
console.log(JSON.stringify({ aborted }));
if (aborted !== Number(expectedText)) process.exitCode = 1;
