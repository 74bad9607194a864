import { describe, expect, it } from '@jest/globals';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeKey, listingKindOf, listingPrefix, listUploadPages } from '../../src/engine/list.js';
import type { Upload } from '../../src/engine/types.js';
import { listed } from '../support/uploads.js';

const target = { bucket: 'b', prefix: 'ci/' };

async function listAll(client: S3Client, pageSize?: number): Promise<Upload[][]> {
  const pages: Upload[][] = [];
  for await (const page of listUploadPages(client, target, { pageSize })) pages.push(page);
  return pages;
}

const keysOf = (pages: Upload[][]) =>
  pages.map((page) => page.map((u) => `${u.key}#${u.uploadId}`));

describe('listUploadPages', () => {
  it('asks for url-encoded keys under the prefix, and decodes them', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        listed('ci/a b+c%d', '1'),
        { Key: 'ci/space+as+plus', UploadId: '2', Initiated: new Date() },
        listed('ci/ünï ✓ <&>|', '3'),
      ],
      IsTruncated: false,
    });
    const pages = await listAll(new S3Client({ region: 'us-east-1' }));
    expect(keysOf(pages)).toEqual([['ci/a b+c%d#1', 'ci/space as plus#2', 'ci/ünï ✓ <&>|#3']]);
    expect(s3.commandCalls(ListMultipartUploadsCommand)[0].args[0].input).toEqual({
      Bucket: 'b',
      Prefix: 'ci/',
      MaxUploads: 1000,
      EncodingType: 'url',
    });
  });

  it('follows both markers through short truncated pages, from the last upload of each', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('ci/a', '1'), listed('ci/a', '2')], IsTruncated: true })
      .resolvesOnce({ Uploads: [listed('ci/a', '3')], IsTruncated: true, NextKeyMarker: 'ci%2Fa' })
      .resolvesOnce({ Uploads: [listed('ci/b%', '4')], IsTruncated: false });
    const pages = await listAll(new S3Client({ region: 'us-east-1' }), 2);
    expect(keysOf(pages)).toEqual([['ci/a#1', 'ci/a#2'], ['ci/a#3'], ['ci/b%#4']]);
    const markers = s3
      .commandCalls(ListMultipartUploadsCommand)
      .map((call) => [call.args[0].input.KeyMarker, call.args[0].input.UploadIdMarker]);
    expect(markers).toEqual([
      [undefined, undefined],
      ['ci/a', '2'],
      ['ci/a', '3'],
    ]);
  });

  it('starts from a first page already asked for, and goes on from its last upload', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolvesOnce({
      Uploads: [listed('ci/c', '3')],
      IsTruncated: false,
    });
    const firstPage = {
      Uploads: [listed('ci/a', '1'), listed('ci/b', '2')],
      IsTruncated: true,
      $metadata: {},
    };
    const pages: Upload[][] = [];
    const client = new S3Client({ region: 'us-east-1' });
    for await (const page of listUploadPages(client, target, { firstPage })) pages.push(page);
    expect(keysOf(pages)).toEqual([['ci/a#1', 'ci/b#2'], ['ci/c#3']]);
    const asked = s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);
    expect(asked).toEqual([
      {
        Bucket: 'b',
        Prefix: 'ci/',
        KeyMarker: 'ci/b',
        UploadIdMarker: '2',
        MaxUploads: 1000,
        EncodingType: 'url',
      },
    ]);
  });

  it('yields an upload repeated across a page boundary once', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('ci/a', '1'), listed('ci/b', '2')], IsTruncated: true })
      .resolvesOnce({ Uploads: [listed('ci/b', '2'), listed('ci/c', '3')], IsTruncated: false });
    expect(keysOf(await listAll(new S3Client({ region: 'us-east-1' })))).toEqual([
      ['ci/a#1', 'ci/b#2'],
      ['ci/c#3'],
    ]);
  });

  it('does not read a NextKeyMarker it does not need, which RGW may send undecodable', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({
        Uploads: [listed('ci/a%b', '1')],
        IsTruncated: true,
        NextKeyMarker: 'ci/a%b',
      })
      .resolvesOnce({ Uploads: [listed('ci/c', '2')], IsTruncated: false });
    expect(keysOf(await listAll(new S3Client({ region: 'us-east-1' }), 1))).toEqual([
      ['ci/a%b#1'],
      ['ci/c#2'],
    ]);
  });

  it('uses the Next markers when a truncated page is empty', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('ci/a', '1')], IsTruncated: true })
      .resolvesOnce({ IsTruncated: true, NextKeyMarker: 'ci%2Fb', NextUploadIdMarker: '9' })
      .resolvesOnce({ Uploads: [listed('ci/c', '3')], IsTruncated: false });
    expect(keysOf(await listAll(new S3Client({ region: 'us-east-1' })))).toEqual([
      ['ci/a#1'],
      [],
      ['ci/c#3'],
    ]);
    expect(s3.commandCalls(ListMultipartUploadsCommand)[2].args[0].input).toMatchObject({
      KeyMarker: 'ci/b',
      UploadIdMarker: '9',
    });
  });

  it.each([
    ['a page that repeats the last one', { Uploads: [listed('ci/a', '1')], IsTruncated: true }],
    ['an empty truncated page without markers', { IsTruncated: true }],
    [
      'an empty truncated page whose markers stand still',
      { IsTruncated: true, NextKeyMarker: 'ci%2Fa', NextUploadIdMarker: '1' },
    ],
  ])('stops with an error, never looping, on %s', async (_, secondPage) => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('ci/a', '1')], IsTruncated: true })
      .resolves(secondPage);
    const client = new S3Client({ region: 'us-east-1' });
    const seen: Upload[][] = [];
    await expect(async () => {
      for await (const page of listUploadPages(client, target)) seen.push(page);
    }).rejects.toThrow(/markers do not advance past key-marker "ci\/a"/);
    expect(keysOf(seen)[0]).toEqual(['ci/a#1']);
    expect(s3.commandCalls(ListMultipartUploadsCommand).length).toBe(2);
  });

  it('drops entries without a key or an upload id, which could not be aborted safely', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [{ Key: 'ci%2Fa', Initiated: new Date() }, { UploadId: 'x' }, listed('ci/b', '2')],
    });
    expect(keysOf(await listAll(new S3Client({ region: 'us-east-1' })))).toEqual([['ci/b#2']]);
  });

  it('requests the next page before the caller has finished with the current one', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('ci/a', '1')], IsTruncated: true })
      .resolvesOnce({ Uploads: [listed('ci/b', '2')], IsTruncated: false });
    const pages = listUploadPages(new S3Client({ region: 'us-east-1' }), target);
    await pages.next();
    expect(s3.commandCalls(ListMultipartUploadsCommand).length).toBe(2);
    await pages.return(undefined);
  });

  it('passes a listing error on to the caller', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).rejects(
      Object.assign(new Error(''), { name: 'AccessDenied' }),
    );
    await expect(listAll(new S3Client({ region: 'us-east-1' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});

describe('listUploadPages on the stores that list differently', () => {
  const calls = (s3: ReturnType<typeof mockClient>) =>
    s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);

  it('resumes a directory bucket from its opaque NextKeyMarker alone', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({
        Uploads: [listed('ci/z', '9'), listed('ci/a', '1')],
        IsTruncated: true,
        NextKeyMarker: 'b3BhcXVl%2Bdg%3D%3D',
      })
      .resolvesOnce({ Uploads: [listed('ci/m', '5')], IsTruncated: false });
    const pages: Upload[][] = [];
    const express = { bucket: 'ci--use1-az4--x-s3', prefix: 'ci/run' };
    const client = new S3Client({ region: 'us-east-1' });
    for await (const page of listUploadPages(client, express, { kind: 'directory' })) {
      pages.push(page);
    }
    expect(keysOf(pages)).toEqual([['ci/z#9', 'ci/a#1'], ['ci/m#5']]);
    expect(calls(s3).map((input) => [input.Prefix, input.KeyMarker, input.UploadIdMarker])).toEqual(
      [
        ['ci/', undefined, undefined],
        ['ci/', 'b3BhcXVl+dg==', undefined],
      ],
    );
  });

  it('stops with an error when a directory bucket gives no NextKeyMarker to go on', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('ci/a', '1')],
      IsTruncated: true,
    });
    const pages = listUploadPages(new S3Client({ region: 'us-east-1' }), target, {
      kind: 'directory',
    });
    await expect(async () => {
      for await (const page of pages) expect(page).toHaveLength(1);
    }).rejects.toThrow(/markers do not advance/);
  });

  it('lists a MinIO bucket without a prefix', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('x/y', '1')] });
    for await (const page of listUploadPages(new S3Client({ region: 'us-east-1' }), target, {
      kind: 'minio',
    })) {
      expect(keysOf([page])).toEqual([['x/y#1']]);
    }
    expect(calls(s3)[0].Prefix).toBeUndefined();
  });
});

