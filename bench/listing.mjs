// ListMultipartUploads as the stand-in stores of the benchmark answer it: pages over uploads
// sorted as S3 sorts them, after both markers.

const PAGE_SIZE = 1000;
const INITIATED = '2020-01-01T00:00:00.000Z';

/**
 * @typedef {{ key: string, uploadId: string }} Upload
 */

/** Uploads sorted as S3 lists them: by key, then by upload id. */
export const byKeyThenId = (/** @type {Upload} */ a, /** @type {Upload} */ b) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1;

/**
 * One page of ListMultipartUploads over sorted uploads, after the query's two markers.
 * @param {string} bucket
 * @param {Upload[]} uploads
 * @param {URLSearchParams} query
 */
export function listingPage(bucket, uploads, query) {
  const start = startAfter(uploads, query.get('key-marker'), query.get('upload-id-marker'));
  const size = Math.min(Number(query.get('max-uploads') ?? PAGE_SIZE) || PAGE_SIZE, PAGE_SIZE);
  const encode = query.get('encoding-type') === 'url';
  const text = (/** @type {string} */ value) => (encode ? encodeURIComponent(value) : value);
  const page = uploads.slice(start, start + size);
  const last = page.at(-1);
  const truncated = start + size < uploads.length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket>` +
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
    '</ListMultipartUploadsResult>'
  );
}

/**
 * The index of the first upload after the markers.
 * @param {Upload[]} uploads
 * @param {string | null} key
 * @param {string | null} uploadId
 */
function startAfter(uploads, key, uploadId) {
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
}
