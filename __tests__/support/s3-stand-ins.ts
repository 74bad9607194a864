import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Fault, StandInLifecycles, type Answer } from './lifecycle-stand-in.js';

/** One in-progress multipart upload held by a stand-in. */
export interface StandInUpload {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
  partSizes: number[];
  /** Who started it, as Amazon S3 would name them; a stand-in may answer otherwise. */
  initiator?: StandInPrincipal;
}

/** An Initiator or Owner: an ARN or canonical ID, and a display name. */
export interface StandInPrincipal {
  id: string;
  displayName: string;
}

/** A request as a stand-in received it (path-style: the first path segment is the bucket). */
export interface StandInRequest {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An in-memory S3 server for a store the tests cannot run here. It answers only what the
 * action uses (ListMultipartUploads, AbortMultipartUpload, ListParts, and where the store
 * keeps them, lifecycle rules) and checks no signature.
 */
export interface S3StandIn {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** The live state; tests read it after a run. */
  uploads: StandInUpload[];
  /** Every request received, in order. */
  requests: StandInRequest[];
  /**
   * Requests whose client hung up while they waited for their answer (a cancelled request):
   * not carried out. A store may or may not carry such a request out; this one never does, so
   * that what the store did is exactly what it answered.
   */
  hungUp: StandInRequest[];
  /** Called with each request before it is answered: to play another client racing it. */
  beforeAnswer?: (request: StandInRequest) => void;
  /**
   * Awaited before each request is answered: a store under load (see store-load.ts), which
   * may also refuse the request for going too fast.
   */
  load?: (request: StandInRequest) => Promise<'slow-down' | undefined>;
  /** Adds uploads (initiated defaults to 1 hour ago; uploadId random unless given). Returns them. */
  seed(
    bucket: string,
    keys: string[],
    options?: {
      initiated?: Date;
      partSizes?: number[];
      uploadIds?: string[];
      initiator?: StandInPrincipal;
    },
  ): StandInUpload[];
  close(): Promise<void>;
}

const namespace = 'http://s3.amazonaws.com/doc/2006-03-01/';

const notImplemented = ({ method, bucket, key, query }: StandInRequest) =>
  new S3Fault(
    501,
    'NotImplemented',
    `The stand-in does not implement ${method} /${bucket}/${key}?${[...query.keys()].join('&')}`,
  );
const noSuchUpload = () =>
  new S3Fault(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
const invalidArgument = (message: string) => new S3Fault(400, 'InvalidArgument', message);

type Handler = (request: StandInRequest, uploads: StandInUpload[]) => Answer;

/**
 * MinIO as it answers ListMultipartUploads (minio/minio#5613, #11686, #20989, PR #20407):
 * a non-empty prefix is taken as an exact object name; without one, every upload of the bucket
 * comes in one page by Initiated, with max-uploads and both markers ignored. The stand-in
 * ignores them with a prefix as well (one key's uploads fit in a page in every test).
 * Aborting an unknown upload answers 204. Every answer, errors included, says `Server: MinIO`.
 * Its listing sets neither Initiator nor Owner, whoever started the upload (cmd/api-response.go,
 * generateListMultipartUploadsResponse), so Go's encoder writes both with empty ID and
 * DisplayName.
 */
export function startMinioStandIn(): Promise<S3StandIn> {
  const nobody = '<ID></ID><DisplayName></DisplayName>';
  return startStandIn('MinIO', false, (request, uploads) => {
    const { bucket, query } = request;
    const operation = operationOf(request);
    if (operation === 'abort') return abort(request, uploads, { unknownIsGone: true });
    if (operation === 'parts') return parts(request, uploads[findUpload(uploads, request)]);
    if (operation !== 'list') throw notImplemented(request);

    const prefix = query.get('prefix') ?? '';
    const listed = uploads
      .filter((u) => u.bucket === bucket && (prefix === '' || u.key === prefix))
      .sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
    const maxUploads = query.get('max-uploads') || '1000';
    return listing(request, listed, {
      maxUploads,
      storageClass: 'STANDARD',
      owner: nobody,
      initiator: () => nobody,
    });
  });
}

/**
 * A general purpose bucket of Amazon S3, as the API reference describes its listing: by key,
 * then by upload id, under the prefix, after both markers, `max-uploads` a page with both
 * Next markers. Lifecycle rules as `lifecycles` keeps them, else none. With `load`, a store
 * that delays, queues or throttles. Owner is the bucket's account by its canonical ID; the
 * Initiator is who started the upload (an IAM user's or role session's ARN, as seeded), else
 * the account itself.
 */
export function startS3StandIn(
  options: { lifecycles?: StandInLifecycles } = {},
): Promise<S3StandIn> {
  const lifecycles = options.lifecycles ?? new StandInLifecycles();
  const owner = '<ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>';
  const order = (a: StandInUpload, b: StandInUpload) =>
    a.key === b.key ? (a.uploadId < b.uploadId ? -1 : 1) : a.key < b.key ? -1 : 1;
  return startStandIn('AmazonS3', false, (request, uploads) => {
    const { bucket, query } = request;
    const operation = operationOf(request);
    if (operation === 'abort') return abort(request, uploads, { unknownIsGone: false });
    if (operation === 'parts') return parts(request, uploads[findUpload(uploads, request)]);
    const lifecycle = lifecycleAnswer(lifecycles, request);
    if (lifecycle) return lifecycle;
    if (operation !== 'list') throw notImplemented(request);

    const prefix = query.get('prefix') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const uploadIdMarker = query.get('upload-id-marker') ?? '';
    const after = (u: StandInUpload) =>
      u.key > keyMarker ||
      (u.key === keyMarker && uploadIdMarker !== '' && u.uploadId > uploadIdMarker);
    const matching = uploads
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix) && after(u))
      .sort(order);
    const maxUploads = Math.min(1000, Number(query.get('max-uploads') ?? '1000'));
    const page = matching.slice(0, maxUploads);
    const last = page.at(-1);
    const truncated = matching.length > maxUploads && last !== undefined;
    return listing(request, page, {
      maxUploads: String(maxUploads),
      nextKeyMarker: truncated ? last.key : undefined,
      nextUploadIdMarker: truncated ? last.uploadId : undefined,
      storageClass: 'STANDARD',
      owner,
      initiator: (u) => (u.initiator ? principalXml(u.initiator) : owner),
    });
  });
}

