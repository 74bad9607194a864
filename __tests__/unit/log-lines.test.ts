import { describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import type { BucketAccess } from '../../src/engine/probe.js';
import { bucketLines, proxyLine } from '../../src/log-lines.js';

describe('proxyLine', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['no proxy', { no_proxy: 'localhost' }, undefined],
    [
      'https_proxy with a password',
      { https_proxy: 'http://runner:s3cr%40t@proxy.corp:3128' },
      "Requests to the store follow the environment's proxy settings: HTTPS through http://proxy.corp:3128.",
    ],
    [
      'both, and no_proxy',
      {
        HTTPS_PROXY: 'http://p:8080',
        http_proxy: 'http://q:8080/',
        NO_PROXY: '.internal,10.0.0.1',
      },
      "Requests to the store follow the environment's proxy settings: HTTPS through http://p:8080, HTTP through http://q:8080, except to hosts in no_proxy (.internal,10.0.0.1).",
    ],
    [
      'the lower-case variable first, as Node takes it',
      {
        https_proxy: 'http://lower:1',
        HTTPS_PROXY: 'http://upper:2',
        no_proxy: 'a',
        NO_PROXY: 'b',
      },
      "Requests to the store follow the environment's proxy settings: HTTPS through http://lower:1, except to hosts in no_proxy (a).",
    ],
    [
      'a value without a scheme, which must not show its password',
      { http_proxy: 'runner:s3cret@proxy.corp:3128' },
      "Requests to the store follow the environment's proxy settings: HTTP through (not an http URL).",
    ],
  ])('%s', (_, env, line) => {
    expect(proxyLine(env)).toBe(line);
  });
});

describe('bucketLines', () => {
  const access = (bucket: string, region: string, listing: BucketAccess['listing']) => ({
    bucket,
    region,
    listing,
    client: new S3Client({ region }),
    clockOffsetMs: undefined,
  });

  it('says nothing of a bucket as the inputs imply', () => {
    expect(bucketLines(access('b', 'us-east-1', 'standard'), 'us-east-1')).toEqual([]);
  });

  it('names the region the store gave, and a directory bucket', () => {
    expect(bucketLines(access('x--use1-az4--x-s3', 'eu-west-1', 'directory'), 'us-east-1')).toEqual(
      [
        's3://x--use1-az4--x-s3 is in region eu-west-1 (the store said so when asked in us-east-1); its requests are signed for eu-west-1.',
        's3://x--use1-az4--x-s3 is a directory bucket (S3 Express One Zone): listed under the nearest prefix ending in /, page by page with its opaque markers.',
      ],
    );
  });
});
