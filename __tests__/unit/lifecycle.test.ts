import { describe, expect, it } from '@jest/globals';
import {
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { abortRules, checkLifecycle, coverage } from '../../src/engine/lifecycle.js';
import type { BucketAccess } from '../../src/engine/probe.js';
import { s3Error } from '../support/s3-errors.js';

const abortAfter = (days: number, rule: Partial<LifecycleRule> = {}): LifecycleRule => ({
  Status: 'Enabled',
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  ...rule,
});

describe('coverage', () => {
  it.each<[string, LifecycleRule[], string[], unknown]>([
    ['a whole-bucket rule', [abortAfter(7)], ['ci/', ''], { state: 'covered', days: 7 }],
    [
      'an empty filter prefix',
      [abortAfter(3, { Filter: { Prefix: '' } })],
      ['ci/'],
      { state: 'covered', days: 3 },
    ],
    [
      'a rule on a shorter prefix',
      [abortAfter(3, { Filter: { Prefix: 'c' } })],
      ['ci/run-1/'],
      { state: 'covered', days: 3 },
    ],
    [
      'And.Prefix',
      [abortAfter(2, { Filter: { And: { Prefix: 'ci/' } } })],
      ['ci/x'],
      { state: 'covered', days: 2 },
    ],
    [
      'the legacy Prefix',
      [abortAfter(4, { Prefix: 'ci/' })],
      ['ci/'],
      { state: 'covered', days: 4 },
    ],
    [
      "a legacy rule on another prefix, which leaves the run's prefix uncovered",
      [abortAfter(4, { Prefix: 'logs/' })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a legacy rule on a shorter prefix',
      [abortAfter(4, { Prefix: 'c' })],
      ['ci/', 'tmp/'],
      { state: 'uncovered', prefixes: ['tmp/'], rules: 1 },
    ],
    [
      'the fewest days per prefix, the most across prefixes',
      [
        abortAfter(9),
        abortAfter(2, { Filter: { Prefix: 'ci/' } }),
        abortAfter(5, { Filter: { Prefix: 'tmp/' } }),
      ],
      ['ci/', 'tmp/'],
      { state: 'covered', days: 5 },
    ],
    [
      'a rule on a longer prefix',
      [abortAfter(1, { Filter: { Prefix: 'ci/run-1/' } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a disabled rule, named as one that would cover the prefix',
      [abortAfter(1, { ID: 'off', Status: 'Disabled' })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1, disabled: [{ prefix: 'ci/', id: 'off' }] },
    ],
    [
      'a disabled rule that would not cover the prefix',
      [abortAfter(1, { Status: 'Disabled', Filter: { Prefix: 'ci/run-1/' } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a rule that only expires objects',
      [{ Status: 'Enabled', Expiration: { Days: 1 } }],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a rule filtered by tag',
      [abortAfter(1, { Filter: { Tag: { Key: 'k', Value: 'v' } } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a rule filtered by size',
      [abortAfter(1, { Filter: { And: { Prefix: 'ci/', ObjectSizeGreaterThan: 1 } } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a rule bounded by ObjectSizeLessThan',
      [abortAfter(1, { Filter: { ObjectSizeLessThan: 1_000 } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'a rule bounded by ObjectSizeLessThan beside its prefix',
      [abortAfter(1, { Filter: { And: { Prefix: 'ci/', ObjectSizeLessThan: 1_000 } } })],
      ['ci/'],
      { state: 'uncovered', prefixes: ['ci/'], rules: 1 },
    ],
    [
      'some prefixes only',
      [abortAfter(1, { Filter: { Prefix: 'ci/' } })],
      ['ci/', 'tmp/', ''],
      { state: 'uncovered', prefixes: ['tmp/', ''], rules: 1 },
    ],
    ['no configuration', [], ['ci/'], { state: 'uncovered', prefixes: ['ci/'], rules: 0 }],
  ])('%s', (_, rules, prefixes, check) => {
    expect(coverage(rules, prefixes)).toEqual(check);
  });
});

describe('checkLifecycle', () => {
  const access = (listing: BucketAccess['listing'] = 'standard') => ({
    bucket: 'b',
    client: new S3Client({ region: 'us-east-1' }),
    listing,
  });

  it('reads the configuration once and checks it', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [abortAfter(7)] });
    expect(await checkLifecycle(access(), ['ci/'])).toEqual({ state: 'covered', days: 7 });
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).toHaveLength(1);
    s3.restore();
  });

  it.each<[string, Error, unknown]>([
    [
      'no configuration',
      s3Error('NoSuchLifecycleConfiguration', 404),
      { state: 'uncovered', prefixes: ['ci/'], rules: 0 },
    ],
    [
      'access denied',
      s3Error('AccessDenied', 403),
      {
        state: 'unknown',
        reason: 'AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::b',
      },
    ],
    [
      'a store without lifecycle rules',
      s3Error('NotImplemented', 501),
      {
        state: 'unknown',
        reason: 'the store keeps no lifecycle rules (it answered NotImplemented)',
      },
    ],
    [
      'a missing bucket',
      s3Error('NoSuchBucket', 404),
      {
        state: 'unknown',
        reason: expect.stringMatching(/^NoSuchBucket: bucket "b" does not exist/),
      },
    ],
  ])('tells %s', async (_, error, check) => {
    const s3 = mockClient(S3Client);
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(error);
    expect(await checkLifecycle(access(), ['ci/'])).toEqual(check);
    s3.restore();
  });

  it('takes an empty configuration, which Amazon S3 never gives, for a store without rules', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [] });
    expect(await checkLifecycle(access(), ['ci/'])).toEqual({
      state: 'unknown',
      reason: 'the store keeps no lifecycle rules (it answered with an empty configuration)',
    });
    s3.restore();
  });

  it('does not ask MinIO, which expires uploads by its own setting', async () => {
    const s3 = mockClient(S3Client);
    expect(await checkLifecycle(access('minio'), ['ci/'])).toMatchObject({ state: 'unknown' });
    expect(s3.calls()).toHaveLength(0);
    s3.restore();
  });
});

describe('abortRules', () => {
  it('makes one rule per prefix, for put-bucket-lifecycle-configuration', () => {
    expect(abortRules(['ci/'], 1)).toEqual({
      Rules: [
        {
          ID: 'abort-incomplete-multipart-uploads',
          Status: 'Enabled',
          Filter: { Prefix: 'ci/' },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    expect(abortRules(['a/', ''], 3).Rules.map((rule) => rule.ID)).toEqual([
      'abort-incomplete-multipart-uploads-1',
      'abort-incomplete-multipart-uploads-2',
    ]);
  });
});