/** A lifecycle rule that aborts incomplete uploads under `prefix` `days` after they start. */
export interface AbortRule {
  prefix: string;
  days: number;
}

/**
 * A directory bucket of S3 Express One Zone (names end in `--x-s3`). The client must have
 * opened a session (CreateSession) and send its token; prefixes must end in `/`, the only
 * delimiter; upload-id-marker is refused; the order is not by key but by a hash of the upload
 * id; key-marker must be an opaque NextKeyMarker this stand-in issued.
 *
 * A NextKeyMarker stands for the sort position of the last upload of its page, and the next
 * page starts after that position in the live state: uploads aborted in between shift
 * nothing, and ones created in between appear only if they sort after it.
 *
 * Directory buckets keep lifecycle rules, AbortIncompleteMultipartUpload among them (S3 User
 * Guide, "Working with S3 Lifecycle for directory buckets"): the stand-in keeps them as
 * `lifecycles` does, each bucket starting with `abortRules`, or none.
 */
export function startDirectoryBucketStandIn(
  options: { pageSize?: number; abortRules?: AbortRule[]; lifecycles?: StandInLifecycles } = {},
): Promise<S3StandIn> {
  const pageSize = options.pageSize ?? 1000;
  const lifecycles = options.lifecycles ?? new StandInLifecycles('directory');
  const seeded = new Set<string>();
  const sessions = new Set<string>();
  const markers = new Map<string, { bucket: string; prefix: string; after: string }>();
  const position = (upload: StandInUpload) => hex(upload.uploadId) + upload.uploadId;
  const owner = `<ID>${hex(randomBytes(8).toString('hex'))}</ID><DisplayName>ci-tests</DisplayName>`;

  return startStandIn('AmazonS3', true, (request, uploads) => {
    const { bucket, query } = request;
    if (!bucket.endsWith('--x-s3')) {
      throw new S3Fault(400, 'InvalidBucketName', 'The specified bucket is not valid.');
    }
    const operation = operationOf(request);
    if (operation === 'session') {
      const token = randomBytes(32).toString('base64url');
      sessions.add(token);
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return {
        status: 200,
        xml: `<CreateSessionResult xmlns="${namespace}"><Credentials><SessionToken>${token}</SessionToken><SecretAccessKey>${randomBytes(30).toString('base64url')}</SecretAccessKey><AccessKeyId>ASIA${randomBytes(8).toString('hex').toUpperCase()}</AccessKeyId><Expiration>${expiration}</Expiration></Credentials></CreateSessionResult>`,
      };
    }
    // A Regional endpoint operation, which IAM authorizes without a session on AWS (the
    // SDK still opens one when the endpoint is set); this stand-in checks no signature.
    if (options.abortRules && !seeded.has(bucket)) {
      seeded.add(bucket);
      lifecycles.put(bucket, abortRulesXml(options.abortRules), {});
    }
    const lifecycle = lifecycleAnswer(lifecycles, request);
    if (lifecycle) return lifecycle;
    // Checks that the SDK signs with S3 Express session credentials, as it must here.
    const token = request.headers['x-amz-s3session-token'];
    if (typeof token !== 'string' || !sessions.has(token)) {
      throw new S3Fault(403, 'AccessDenied', 'No valid x-amz-s3session-token (CreateSession).');
    }
    if (operation === 'abort') return abort(request, uploads, { unknownIsGone: false });
    if (operation === 'parts') return parts(request, uploads[findUpload(uploads, request)]);
    if (operation !== 'list') throw notImplemented(request);

    const prefix = query.get('prefix') ?? '';
    if (prefix !== '' && !prefix.endsWith('/')) {
      throw invalidArgument('Prefix must end with / (the delimiter) for directory buckets.');
    }
    const delimiter = query.get('delimiter');
    if (delimiter !== null && delimiter !== '/') {
      throw invalidArgument('/ is the only delimiter supported for directory buckets.');
    }
    if (delimiter !== null) throw notImplemented(request); // no CommonPrefixes here
    if (query.get('upload-id-marker')) {
      throw invalidArgument('upload-id-marker is not supported for directory buckets.');
    }
    const keyMarker = query.get('key-marker') ?? '';
    const marker = markers.get(keyMarker);
    if (keyMarker !== '' && (marker?.bucket !== bucket || marker.prefix !== prefix)) {
      throw invalidArgument('The key-marker is not a NextKeyMarker of this listing.');
    }
    const maxUploads = Number(query.get('max-uploads') ?? '1000');
    if (!Number.isInteger(maxUploads) || maxUploads < 1) {
      throw invalidArgument('max-uploads must be an integer from 1 to 1000.');
    }
    const size = Math.min(maxUploads, 1000, pageSize);
    const after = marker?.after ?? '';
    const matching = uploads
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix) && position(u) > after)
      .sort((a, b) => (position(a) < position(b) ? -1 : 1));
    const page = matching.slice(0, size);
    let nextKeyMarker: string | undefined;
    if (matching.length > size) {
      nextKeyMarker = randomBytes(24).toString('base64url');
      markers.set(nextKeyMarker, { bucket, prefix, after: position(page[size - 1]) });
    }
    return listing(request, page, {
      maxUploads: String(maxUploads),
      nextKeyMarker,
      storageClass: 'EXPRESS_ONEZONE',
      owner,
    });
  });
}