describe('listingKindOf', () => {
  it.each<[string, string | undefined, string]>([
    ['ci-bucket', undefined, 'standard'],
    ['ci-bucket', 'AmazonS3', 'standard'],
    ['ci-bucket', 'MinIO', 'minio'],
    ['ci-bucket', 'minio/RELEASE.2025', 'minio'],
    ['ci-bucket', 'MinIOx', 'standard'],
    ['ci--use1-az4--x-s3', 'AmazonS3', 'directory'],
    ['ci--usw2-lax1-az1--x-s3', undefined, 'directory'],
    ['ci--x-s3-not', undefined, 'standard'],
  ])('takes %s served by %s as %s', (bucket, server, kind) => {
    expect(listingKindOf(bucket, server)).toBe(kind);
  });
});

describe('listingPrefix', () => {
  it.each<[string, 'standard' | 'minio' | 'directory', string]>([
    ['ci/run-1', 'standard', 'ci/run-1'],
    ['ci/run-1', 'minio', ''],
    ['', 'minio', ''],
    ['ci/run-1', 'directory', 'ci/'],
    ['ci/run-1/', 'directory', 'ci/run-1/'],
    ['ci', 'directory', ''],
    ['a/b/c', 'directory', 'a/b/'],
    ['', 'directory', ''],
  ])('asks for %j as a %s store as %j', (prefix, kind, asked) => {
    expect(listingPrefix(prefix, kind)).toBe(asked);
  });
});

describe('decodeKey', () => {
  it.each([
    ['plain/key', 'plain/key'],
    ['a%20b', 'a b'],
    ['a+b', 'a b'],
    ['a%2Bb', 'a+b'],
    ['100%25', '100%'],
    ['%E2%9C%93%0A', '✓\n'],
  ])('decodes %j as %j', (encoded, key) => {
    expect(decodeKey(encoded)).toBe(key);
  });

  it.each(['bad%', 'bad%zz', '%C3'])(
    'names a key %j that is not valid percent-encoding',
    (encoded) => {
      expect(() => decodeKey(encoded)).toThrow(
        `the store listed a key that is not valid percent-encoding (encoding-type=url): "${encoded}"`,
      );
    },
  );
});
