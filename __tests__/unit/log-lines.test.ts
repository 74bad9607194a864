import { describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import type { BucketAccess } from '../../src/engine/probe.js';
import {
  bucketLines,
  leadingSlashNotice,
  lifecycleLine,
  patternLine,
  protectionLines,
  proxyLine,
} from '../../src/report/log-lines.js';
import { ourAbortRule } from '../support/lifecycle-fixtures.js';

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

describe('protectionLines', () => {
  const two = [ourAbortRule('ci/'), ourAbortRule('tmp/')];

  it('gives each rule added its own line, each saying its days in words', () => {
    expect(
      protectionLines('b', { state: 'added', rules: two, confirmed: true, disabled: [] }),
    ).toEqual([
      's3://b: added a lifecycle rule aborting incomplete uploads 7 days after they start, under "ci/".',
      's3://b: added a lifecycle rule aborting incomplete uploads 7 days after they start, under "tmp/".',
    ]);
  });

  it('gives each rule it would add its own line, and the disabled rules once, at the end', () => {
    const lines = protectionLines('b', {
      state: 'would-add',
      rules: two,
      disabled: [{ id: 'paused', prefix: 'old/' }],
    });
    expect(lines).toEqual([
      's3://b: would add a lifecycle rule aborting incomplete uploads 7 days after they start, under "ci/" (dry run: nothing written).',
      's3://b: would add a lifecycle rule aborting incomplete uploads 7 days after they start, under "tmp/" (dry run: nothing written). A disabled rule would cover "old/": left disabled, with no rule added beside it.',
    ]);
  });

  it('says one day, not 1 days', () => {
    const rule = ourAbortRule('');
    rule.AbortIncompleteMultipartUpload = { DaysAfterInitiation: 1 };
    expect(
      protectionLines('b', { state: 'added', rules: [rule], confirmed: false, disabled: [] }),
    ).toEqual([
      's3://b: added a lifecycle rule aborting incomplete uploads 1 day after they start, under (whole bucket) (the store did not show it yet when read back).',
    ]);
  });
});

describe('counted words', () => {
  it.each([
    [1, 'at most 1 day after'],
    [7, 'at most 7 days after'],
  ])('a covered bucket after %i day(s)', (days, words) => {
    expect(lifecycleLine('b', { state: 'covered', days })).toContain(words);
    expect(lifecycleLine('b', { state: 'covered', days })).not.toContain('(s)');
  });

  it.each([
    [['a'], 'Bucket pattern ci-* matched 1 bucket: a.'],
    [['a', 'b'], 'Bucket pattern ci-* matched 2 buckets: a, b.'],
  ])('a pattern matching %j', (buckets, line) => {
    expect(patternLine({ pattern: 'ci-*', buckets }, false)).toBe(line);
  });
});

describe('leadingSlashNotice', () => {
  it.each([
    ['/ci/', 'If the uploads are under "ci/", write prefix: ci/, without the leading /.'],
    ['//ci', 'If the uploads are under "ci", write prefix: ci, without the leading /.'],
    ['/', 'If the uploads are under "", leave prefix empty for the whole bucket.'],
    // A key shown visibly: no newline can start a workflow command.
    [
      '/a\n::stop',
      'If the uploads are under "a␊::stop", write prefix: a␊::stop, without the leading /.',
    ],
  ])('for %j says what to write instead', (prefix, advice) => {
    const notice = leadingSlashNotice({ bucket: 'b', prefix });
    expect(notice.startsWith('Nothing was found in s3://b under prefix ')).toBe(true);
    expect(notice.endsWith(advice)).toBe(true);
    expect(notice).not.toContain('\n');
  });
});
