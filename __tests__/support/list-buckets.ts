import { createHash } from 'node:crypto';

/** A bucket of the account a stand-in plays, in its region. */
export interface AccountBucket {
  name: string;
  region: string;
}

/**
 * How a store answers ListBuckets (`GET /`):
 * `amazon-s3` as S3 has since 2024 (API reference, ListBuckets): names in order, under
 * `prefix`, at most `max-buckets` a page, an opaque `ContinuationToken` while more follow, and
 * each bucket's `BucketRegion`;
 * `older-store` as Ceph RGW 16.2 and Swift 2.30 answer (measured here): every bucket at once,
 * whatever `prefix`, `max-buckets` or `continuation-token` say, with no region.
 */
export type ListBucketsBehaviour = 'amazon-s3' | 'older-store';

/** The XML of a ListBuckets answer to `query`, for an account of `buckets`. */
export function listBucketsXml(
  query: URLSearchParams,
  buckets: AccountBucket[],
  behaviour: ListBucketsBehaviour,
): string {
  const all = [...buckets].sort((a, b) => (a.name < b.name ? -1 : 1));
  const entry = ({ name, region }: AccountBucket, withRegion: boolean) =>
    `<Bucket><Name>${name}</Name><CreationDate>2026-01-05T10:00:00.000Z</CreationDate>${withRegion ? `<BucketRegion>${region}</BucketRegion>` : ''}</Bucket>`;
  const owner = '<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeeb</ID></Owner>';
  const open = '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
  if (behaviour === 'older-store') {
    return `${open}${owner}<Buckets>${all.map((b) => entry(b, false)).join('')}</Buckets></ListAllMyBucketsResult>`;
  }
  const prefix = query.get('prefix') ?? '';
  const after = tokens.get(query.get('continuation-token') ?? '') ?? '';
  const size = Math.min(Number(query.get('max-buckets') ?? '10000'), 10_000);
  const matching = all.filter((b) => b.name.startsWith(prefix) && b.name > after);
  const page = matching.slice(0, size);
  const more = matching.length > size;
  return [
    open,
    owner,
    `<Buckets>${page.map((b) => entry(b, true)).join('')}</Buckets>`,
    more ? `<ContinuationToken>${tokenAfter(page.at(-1)!.name)}</ContinuationToken>` : '',
    prefix ? `<Prefix>${prefix}</Prefix>` : '',
    '</ListAllMyBucketsResult>',
  ].join('');
}

/** Opaque tokens, each standing for the last name of the page it ends. */
const tokens = new Map<string, string>();
function tokenAfter(name: string): string {
  const token = createHash('sha256').update(`after ${name}`).digest('base64url');
  tokens.set(token, name);
  return token;
}
