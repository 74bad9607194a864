import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bucketMatcher,
  commonStart,
  findBuckets,
  isBucketPattern,
  literalHead,
  selectBuckets,
} from '../../src/engine/buckets.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import {
  listBucketsXml,
  type AccountBucket,
  type ListBucketsBehaviour,
} from '../support/list-buckets.js';
import { useLocalServer } from '../support/local-server.js';

describe('bucket patterns', () => {
  it.each([
    ['my-test-bucket', false],
    ['ci-*', true],
    ['it-?', true],
    ['ci-[0-9]', true],
    ['legacy_Bucket.v1', false],
  ])('%s is a pattern: %s', (entry, expected) => {
    expect(isBucketPattern(entry)).toBe(expected);
  });

  it.each([
    ['ci-*', 'ci-'],
    ['it-*-fixtures', 'it-'],
    ['ci-?x*', 'ci-'],
    ['ci-[ab]*', 'ci-'],
    ['*-tmp', ''],
  ])('%s starts with %j', (pattern, head) => {
    expect(literalHead(pattern)).toBe(head);
  });

  it.each([
    [[], ''],
    [['ci-'], 'ci-'],
    [['ci-a', 'ci-b'], 'ci-'],
    [['ci-', 'it-'], ''],
    [['ci-', 'ci-tmp-'], 'ci-'],
    [['', 'ci-'], ''],
  ])('%j share %j', (texts, start) => {
    expect(commonStart(texts)).toBe(start);
  });

  it.each([
    ['ci-*', 'ci-payments-tmp', true],
    ['ci-*', 'ci-', true],
    // The whole name, never a prefix or a part of it.
    ['ci-*', 'xci-payments', false],
    ['ci', 'ci-payments', false],
    ['it-*-fixtures', 'it-1234-fixtures', true],
    ['it-*-fixtures', 'it-1234-fixtures-old', false],
    ['ci-?', 'ci-a', true],
    ['ci-?', 'ci-ab', false],
    ['run-[0-9]', 'run-7', true],
    ['run-[0-9]', 'run-x', false],
    ['run-[^0-9]*', 'run-x1', true],
    ['run-[^0-9]*', 'run-12', false],
    ['*.tmp', 'a.b.tmp', true],
    ['ci-*', 'CI-A', false],
    // Nothing but *, ? and [...] is special: no negation, braces or extglobs.
    ['!ci-*', 'other-bucket', false],
    ['ci-{a,b}*', 'ci-a1', false],
    ['+(ci)-*', 'ci-a', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(bucketMatcher(pattern)(name)).toBe(expected);
  });

  it.each<[string, string[], Record<string, string[]>, string[]]>([
    ['names only', ['a', 'b'], {}, ['a', 'b']],
    [
      'a pattern in its place',
      ['a', 'ci-*', 'b'],
      { 'ci-*': ['ci-1', 'ci-2'] },
      ['a', 'ci-1', 'ci-2', 'b'],
    ],
    ['named and matched, once', ['ci-1', 'ci-*'], { 'ci-*': ['ci-1', 'ci-2'] }, ['ci-1', 'ci-2']],
    [
      'matched by two patterns, once',
      ['ci-*', '*-tmp'],
      { 'ci-*': ['ci-a-tmp', 'ci-b'], '*-tmp': ['ci-a-tmp', 'it-tmp'] },
      ['ci-a-tmp', 'ci-b', 'it-tmp'],
    ],
    ['a pattern that matched nothing', ['none-*', 'a'], { 'none-*': [] }, ['a']],
  ])('selects the buckets: %s', (_, entries, matched, expected) => {
    const matches = Object.entries(matched).map(([pattern, buckets]) => ({ pattern, buckets }));
    expect(selectBuckets(entries, matches)).toEqual(expected);
  });
});

// findBuckets through the SDK's whole pipeline, against a stand-in that answers ListBuckets as
// Amazon S3 does (pages, prefix, regions) or as the older stores do (everything at once).
let behaviour: ListBucketsBehaviour | 'denied' | 'same-token' = 'amazon-s3';
let account: AccountBucket[] = [];
const requests: URLSearchParams[] = [];

function respond(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  requests.push(url.searchParams);
  const xml = (status: number, body: string) => {
    response.writeHead(status, { 'Content-Type': 'application/xml' });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
  };
  if (url.pathname !== '/') return xml(501, '<Error><Code>NotImplemented</Code></Error>');
  if (behaviour === 'denied') {
    return xml(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  }
  if (behaviour === 'same-token') {
    // A store that ignores the token and sends the same one back, every time.
    const names = account.map((b) => `<Bucket><Name>${b.name}</Name></Bucket>`).join('');
    return xml(
      200,
      `<ListAllMyBucketsResult><Buckets>${names}</Buckets><ContinuationToken>again</ContinuationToken></ListAllMyBucketsResult>`,
    );
  }
  xml(200, listBucketsXml(url.searchParams, account, behaviour));
}

const standIn = useLocalServer(respond);

async function find(patterns: string[], pageSize?: number) {
  requests.length = 0;
  const client = createS3Client({
    region: 'us-east-1',
    endpoint: standIn.endpoint,
    forcePathStyle: true,
    concurrency: 1,
  });
  try {
    return await findBuckets(client, patterns, pageSize);
  } finally {
    client.destroy();
  }
}

const inRegion = (region: string, ...names: string[]) => names.map((name) => ({ name, region }));

describe('findBuckets', () => {
  it('reads every page of an account that S3 pages, asking only under the patterns’ start', async () => {
    behaviour = 'amazon-s3';
    account = [
      ...inRegion('us-east-1', 'ci-a', 'ci-b', 'ci-c', 'ci-d-tmp', 'ci-e'),
      ...inRegion('eu-west-1', 'ci-f-tmp', 'cj-x', 'other'),
    ];
    const found = await find(['ci-*', 'ci-*-tmp'], 2);
    expect(found.matches).toEqual([
      { pattern: 'ci-*', buckets: ['ci-a', 'ci-b', 'ci-c', 'ci-d-tmp', 'ci-e', 'ci-f-tmp'] },
      { pattern: 'ci-*-tmp', buckets: ['ci-d-tmp', 'ci-f-tmp'] },
    ]);
    expect(found.error).toBeUndefined();
    // Three pages of two, each under the prefix both patterns share, each after the last.
    expect(requests.map((query) => query.get('prefix'))).toEqual(['ci-', 'ci-', 'ci-']);
    expect(requests.map((query) => query.get('max-buckets'))).toEqual(['2', '2', '2']);
    expect(requests.map((query) => query.has('continuation-token'))).toEqual([false, true, true]);
  });

  it('pages at S3’s most buckets a page by default, and lists all for a pattern with no head', async () => {
    behaviour = 'amazon-s3';
    account = inRegion('us-east-1', 'a-tmp', 'b-tmp', 'c');
    const found = await find(['*-tmp', 'c*']);
    expect(found.matches.map((match) => match.buckets)).toEqual([['a-tmp', 'b-tmp'], ['c']]);
    expect(requests.map((query) => `${query.get('prefix')} ${query.get('max-buckets')}`)).toEqual([
      'null 10000',
    ]);
  });

  it('asks under the start all patterns share, not the first one’s head', async () => {
    behaviour = 'amazon-s3';
    account = inRegion('us-east-1', 'ci-a', 'it-a', 'it-b', 'other');
    const found = await find(['ci-*', 'it-*']);
    expect(found.matches).toEqual([
      { pattern: 'ci-*', buckets: ['ci-a'] },
      { pattern: 'it-*', buckets: ['it-a', 'it-b'] },
    ]);
    expect(requests.map((query) => query.get('prefix'))).toEqual([null]);
  });

  it('matches on the client, for a store that ignores prefix and paging (RGW, Swift)', async () => {
    behaviour = 'older-store';
    account = inRegion('default', 'ci-a', 'ci-a-old', 'cj-x', 'xci-a', 'other');
    const found = await find(['ci-a*', 'ci-*-old'], 2);
    expect(found.matches).toEqual([
      { pattern: 'ci-a*', buckets: ['ci-a', 'ci-a-old'] },
      { pattern: 'ci-*-old', buckets: ['ci-a-old'] },
    ]);
    expect(found.regions).toEqual(new Map());
    expect(requests).toHaveLength(1);
  });

  it('keeps the region S3 gives with each matched bucket, and only a well-formed one', async () => {
    behaviour = 'amazon-s3';
    account = [
      ...inRegion('eu-west-1', 'ci-dublin'),
      ...inRegion('ap-southeast-2', 'ci-sydney', 'not-matched'),
      ...inRegion('evil.example.com/', 'ci-odd'),
    ];
    const found = await find(['ci-*']);
    expect(found.regions).toEqual(
      new Map([
        ['ci-dublin', 'eu-west-1'],
        ['ci-sydney', 'ap-southeast-2'],
      ]),
    );
  });

  it('stops when a store sends back the token it was given, and lists each bucket once', async () => {
    behaviour = 'same-token';
    account = inRegion('default', 'ci-a', 'ci-b');
    const found = await find(['ci-*'], 1);
    expect(found.matches).toEqual([{ pattern: 'ci-*', buckets: ['ci-a', 'ci-b'] }]);
    expect(requests).toHaveLength(2);
  });

  it('names the permission when the listing is denied', async () => {
    behaviour = 'denied';
    const found = await find(['ci-*']);
    expect(found).toEqual({
      matches: [{ pattern: 'ci-*', buckets: [] }],
      regions: new Map(),
      error: 'AccessDenied: the credentials need s3:ListAllMyBuckets on *',
    });
  });
});
