// The ceiling profile's floor: what listing and aborting cost with nothing but Node. node:http
// with kept-alive sockets; Signature Version 4 by hand with node:crypto (the signing key
// derived once a day, a canonical request and an HMAC per request); path-style; listing
// pages read with regular expressions, both markers included. A fixed number of aborts in
// flight while the next page is listed, as bench/raw-client.mjs does. No retries, no
// reporting. Prints `{"aborted":N}`; exits non-zero if it aborted fewer than expected.
//
//   node bench/hand-signed-client.mjs ENDPOINT CONCURRENCY EXPECTED [BUCKET]
//
// Credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, region us-east-1. Its
// signatures are real: it cleans a bucket of the local Ceph RGW as well as the stand-in.
import { Buffer } from 'node:buffer';
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { URL } from 'node:url';

const [endpoint, concurrencyText, expectedText, bucket = 'bench'] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const { hostname, port, host } = new URL(endpoint);
const REGION = 'us-east-1';
const ACCESS_KEY_ID = process.env.AWS_ACCESS_KEY_ID ?? '';
const SECRET_ACCESS_KEY = process.env.AWS_SECRET_ACCESS_KEY ?? '';
/** x-amz-content-sha256, which S3 requires: the hash of the empty body every request has. */
const EMPTY_BODY_SHA256 = createHash('sha256').digest('hex');
const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';
const agent = new Agent({ keepAlive: true, maxSockets: concurrency + 1 });

/** URI encoding as SigV4 wants it (RFC 3986): all but A–Z a–z 0–9 - . _ ~ escaped. */
const uriEncode = (/** @type {string} */ text) =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const hmac = (/** @type {string | Buffer} */ key, /** @type {string} */ text) =>
  createHmac('sha256', key).update(text).digest();

/** What the signatures of one second share: its x-amz-date and, once a day, the key. */
const clock = { second: -1, amzDate: '', day: '', scope: '', key: Buffer.alloc(0), prefix: '' };

function tick() {
  const second = Math.floor(Date.now() / 1000);
  if (second === clock.second) return;
  clock.second = second;
  // 2026-01-01T00:00:00.000Z → 20260101T000000Z
  clock.amzDate = new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = clock.amzDate.slice(0, 8);
  if (day === clock.day) return;
  clock.day = day;
  clock.scope = `${day}/${REGION}/s3/aws4_request`;
  const dateKey = hmac(`AWS4${SECRET_ACCESS_KEY}`, day);
  clock.key = hmac(hmac(hmac(dateKey, REGION), 's3'), 'aws4_request');
  clock.prefix = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${clock.scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=`;
}

/**
 * Sends one signed request with an empty body.
 * @param {'GET' | 'DELETE'} method
 * @param {string} path already URI-encoded, segment by segment (S3 signs it as sent)
 * @param {string} query canonical: encoded, sorted by name
 * @param {boolean} wantBody
 * @returns {Promise<{ status: number, body: string }>}
 */
function send(method, path, query, wantBody) {
  tick();
  const canonicalRequest = `${method}\n${path}\n${query}\nhost:${host}\nx-amz-content-sha256:${EMPTY_BODY_SHA256}\nx-amz-date:${clock.amzDate}\n\n${SIGNED_HEADERS}\n${EMPTY_BODY_SHA256}`;
  const hashed = createHash('sha256').update(canonicalRequest).digest('hex');
  const stringToSign = `AWS4-HMAC-SHA256\n${clock.amzDate}\n${clock.scope}\n${hashed}`;
  const signature = createHmac('sha256', clock.key).update(stringToSign).digest('hex');
  const headers = {
    host,
    'x-amz-content-sha256': EMPTY_BODY_SHA256,
    'x-amz-date': clock.amzDate,
    authorization: clock.prefix + signature,
  };
  return new Promise((resolve, reject) => {
    const sent = request({ agent, hostname, port, method, path: `${path}?${query}`, headers });
    sent.on('error', reject);
    sent.on('response', (answer) => {
      const status = answer.statusCode ?? 0;
      // An error's body says why; a successful abort's body is empty.
      if (!wantBody && status < 300) {
        answer.resume().on('end', () => resolve({ status, body: '' }));
        return;
      }
      let body = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk) => (body += chunk));
      answer.on('end', () => resolve({ status, body }));
    });
    sent.end();
  });
}

const ENTITIES = /** @type {Record<string, string>} */ ({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
});
const unescapeXml = (/** @type {string} */ text) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name) =>
    name[0] === '#'
      ? String.fromCodePoint(Number(name[1] === 'x' ? `0${name.slice(1)}` : name.slice(1)))
      : (ENTITIES[name] ?? whole),
  );
const UPLOAD = /<Upload>([\s\S]*?)<\/Upload>/g;
const tag = (/** @type {string} */ xml, /** @type {string} */ name) => {
  const found = xml.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return found ? unescapeXml(found[1]) : undefined;
};

/**
 * One page of a listing, after the markers.
 * @param {string | undefined} keyMarker
 * @param {string | undefined} uploadIdMarker
 */
async function listPage(keyMarker, uploadIdMarker) {
  const query = [
    keyMarker === undefined ? '' : `key-marker=${uriEncode(keyMarker)}&`,
    'max-uploads=1000&',
    uploadIdMarker === undefined ? '' : `upload-id-marker=${uriEncode(uploadIdMarker)}&`,
    'uploads=',
  ].join('');
  const { status, body } = await send('GET', `/${uriEncode(bucket)}`, query, true);
  if (status !== 200) throw new Error(`listing answered ${status}: ${body}`);
  const uploads = [...body.matchAll(UPLOAD)].map(([, upload]) => ({
    key: tag(upload, 'Key') ?? '',
    uploadId: tag(upload, 'UploadId') ?? '',
  }));
  const truncated = tag(body, 'IsTruncated') === 'true';
  return {
    uploads,
    next: truncated ? [tag(body, 'NextKeyMarker'), tag(body, 'NextUploadIdMarker')] : undefined,
  };
}

/** Every upload, page after page; the next page is requested as soon as one arrives. */
async function* allUploads() {
  let page = await listPage(undefined, undefined);
  for (;;) {
    const next = page.next ? listPage(page.next[0], page.next[1]) : undefined;
    yield* page.uploads;
    if (!next) return;
    page = await next;
  }
}

const bucketPath = `/${uriEncode(bucket)}/`;
let aborted = 0;
const uploads = allUploads();
// `concurrency` aborts in flight all the time, across page boundaries.
const worker = async () => {
  for (let next = await uploads.next(); !next.done; next = await uploads.next()) {
    const { key, uploadId } = next.value;
    const path = bucketPath + key.split('/').map(uriEncode).join('/');
    const { status, body } = await send('DELETE', path, `uploadId=${uriEncode(uploadId)}`, false);
    if (status >= 300) throw new Error(`abort of ${key} answered ${status}: ${body}`);
    aborted += 1;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
console.log(JSON.stringify({ aborted }));
if (aborted !== Number(expectedText)) process.exitCode = 1;
