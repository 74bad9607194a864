import {
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ListingKind, Target, Upload } from './types.js';

/** The most a store returns per page, and what S3 returns by default. */
export const MAX_PAGE_SIZE = 1000;

interface Markers {
  keyMarker?: string;
  uploadIdMarker?: string;
}

export interface ListingOptions {
  /** Uploads per page; the store's maximum unless a test needs less. */
  pageSize?: number;
  /** How the bucket's store lists; `standard` unless it is known to differ. */
  kind?: ListingKind;
  /** The first page, when it was already asked for (the bucket's probe, see probe.ts). */
  firstPage?: ListMultipartUploadsCommandOutput;
}

/** Directory buckets (S3 Express One Zone) are named `<base>--<zone-id>--x-s3`. */
const DIRECTORY_BUCKET = /--x-s3$/;

/** How a bucket's uploads are listed, from its name and the `Server` header of its store. */
export function listingKindOf(bucket: string, server: string | undefined): ListingKind {
  if (server !== undefined && /^minio\b/i.test(server)) return 'minio';
  if (DIRECTORY_BUCKET.test(bucket)) return 'directory';
  return 'standard';
}

/**
 * The prefix to ask the store for: one whose answer holds every upload under the target's
 * prefix, and as few others as the store allows.
 */
export function listingPrefix(prefix: string, kind: ListingKind): string {
  switch (kind) {
    case 'standard':
      return prefix;
    case 'minio':
      return '';
    case 'directory':
      return prefix.slice(0, prefix.lastIndexOf('/') + 1);
  }
}

/** The listing cannot go on: the store said more pages follow but gave no way forward. */
export class ListingStalledError extends Error {
  override name = 'ListingStalled';
}

/**
 * Lists every in-progress multipart upload of a target, a page at a time, following both
 * markers (the SDK has no paginator for this operation). Keys are decoded. Uploads a store
 * repeats across a page boundary are yielded once. The next page is requested as soon as a
 * page arrives, so that it loads while the caller works through the current one.
 */
export async function* listUploadPages(
  client: S3Client,
  target: Target,
  { pageSize = MAX_PAGE_SIZE, kind = 'standard', firstPage }: ListingOptions = {},
): AsyncGenerator<Upload[]> {
  const prefix = listingPrefix(target.prefix, kind);
  const request = (markers: Markers) =>
    requestPage(client, pageRequest(target.bucket, prefix, pageSize, markers));
  let markers: Markers = {};
  let previousPageIds = new Set<string>();
  let response = firstPage ? Promise.resolve(firstPage) : request(markers);
  for (;;) {
    const page = await response;
    const uploads = (page.Uploads ?? []).flatMap(toUpload);
    const next = page.IsTruncated ? nextMarkers(page, uploads, markers, kind) : undefined;
    if (next) response = request(next);

    const pageIds = new Set(uploads.map(uploadIdentity));
    yield uploads.filter((upload) => !previousPageIds.has(uploadIdentity(upload)));
    if (!next) return;
    previousPageIds = pageIds;
    markers = next;
  }
}

/** The request for one page of a listing under `prefix` (see listingPrefix). */
export function pageRequest(
  bucket: string,
  prefix: string,
  pageSize: number = MAX_PAGE_SIZE,
  markers: Markers = {},
): ListMultipartUploadsCommandInput {
  return {
    Bucket: bucket,
    Prefix: prefix || undefined,
    KeyMarker: markers.keyMarker,
    UploadIdMarker: markers.uploadIdMarker,
    MaxUploads: pageSize,
    // Keys may hold bytes that XML cannot carry; ask for them percent-encoded.
    EncodingType: 'url',
  };
}

function requestPage(
  client: S3Client,
  input: ListMultipartUploadsCommandInput,
): Promise<ListMultipartUploadsCommandOutput> {
  const request = client.send(new ListMultipartUploadsCommand(input));
  // A page requested ahead may never be awaited if the caller stops; don't let it crash Node.
  request.catch(() => undefined);
  return request;
}

/**
 * Where the next page starts. The last upload of a page is where S3 says it starts; taking it
 * from the page rather than from NextKeyMarker sidesteps stores that omit the Next markers
 * (Swift with max-uploads=1) or that encode them differently from the keys. A directory
 * bucket's key-marker is opaque, not a key, and it has no upload-id-marker.
 */
function nextMarkers(
  page: ListMultipartUploadsCommandOutput,
  uploads: Upload[],
  current: Markers,
  kind: ListingKind,
): Markers {
  const last = uploads.at(-1);
  // Read only where needed: some stores (RGW) do not encode it, so it may not decode.
  const nextKeyMarker = () => (page.NextKeyMarker ? decodeKey(page.NextKeyMarker) : undefined);
  const next: Markers =
    kind === 'directory'
      ? { keyMarker: nextKeyMarker() }
      : last
        ? { keyMarker: last.key, uploadIdMarker: last.uploadId }
        : { keyMarker: nextKeyMarker(), uploadIdMarker: page.NextUploadIdMarker || undefined };
  const advances =
    next.keyMarker !== undefined &&
    (next.keyMarker !== current.keyMarker || next.uploadIdMarker !== current.uploadIdMarker);
  if (!advances) {
    throw new ListingStalledError(
      `the store said more uploads follow (IsTruncated) but its markers do not advance past key-marker ${JSON.stringify(current.keyMarker ?? '')}`,
    );
  }
  return next;
}

/** An entry without a key or an upload id cannot be aborted safely, so it is not listed. */
function toUpload(raw: {
  Key?: string;
  UploadId?: string;
  Initiated?: Date;
  Initiator?: { ID?: string };
  Owner?: { ID?: string };
}): Upload[] {
  if (!raw.Key || !raw.UploadId) return [];
  const upload: Upload = {
    key: decodeKey(raw.Key),
    uploadId: raw.UploadId,
    initiated: raw.Initiated,
  };
  const initiator = raw.Initiator?.ID?.trim();
  const owner = raw.Owner?.ID?.trim();
  if (initiator) upload.initiator = initiator;
  if (owner) upload.owner = owner;
  return [upload];
}

/** A store sent a key that is not valid percent-encoding, so no abort can name it exactly. */
export class KeyEncodingError extends Error {
  override name = 'BadKeyEncoding';
}

/** Keys come back percent-encoded (encoding-type=url); some stores write a space as `+`. */
export function decodeKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new KeyEncodingError(
      `the store listed a key that is not valid percent-encoding (encoding-type=url): ${JSON.stringify(encoded)}`,
    );
  }
}

function uploadIdentity(upload: Upload): string {
  return `${upload.key}\u0000${upload.uploadId}`;
}
