// An S3 stand-in that costs almost nothing, for the ceiling profile: the client's own limit,
// with no server CPU, disk or network in the way. It holds N stale uploads in memory and
// lists them in pages with both markers; an abort answers 204 and changes nothing, so every
// timed run meets the same N uploads. It checks no signature.
//
// Run as a script it prints `{"endpoint":"http://127.0.0.1:PORT"}` on one line once it
// listens, and serves until its stdin closes. The benchmark runs it in a process of its own,
// so that its event loop takes no time from the client measured (it does share the CPUs).
//
//   node bench/zero-cost-store.mjs UPLOADS
import { createServer } from 'node:http';
import { fileURLToPath, URL } from 'node:url';
import { keyOf } from './store.mjs';

const PAGE_SIZE = 1000;
const INITIATED = '2020-01-01T00:00:00.000Z';

/** @param {number} count */
export async function startZeroCostStore(count) {
  // Sorted as S3 lists them: by key, then by upload id.
  const uploads = Array.from({ length: count }, (_, i) => ({
    key: keyOf(i),
    uploadId: `upload-${String(i).padStart(8, '0')}`,
  })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
  /** Pages by where they start and what they hold, rendered once. */
  const pages = new Map();

  /** The index of the first upload after the markers. */
  const startAfter = (/** @type {string | null} */ key, /** @type {string | null} */ uploadId) => {
    if (!key) return 0;
    let low = 0;
    let high = uploads.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const u = uploads[middle];
      const after = u.key > key || (u.key === key && uploadId !== null && u.uploadId > uploadId);
      if (after) high = middle;
      else low = middle + 1;
    }
    return low;
  };

  const listing = (/** @type {URLSearchParams} */ query) => {
    const start = startAfter(query.get('key-marker'), query.get('upload-id-marker'));
    const size = Math.min(Number(query.get('max-uploads') ?? PAGE_SIZE) || PAGE_SIZE, PAGE_SIZE);
    const encode = query.get('encoding-type') === 'url';
    const id = `${start} ${size} ${encode}`;
    let xml = pages.get(id);
    if (xml === undefined) {
      const text = (/** @type {string} */ value) => (encode ? encodeURIComponent(value) : value);
      const page = uploads.slice(start, start + size);
      const last = page.at(-1);
      const truncated = start + size < uploads.length;
      xml =
        '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>bench</Bucket>' +
        `<IsTruncated>${truncated}</IsTruncated>` +
        (truncated && last
          ? `<NextKeyMarker>${text(last.key)}</NextKeyMarker><NextUploadIdMarker>${last.uploadId}</NextUploadIdMarker>`
          : '') +
        page
          .map(
            (u) =>
              `<Upload><Key>${text(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${INITIATED}</Initiated></Upload>`,
          )
          .join('') +
        '</ListMultipartUploadsResult>';
      pages.set(id, xml);
    }
    return xml;
  };

  const server = createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://store');
    const onBucket = url.pathname.split('/').filter(Boolean).length === 1;
    if (request.method === 'DELETE' && url.searchParams.has('uploadId')) {
      response.writeHead(204).end();
    } else if (request.method === 'GET' && onBucket && url.searchParams.has('uploads')) {
      response.writeHead(200, { 'Content-Type': 'application/xml' }).end(listing(url.searchParams));
    } else if (request.method === 'GET' && onBucket && url.searchParams.has('lifecycle')) {
      response
        .writeHead(404, { 'Content-Type': 'application/xml' })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchLifecycleConfiguration</Code><Message>none</Message></Error>',
        );
    } else {
      response.writeHead(501).end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const store = await startZeroCostStore(Number(process.argv[2]));
  console.log(JSON.stringify({ endpoint: store.endpoint }));
  process.stdin.on('end', () => process.exit(0)).resume();
}
