import { describe, expect, it } from '@jest/globals';
import { describeS3Error, errorCode, regionNamedBy } from '../../src/engine/errors.js';
import { KeyEncodingError, ListingStalledError } from '../../src/engine/list.js';
import { readme } from '../support/readme.js';
import { s3Error } from '../support/s3-errors.js';

const target = { bucket: 'test-bucket', prefix: 'ci/' };

describe('describeS3Error', () => {
  it.each<[string, unknown, 'list' | 'abort', string]>([
    [
      'AccessDenied on list',
      s3Error('AccessDenied', 403, 'Access Denied'),
      'list',
      'AccessDenied: the credentials need s3:ListBucketMultipartUploads on arn:aws:s3:::test-bucket',
    ],
    [
      'AccessDenied on abort',
      s3Error('AccessDenied', 403),
      'abort',
      'AccessDenied: the credentials need s3:AbortMultipartUpload on arn:aws:s3:::test-bucket/*',
    ],
    [
      'NoSuchBucket',
      s3Error('NoSuchBucket', 404, 'The specified bucket does not exist'),
      'list',
      'NoSuchBucket: bucket "test-bucket" does not exist (check the bucket name, region and endpoint)',
    ],
    [
      'a wrong secret key',
      s3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match'),
      'list',
      'SignatureDoesNotMatch: the store computed another signature with this access key: usually the secret access key is wrong, of another key, or holds a stray space or newline (check AWS_SECRET_ACCESS_KEY, and that no proxy rewrites the request)',
    ],
    [
      'an access key the store does not know',
      s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist'),
      'list',
      'InvalidAccessKeyId: the store knows no such access key: usually a key of another store or account (check the endpoint input: without one the requests go to Amazon S3), a deleted or disabled key, or temporary credentials without their AWS_SESSION_TOKEN',
    ],
    [
      'a clock far off, uncorrected',
      s3Error('RequestTimeTooSkewed', 403),
      'abort',
      "RequestTimeTooSkewed: the runner's clock is too far from the store's, even after the SDK corrected it by the store's Date header (check the time sync of the runner and of the store)",
    ],
    [
      'SlowDown after retries',
      s3Error('SlowDown', 503, 'Please reduce your request rate.'),
      'abort',
      'SlowDown, HTTP 503: Please reduce your request rate.',
    ],
    [
      'an empty message, as Ceph RGW sends',
      s3Error('InternalError', 500, 'UnknownError'),
      'list',
      'InternalError, HTTP 500',
    ],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'list',
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9',
    ],
    [
      'missing credentials',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      'list',
      'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws-actions/configure-aws-credentials before this step',
    ],
    [
      'a stalled listing',
      new ListingStalledError('markers do not advance'),
      'list',
      'ListingStalled: markers do not advance',
    ],
    [
      'a key the store failed to encode',
      new KeyEncodingError('the store listed a key that is not valid percent-encoding'),
      'list',
      'BadKeyEncoding: the store listed a key that is not valid percent-encoding',
    ],
    [
      'a wrong region that could not be followed',
      s3Error('PermanentRedirect', 301, 'The bucket you are attempting…', {
        headers: { 'x-amz-bucket-region': 'eu-west-1' },
      }),
      'list',
      'PermanentRedirect: the store says bucket "test-bucket" is in region eu-west-1, and refused the request signed for it (check the endpoint input: an endpoint for one region cannot reach buckets in others)',
    ],
    ['a plain Error', new Error('boom'), 'list', 'boom'],
    ['a thrown string', 'weird', 'abort', 'weird'],
  ])('explains %s', (_, error, operation, text) => {
    expect(describeS3Error(error, operation, target)).toBe(text);
  });
});

describe("README's Troubleshooting", () => {
  const troubleshooting = readme.split('\n## Troubleshooting\n')[1]?.split('\n## ')[0] ?? '';

  it.each(['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'RequestTimeTooSkewed'])(
    'has a row for %s, quoting the start of the message the log shows',
    (code) => {
      const shown = describeS3Error(s3Error(code, 403), 'list', target);
      const quoted = troubleshooting.match(new RegExp(`^\\| \`(${code}[^\`]*)\``, 'm'))?.[1];
      expect(quoted).toBeDefined();
      expect(shown.startsWith(quoted!)).toBe(true);
    },
  );
});

describe('errorCode', () => {
  it('reads the S3 code of an SDK error', () => {
    expect(errorCode(s3Error('NoSuchUpload', 404))).toBe('NoSuchUpload');
    expect(errorCode(new Error('x'))).toBeUndefined();
    expect(errorCode(undefined)).toBeUndefined();
  });
});

describe('regionNamedBy', () => {
  const header = (region: string) => ({ headers: { 'x-amz-bucket-region': region } });
  it.each<[string, unknown, string | undefined]>([
    [
      'a 301 with the header',
      s3Error('PermanentRedirect', 301, '', header('eu-west-1')),
      'eu-west-1',
    ],
    [
      'a 400 naming the region in its body only',
      s3Error('AuthorizationHeaderMalformed', 400, "the region 'us-east-1' is wrong", {
        fields: { Region: 'ap-southeast-2' },
      }),
      'ap-southeast-2',
    ],
    [
      'the header before the body',
      s3Error('AuthorizationHeaderMalformed', 400, '', {
        fields: { Region: 'eu-west-2' },
        ...header('eu-west-1'),
      }),
      'eu-west-1',
    ],
    [
      'IllegalLocationConstraintException',
      s3Error('IllegalLocationConstraintException', 400, '', header('af-south-1')),
      'af-south-1',
    ],
    [
      'a bare 301 with the header',
      s3Error('UnknownError', 301, '', header('eu-north-1')),
      'eu-north-1',
    ],
    [
      'an error about something else, header or not',
      s3Error('AccessDenied', 403, '', header('eu-west-1')),
      undefined,
    ],
    ['a wrong region without any name', s3Error('PermanentRedirect', 301), undefined],
    [
      'a name that is no region',
      s3Error('PermanentRedirect', 301, '', header('evil.example/x')),
      undefined,
    ],
    ['not an SDK error', new Error('boom'), undefined],
  ])('reads %s', (_, error, region) => {
    expect(regionNamedBy(error)).toBe(region);
  });
});
