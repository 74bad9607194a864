import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// AWS Signature Version 4 for a test proxy that must change a signed header (x-amz-date) of
// a request on its way to the store: it checks the client's signature, then signs the
// request again with the same key, scope and signed headers. Written from the
// specification ("Create a signed AWS API request", AWS IAM User Guide) for S3's requests
// with no body: the path is signed as sent, and the payload hash is x-amz-content-sha256.

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export interface SignedRequest {
  method: string;
  /** The path and query, exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * The request's headers signed again as sent at `date`, or why its own signature does not
 * hold: an unknown access key, a signature this code does not reproduce.
 */
export function signAgain(
  request: SignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
  date: Date,
): IncomingHttpHeaders | string {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match) return 'no AWS4-HMAC-SHA256 Authorization header';
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return `unknown access key ${accessKeyId}`;
  const scope = { secret, region, service, signedHeaders: signedHeaders.split(';') };
  const sentAt = String(request.headers['x-amz-date'] ?? '');
  if (signatureOf(request, scope, sentAt) !== signature) {
    return 'the signature does not match the request';
  }
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const headers = { ...request.headers, 'x-amz-date': amzDate };
  const credential = `${accessKeyId}/${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const again = signatureOf({ ...request, headers }, scope, amzDate);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${again}`;
  return headers;
}

interface Scope {
  secret: string;
  region: string;
  service: string;
  signedHeaders: string[];
}

function signatureOf(request: SignedRequest, scope: Scope, amzDate: string): string {
  const day = amzDate.slice(0, 8);
  const [path, query = ''] = request.url.split(/\?(.*)/s);
  const canonicalHeaders = scope.signedHeaders.map(
    (name) =>
      `${name}:${String(request.headers[name] ?? '')
        .trim()
        .replace(/\s+/g, ' ')}\n`,
  );
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    canonicalHeaders.join(''),
    scope.signedHeaders.join(';'),
    String(request.headers['x-amz-content-sha256'] ?? ''),
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${scope.region}/${scope.service}/aws4_request`,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const key = [day, scope.region, scope.service, 'aws4_request'].reduce<Buffer | string>(
    (previous, part) => createHmac('sha256', previous).update(part).digest(),
    `AWS4${scope.secret}`,
  );
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Each name and value decoded and encoded again as SigV4 wants (RFC 3986), sorted. */
function canonicalQuery(query: string): string {
  const encode = (text: string) =>
    encodeURIComponent(decodeURIComponent(text)).replace(
      /[!'()*]/g,
      (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split(/=(.*)/s).map((part = '') => encode(part)))
    .sort(([nameA, valueA = ''], [nameB, valueB = '']) =>
      nameA === nameB ? byCodePoint(valueA, valueB) : byCodePoint(nameA, nameB),
    )
    .map(([name, value = '']) => `${name}=${value}`)
    .join('&');
}
