import { describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { abortUpload } from '../../src/engine/abort/abort-upload.js';
import { abortSenderFor, leanAbortSender } from '../../src/engine/abort/senders.js';
import { describeS3Error } from '../../src/engine/errors.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import { ceilingConcurrency } from '../../src/engine/traffic/concurrency.js';
import type { RateLimit } from '../../src/engine/traffic/rate.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import type { Upload } from '../../src/engine/types.js';
import { useLocalServer } from '../support/local-server.js';
import { signAgain } from '../support/sigv4.js';

// The lean abort path against a stand-in on 127.0.0.1 that records each request as it
// arrives and answers as a store would. Signatures are recomputed from the request as it
// arrived (support/sigv4.ts, written from the specification); whether real stores accept
// them is for the integration and e2e suites against Ceph RGW and Swift.

interface Received {
  method: string;
  /** The path and query as sent, still encoded. */
  url: string;
  /** The path as sent, still encoded. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}
const received: Received[] = [];
/** What the stand-in answers for a key, in turn; past the end, 204. */
const answers = new Map<string, Array<{ status: number; code: string }>>();

function respond(request: IncomingMessage, response: ServerResponse): void {
  const [rawPath, query = ''] = (request.url ?? '/').split(/\?(.*)/s);
  received.push({
    method: request.method ?? '',
    url: request.url ?? '/',
    rawPath,
    query: new URLSearchParams(query),
    headers: request.headers,
  });
  const key = decodeURIComponent(rawPath.split('/').slice(2).join('/'));
  const answer = answers.get(key)?.shift();
  if (!answer) {
    response.writeHead(204).end();
    return;
  }
  response.writeHead(answer.status, { 'Content-Type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>stand-in</Message></Error>`,
  );
}

const standIn = useLocalServer(respond);
const client = () =>
  createS3Client({
    region: 'eu-west-3',
    endpoint: standIn.endpoint,
    forcePathStyle: true,
    concurrency: 4,
  });
const upload = (key: string): Upload => ({ key, uploadId: `id of ${key}`, initiated: undefined });

describe('the lean abort path', () => {
  it('sends a DELETE of the key, segment by segment encoded once, with the upload id', async () => {
    const keys = [
      'plain/key.bin',
      'with space/and+plus',
      'percent%20literal%',
      'ünïcødé ✓ 日本語',
      "sub-delims!$&'()*,;=:@",
      '/leading//double/slash/',
      'a/../b/./c',
    ];
    received.length = 0;
    const s3 = client();
    const send = (await leanAbortSender(s3, 'bucket'))!;
    for (const key of keys) await send(upload(key));
    s3.destroy();

    expect(received.map((request) => request.method)).toEqual(keys.map(() => 'DELETE'));
    // The store decodes each path back into exactly the key that was listed.
    expect(received.map((request) => decodeURIComponent(request.rawPath))).toEqual(
      keys.map((key) => `/bucket/${key}`),
    );
    expect(received[1].rawPath).toBe('/bucket/with%20space/and%2Bplus');
    expect(received[4].rawPath).toBe('/bucket/sub-delims%21%24%26%27%28%29%2A%2C%3B%3D%3A%40');
    expect(received.map((request) => request.query.get('uploadId'))).toEqual(
      keys.map((key) => `id of ${key}`),
    );
  });

  it('signs with SigV4 for the bucket’s region, the empty body’s hash and the client’s key', async () => {
    received.length = 0;
    const s3 = client();
    await (await leanAbortSender(s3, 'bucket'))!(upload('k'));
    s3.destroy();

    const { headers } = received[0];
    expect(headers['x-amz-content-sha256']).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(headers.host).toBe(new URL(standIn.endpoint).host);
  });

  it('signs each request as a store checks it: recomputed from the request as received', async () => {
    // Keys that encoding changes: a signer that encoded the path a second time (%20 as
    // %2520) would sign another path than the one sent.
    const keys = ['plain', 'with space/and+plus', 'percent%20literal%', 'ünïcødé ✓', "a!'()*"];
    received.length = 0;
    const s3 = client();
    const send = (await leanAbortSender(s3, 'bucket'))!;
    for (const key of keys) await send(upload(key));
    s3.destroy();

    const secretFor = (accessKeyId: string) =>
      accessKeyId === 'AKIDEXAMPLE' ? process.env.AWS_SECRET_ACCESS_KEY : undefined;
    const verdicts = received.map((request) => {
      const again = signAgain(request, secretFor, new Date());
      return typeof again === 'string' ? `${request.rawPath}: ${again}` : 'holds';
    });
    expect(verdicts).toEqual(keys.map(() => 'holds'));
  });

  it('asks the credential provider for every abort, so that refreshed credentials are used', async () => {
    received.length = 0;
    let issued = 0;
    // Credentials that expire at once: the SDK's memoized provider fetches new ones each time.
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: standIn.endpoint,
      forcePathStyle: true,
      credentials: async () => ({
        accessKeyId: `AKID${(issued += 1)}`,
        secretAccessKey: `secret of AKID${issued}`,
        expiration: new Date(Date.now() - 1000),
      }),
    });
    const send = (await leanAbortSender(s3, 'bucket'))!;
    await send(upload('a'));
    await send(upload('b'));
    s3.destroy();

    const keyIds = received.map(
      (request) => /Credential=(\w+)\//.exec(request.headers.authorization!)?.[1],
    );
    // Each abort signed with the credentials current when it was sent: the latest issued.
    expect(keyIds).toEqual([`AKID${issued - 1}`, `AKID${issued}`]);
    // And with the secret issued with them, not one kept from before.
    const holds = received.map(
      (request) => typeof signAgain(request, (id) => `secret of ${id}`, new Date()) !== 'string',
    );
    expect(holds).toEqual([true, true]);
  });

  it('reads an error answer as the SDK does, so it means what it means on the SDK’s path', async () => {
    answers.set('denied', [{ status: 403, code: 'AccessDenied' }]);
    answers.set('raced', [{ status: 404, code: 'NoSuchUpload' }]);
    const s3 = client();
    const send = (await leanAbortSender(s3, 'bucket'))!;
    const traffic = AbortTraffic.for(1).forBucket('bucket');
    const denied = await abortUpload(upload('denied'), send, traffic);
    const raced = await abortUpload(upload('raced'), send, traffic);
    s3.destroy();

    expect(raced).toEqual({ result: 'gone' });
    expect(denied.result).toBe('failed');
    const error = (denied as { error: unknown }).error;
    expect(describeS3Error(error, 'abort', { bucket: 'bucket', prefix: '' })).toBe(
      'AccessDenied: the credentials need s3:AbortMultipartUpload on arn:aws:s3:::bucket/*',
    );
  });

  it('retries a throttled abort (SlowDown, any 503) however often it is refused; other errors, 5 times', async () => {
    received.length = 0;
    // More refusals than the attempts any other error gets: throttling alone never fails.
    const refusals = (status: number, code: string) =>
      Array.from({ length: 8 }, () => ({ status, code }));
    answers.set('busy', refusals(503, 'SlowDown'));
    // A 503 whose code the SDK does not list as throttling is throttling all the same.
    answers.set('unavailable', refusals(503, 'ServiceUnavailable'));
    answers.set('broken', refusals(500, 'InternalError'));
    const s3 = client();
    const send = (await leanAbortSender(s3, 'bucket'))!;
    // The pace is the simulation's to test (traffic.test.ts): here it never holds back.
    const traffic = new AbortTraffic(
      1,
      ceilingConcurrency({ initial: 1, max: 1 }),
      unpaced,
    ).forBucket('bucket');
    const busy = await abortUpload(upload('busy'), send, traffic);
    const unavailable = await abortUpload(upload('unavailable'), send, traffic);
    const broken = await abortUpload(upload('broken'), send, traffic);
    s3.destroy();

    expect([busy, unavailable]).toEqual([{ result: 'aborted' }, { result: 'aborted' }]);
    expect(broken).toMatchObject({ result: 'failed' });
    const attempts = (key: string) =>
      received.filter((request) => request.rawPath === `/bucket/${key}`).length;
    expect(['busy', 'unavailable', 'broken'].map(attempts)).toEqual([9, 9, 5]);
    // Counted as throttling, for the pace and for the report.
    expect(traffic.throttled).toBe(16);
  }, 10_000);
});

/** A pace that lets everything through, counting the throttling answers. */
function unpaced(): RateLimit {
  let throttled = 0;
  return {
    perSecond: undefined,
    cuts: 0,
    get throttled() {
      return throttled;
    },
    nextSendAt: (now) => now,
    onSent: () => undefined,
    onAnswered: (_now, _sentAt, wasThrottled) => void (throttled += wasThrottled ? 1 : 0),
  };
}

describe('abortSenderFor', () => {
  it.each([
    ['a plain bucket', 'bucket', false],
    // S3 Express One Zone: CreateSession and its session token, which the SDK does itself.
    ['a directory bucket', 'ci--use1-az4--x-s3', true],
    // A multi-region access point: SigV4a.
    [
      'a multi-region access point',
      'arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap',
      true,
    ],
  ])('sends the aborts of %s (%s) by the SDK’s command: %s', async (_, bucket, bySdk) => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const send = await abortSenderFor(s3, bucket);
    s3.destroy();
    // The SDK's command retries by itself; the lean path leaves retries to abortUpload.
    expect(send.retries).toBe(bySdk);
    expect((await leanAbortSender(s3, bucket)) === undefined).toBe(bySdk);
  });
});