async function startStandIn(
  serverName: string,
  slashBeforeKey: boolean,
  handle: Handler,
): Promise<S3StandIn> {
  const standIn: S3StandIn = {
    endpoint: '',
    uploads: [],
    requests: [],
    hungUp: [],
    seed: (bucket, keys, options = {}) => {
      const initiated = options.initiated ?? new Date(Date.now() - 3600_000);
      const added = keys.map((key, i) => ({
        bucket,
        key,
        uploadId: options.uploadIds?.[i] ?? randomBytes(24).toString('base64url'),
        initiated,
        partSizes: [...(options.partSizes ?? [])],
        ...(options.initiator && { initiator: options.initiator }),
      }));
      standIn.uploads.push(...added);
      return added;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const serve = async (incoming: IncomingMessage, respond: ServerResponse) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const send = (status: number, xml?: string, headers: Record<string, string> = {}) => {
      const body = xml === undefined ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
      respond.writeHead(status, {
        ...headers,
        Server: serverName,
        Date: new Date().toUTCString(),
        'x-amz-request-id': requestId,
        ...(body && { 'Content-Type': 'application/xml' }),
        'Content-Length': Buffer.byteLength(body),
      });
      respond.end(body);
    };
    let request: StandInRequest | undefined;
    let hungUp = false;
    respond.once('close', () => {
      if (respond.writableEnded) return;
      hungUp = true;
      if (request) standIn.hungUp.push(request);
    });
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      request = parse(incoming, slashBeforeKey, Buffer.concat(chunks).toString('utf8'));
      standIn.requests.push(request);
      if ((await standIn.load?.(request)) === 'slow-down') {
        throw new S3Fault(503, 'SlowDown', 'Please reduce your request rate.');
      }
      if (hungUp) return;
      standIn.beforeAnswer?.(request);
      const answer = handle(request, standIn.uploads);
      send(answer.status, answer.xml, answer.headers);
    } catch (error) {
      const fault =
        error instanceof S3Fault ? error : new S3Fault(500, 'InternalError', String(error));
      send(
        fault.status,
        `<Error><Code>${fault.code}</Code><Message>${escape(fault.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      );
    }
  };

  const server = createServer((incoming, respond) => {
    serve(incoming, respond).catch(() => respond.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}

/**
 * Splits the raw path rather than going through `new URL`, which would resolve `.` and `..`
 * segments of a key. Path-style, the SDK puts a second slash after a directory bucket
 * (`/bucket//?session=`, `/bucket//a/b?uploadId=…`): there one leading slash of the rest goes.
 */
function parse(incoming: IncomingMessage, slashBeforeKey: boolean, body: string): StandInRequest {
  const [path = '', search = ''] = (incoming.url ?? '/').split(/\?(.*)/s);
  const [bucket = '', rest = ''] = path.slice(1).split(/\/(.*)/s);
  try {
    const key = decodeURIComponent(slashBeforeKey ? rest.replace(/^\//, '') : rest);
    const { method = 'GET', headers } = incoming;
    return {
      method,
      bucket: decodeURIComponent(bucket),
      key,
      query: new URLSearchParams(search),
      headers,
      body,
    };
  } catch {
    throw new S3Fault(400, 'InvalidURI', 'Could not parse the specified URI.');
  }
}

/** What the stand-ins answer; anything else (for MinIO, lifecycle too) is NotImplemented. */
function operationOf({ method, key, query }: StandInRequest) {
  if (method === 'GET' && key === '' && query.has('uploads')) return 'list';
  if (method === 'GET' && key === '' && query.has('session')) return 'session';
  if (method === 'GET' && key === '' && query.has('lifecycle')) return 'lifecycle';
  if (method === 'PUT' && key === '' && query.has('lifecycle')) return 'put-lifecycle';
  if (method === 'DELETE' && key === '' && query.has('lifecycle')) return 'delete-lifecycle';
  if (method === 'DELETE' && key !== '' && query.has('uploadId')) return 'abort';
  if (method === 'GET' && key !== '' && query.has('uploadId')) return 'parts';
  return undefined;
}

/** AbortMultipartUpload; MinIO answers 204 for an upload it does not have. */
function abort(
  request: StandInRequest,
  uploads: StandInUpload[],
  { unknownIsGone }: { unknownIsGone: boolean },
): Answer {
  const index = findUpload(uploads, request);
  if (index >= 0) uploads.splice(index, 1);
  else if (!unknownIsGone) throw noSuchUpload();
  return { status: 204 };
}

/** The upload a request names by bucket, key and upload id: all three must match. */
function findUpload(uploads: StandInUpload[], request: StandInRequest): number {
  const uploadId = request.query.get('uploadId');
  return uploads.findIndex(
    (u) => u.bucket === request.bucket && u.key === request.key && u.uploadId === uploadId,
  );
}

function listing(
  request: StandInRequest,
  uploads: StandInUpload[],
  page: {
    maxUploads: string;
    nextKeyMarker?: string;
    nextUploadIdMarker?: string;
    storageClass: string;
    /** The Owner element's content; also the Initiator's, unless `initiator` says otherwise. */
    owner: string;
    initiator?: (upload: StandInUpload) => string;
  },
): Answer {
  const { bucket, query } = request;
  // encoding-type=url: keys, the prefix and key markers come percent-encoded, and say so.
  const encoded = query.get('encoding-type') === 'url';
  const text = (value: string) => escape(encoded ? encodeURIComponent(value) : value);
  const entries = uploads.map(
    (u) =>
      `<Upload><Key>${text(u.key)}</Key><UploadId>${escape(u.uploadId)}</UploadId><Initiator>${page.initiator?.(u) ?? page.owner}</Initiator><Owner>${page.owner}</Owner><StorageClass>${page.storageClass}</StorageClass><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`,
  );
  const delimiter = query.get('delimiter');
  const xml = [
    `<ListMultipartUploadsResult xmlns="${namespace}"><Bucket>${escape(bucket)}</Bucket>`,
    `<KeyMarker>${text(query.get('key-marker') ?? '')}</KeyMarker>`,
    `<UploadIdMarker>${escape(query.get('upload-id-marker') ?? '')}</UploadIdMarker>`,
    page.nextKeyMarker === undefined
      ? ''
      : `<NextKeyMarker>${text(page.nextKeyMarker)}</NextKeyMarker>`,
    page.nextUploadIdMarker === undefined
      ? ''
      : `<NextUploadIdMarker>${escape(page.nextUploadIdMarker)}</NextUploadIdMarker>`,
    delimiter === null ? '' : `<Delimiter>${text(delimiter)}</Delimiter>`,
    `<Prefix>${text(query.get('prefix') ?? '')}</Prefix>`,
    `<MaxUploads>${escape(page.maxUploads)}</MaxUploads>`,
    `<IsTruncated>${page.nextKeyMarker !== undefined}</IsTruncated>`,
    ...entries,
    encoded ? '<EncodingType>url</EncodingType>' : '',
    '</ListMultipartUploadsResult>',
  ];
  return { status: 200, xml: xml.join('') };
}

/** A lifecycle request's answer, from the rules the stand-in keeps; undefined for others. */
function lifecycleAnswer(
  lifecycles: StandInLifecycles,
  request: StandInRequest,
): Answer | undefined {
  switch (operationOf(request)) {
    case 'lifecycle':
      return lifecycles.get(request.bucket);
    case 'put-lifecycle':
      return lifecycles.put(request.bucket, request.body, request.headers);
    case 'delete-lifecycle':
      return lifecycles.delete(request.bucket);
    default:
      return undefined;
  }
}

/** A configuration of rules aborting incomplete uploads, as a PutBucketLifecycleConfiguration body. */
function abortRulesXml(rules: AbortRule[]): string {
  const entries = rules.map(
    ({ prefix, days }, i) =>
      `<Rule><ID>rule-${i + 1}</ID><Filter><Prefix>${escape(prefix)}</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>${days}</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
  );
  return `<LifecycleConfiguration xmlns="${namespace}">${entries.join('')}</LifecycleConfiguration>`;
}

/** ListParts in one page; each part "was uploaded" when its upload was initiated. */
function parts(request: StandInRequest, upload: StandInUpload | undefined): Answer {
  if (!upload) throw noSuchUpload();
  const entries = upload.partSizes.map((size, i) => {
    const etag = hex(`${upload.uploadId}:${i + 1}`, 'md5');
    return `<Part><PartNumber>${i + 1}</PartNumber><LastModified>${upload.initiated.toISOString()}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size></Part>`;
  });
  return {
    status: 200,
    xml: `<ListPartsResult xmlns="${namespace}"><Bucket>${escape(request.bucket)}</Bucket><Key>${escape(upload.key)}</Key><UploadId>${escape(upload.uploadId)}</UploadId><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>${upload.partSizes.length}</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>${entries.join('')}</ListPartsResult>`,
  };
}

function principalXml({ id, displayName }: StandInPrincipal): string {
  return `<ID>${escape(id)}</ID><DisplayName>${escape(displayName)}</DisplayName>`;
}

function hex(text: string, algorithm = 'sha256'): string {
  return createHash(algorithm).update(text).digest('hex');
}

/** XML text: the markup characters, and CR, which an XML parser would read as LF. */
function escape(value: string): string {
  return value.replace(/[&<>"'\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
