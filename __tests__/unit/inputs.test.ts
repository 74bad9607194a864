import { describe, expect, it } from '@jest/globals';
import { Input } from '../../src/config/constants.js';
import { collapsePrefixes, InputError, parseConfig } from '../../src/config/inputs.js';

type Inputs = Partial<Record<Input, string>>;
const read = (inputs: Inputs) => (name: Input) => inputs[name] ?? '';
const parse = (inputs: Inputs, env: Record<string, string> = {}) =>
  parseConfig(read({ [Input.Bucket]: 'test-bucket', ...inputs }), env);

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    expect(parseConfig(read({ [Input.Bucket]: 'b' }), {})).toEqual({
      buckets: ['b'],
      prefixes: [''],
      maxAgeMs: 24 * 3600 * 1000,
      dryRun: false,
      region: 'us-east-1',
      endpoint: undefined,
      forcePathStyle: false,
      concurrency: 'auto',
      failOnError: true,
      timeoutMs: 10 * 60 * 1000,
      when: 'now',
      exclude: [],
      initiatedBy: [],
      reportBytes: false,
      limit: 0,
      checkLifecycle: true,
      storagePrice: { usdPerGbMonth: 0.023, given: false },
    });
  });

  it('reads every input', () => {
    const config = parse({
      [Input.Bucket]: 'a, b\nc\n\n a ',
      [Input.Prefix]: 'ci/run-1/\n  tmp/ \n',
      [Input.MaxAge]: 'P1DT12H',
      [Input.DryRun]: 'true',
      [Input.Region]: 'eu-west-3',
      [Input.Endpoint]: 'http://127.0.0.1:9000',
      [Input.ForcePathStyle]: 'TRUE',
      [Input.Concurrency]: '256',
      [Input.FailOnError]: 'False',
      [Input.Timeout]: '1h30m',
      [Input.When]: 'post',
      [Input.Exclude]: '**/keep-*\n\n  ci/pinned/** \n',
      [Input.InitiatedBy]:
        ' arn:aws:sts::123456789012:assumed-role/ci/*\n\narn:aws:iam::123456789012:user/ci-bot\n',
      [Input.ReportBytes]: 'true',
      [Input.Limit]: '5000',
      [Input.CheckLifecycle]: 'false',
      [Input.StoragePrice]: '0.0125',
    });
    expect(config).toEqual({
      buckets: ['a', 'b', 'c'],
      prefixes: ['ci/run-1/', 'tmp/'],
      maxAgeMs: 36 * 3600 * 1000,
      dryRun: true,
      region: 'eu-west-3',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      concurrency: 256,
      failOnError: false,
      timeoutMs: 90 * 60 * 1000,
      when: 'post',
      exclude: ['**/keep-*', 'ci/pinned/**'],
      initiatedBy: [
        'arn:aws:sts::123456789012:assumed-role/ci/*',
        'arn:aws:iam::123456789012:user/ci-bot',
      ],
      reportBytes: true,
      limit: 5000,
      checkLifecycle: false,
      storagePrice: { usdPerGbMonth: 0.0125, given: true },
    });
  });

  it.each([
    ['auto', 'auto'],
    [' auto ', 'auto'],
    ['1', 1],
    ['256', 256],
  ])('takes concurrency %j as %j', (value, concurrency) => {
    expect(parse({ [Input.Concurrency]: value }, {}).concurrency).toBe(concurrency);
  });

  it.each([
    [{}, {}, 'us-east-1'],
    [{}, { AWS_DEFAULT_REGION: 'eu-north-1' }, 'eu-north-1'],
    [{}, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-north-1' }, 'ap-south-1'],
    [{ [Input.Region]: 'us-west-2' }, { AWS_REGION: 'ap-south-1' }, 'us-west-2'],
    [{ [Input.Region]: 'garage' }, {}, 'garage'],
  ])('takes the region from the input, then the environment (%j, %j)', (inputs, env, region) => {
    expect(parse(inputs, env).region).toBe(region);
  });

  it.each<[Input, string, string]>([
    [Input.Bucket, '', 'bucket: is required; give one or more bucket names, e.g. my-test-bucket'],
    [Input.Bucket, ' ,\n, ', 'bucket: is required'],
    [Input.Bucket, 's3://my-bucket/ci', 'bucket: "s3://my-bucket/ci" is not a bucket name'],
    [Input.Bucket, 'my bucket', 'bucket: "my bucket" is not a bucket name'],
    [Input.MaxAge, '7 days', 'max-age: "7 days" is not a duration; use e.g. 7d, 36h, 90m'],
    [Input.MaxAge, '-1h', 'max-age: "-1h" is not a duration'],
    [Input.MaxAge, 'P1M', 'max-age: "P1M" is not a duration'],
    [Input.Prefix, `ci/${'x'.repeat(1022)}`, 'prefix: "ci/xxxx'],
    [
      Input.Prefix,
      `ok/\n${'日'.repeat(342)}`,
      'is longer than 1024 bytes, the longest key S3 allows',
    ],
    [Input.Region, 'eu west 1', 'region: "eu west 1" is not a region name; use e.g. eu-west-1'],
    [
      Input.Region,
      'https://s3.eu-west-1.amazonaws.com',
      'region: "https://s3.eu-west-1.amazonaws.com" is not a region name',
    ],
    [Input.DryRun, 'yes', 'dry-run: "yes" is not a boolean; use true or false'],
    [Input.ForcePathStyle, '1', 'force-path-style: "1" is not a boolean'],
    [Input.FailOnError, 'no', 'fail-on-error: "no" is not a boolean'],
    [Input.When, 'later', 'when: "later" is neither now nor post; use e.g. post'],
    [Input.When, 'POST', 'when: "POST" is neither now nor post'],
    [
      Input.Exclude,
      '/ci/pinned/**',
      'exclude: "/ci/pinned/**" starts with /, which no key does; use e.g. ci/pinned/**',
    ],
    [Input.ReportBytes, 'yes', 'report-bytes: "yes" is not a boolean'],
    [Input.Limit, '-1', 'limit: "-1" is not a whole number; use e.g. 5000, or 0 for no limit'],
    [Input.Limit, '10k', 'limit: "10k" is not a whole number'],
    [Input.Timeout, '0', 'timeout: "0" is not a duration of at least 1s; use e.g. 10m, 30m or 1h'],
    [Input.Timeout, '500ms', 'timeout: "500ms" is not a duration of at least 1s'],
    [Input.Timeout, 'forever', 'timeout: "forever" is not a duration of at least 1s'],
    [
      Input.Endpoint,
      'minio:9000',
      'endpoint: "minio:9000" is not an http(s) URL; use e.g. https://',
    ],
    [
      Input.Endpoint,
      'ftp://s3.example.com',
      'endpoint: "ftp://s3.example.com" is not an http(s) URL',
    ],
    [Input.Endpoint, '127.0.0.1:9000', 'endpoint: "127.0.0.1:9000" is not an http(s) URL'],
    [
      Input.Concurrency,
      '0',
      'concurrency: "0" is neither auto nor a whole number from 1 to 256; use e.g. auto, or 32',
    ],
    [
      Input.Concurrency,
      '257',
      'concurrency: "257" is neither auto nor a whole number from 1 to 256',
    ],
    [Input.Concurrency, '1.5', 'concurrency: "1.5" is neither auto nor a whole number'],
    [Input.Concurrency, '-4', 'concurrency: "-4" is neither auto nor a whole number'],
    [Input.Concurrency, 'many', 'concurrency: "many" is neither auto nor a whole number'],
    [Input.Concurrency, 'Auto', 'concurrency: "Auto" is neither auto nor a whole number'],
    [
      Input.AddAbortRule,
      '0',
      'add-abort-rule: "0" is not a whole number of days of at least 1; use e.g. 7 or 7d (empty adds no rule)',
    ],
    [Input.AddAbortRule, '12h', 'add-abort-rule: "12h" is not a whole number of days'],
    [Input.AddAbortRule, '1.5', 'add-abort-rule: "1.5" is not a whole number of days'],
    [Input.AddAbortRule, '7 days', 'add-abort-rule: "7 days" is not a whole number of days'],
    [Input.AddAbortRule, 'd', 'add-abort-rule: "d" is not a whole number of days'],
    [Input.AddAbortRule, '2147483648', 'add-abort-rule: "2147483648" is not a whole number'],
    [
      Input.Bucket,
      'ci-[',
      'bucket: "ci-[" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.Bucket,
      'ci-{a*',
      'bucket: "ci-{a*" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.Bucket,
      '!ci-*',
      'bucket: "!ci-*" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.Bucket,
      'ci-*(x)',
      'bucket: "ci-*(x)" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.Bucket,
      'ci-[!a]*',
      'bucket: "ci-[!a]*" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.Bucket,
      'ci-*+',
      'bucket: "ci-*+" is not a bucket pattern: it may hold the characters of bucket names and the wildcards *, ? and [...] only; use e.g. ci-* or it-*-fixtures',
    ],
    [
      Input.StoragePrice,
      '-0.01',
      'storage-price: "-0.01" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
    [
      Input.StoragePrice,
      '$0.023',
      'storage-price: "$0.023" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
    [
      Input.StoragePrice,
      '0,023',
      'storage-price: "0,023" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
    [
      Input.StoragePrice,
      '1e-3',
      'storage-price: "1e-3" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
    [
      Input.StoragePrice,
      'free',
      'storage-price: "free" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
    [
      Input.StoragePrice,
      '0.02 USD',
      'storage-price: "0.02 USD" is not a non-negative number of US dollars per GB-month; use e.g. 0.023, or 0 to show no cost',
    ],
  ])('refuses %s: %j', (input, value, message) => {
    expect(() => parse({ [input]: value })).toThrow(InputError);
    expect(() => parse({ [input]: value })).toThrow(message);
  });

  it.each([
    ['', undefined],
    ['7', 7],
    [' 7d ', 7],
    ['1', 1],
    ['2147483647', 2147483647],
  ])('takes add-abort-rule %j as %j days', (value, days) => {
    expect(parse({ [Input.AddAbortRule]: value }).addAbortRule).toBe(days);
  });

  it('refuses add-abort-rule without check-lifecycle, saying why', () => {
    expect(() => parse({ [Input.AddAbortRule]: '7', [Input.CheckLifecycle]: 'false' })).toThrow(
      "add-abort-rule: needs check-lifecycle: true, since a rule is added only where the bucket's lifecycle rules were read and none covers the run's prefixes; remove check-lifecycle: false, or leave add-abort-rule empty",
    );
    // A bad check-lifecycle is said once, as itself.
    expect(() => parse({ [Input.AddAbortRule]: '7', [Input.CheckLifecycle]: 'no' })).toThrow(
      /^check-lifecycle: "no" is not a boolean; use true or false$/,
    );
  });

  it('takes bucket patterns beside names, in the order given, each once', () => {
    expect(
      parse({ [Input.Bucket]: 'ci-*, my-bucket\nit-*-fixtures\nrun-[0-9]?\nci-*' }).buckets,
    ).toEqual(['ci-*', 'my-bucket', 'it-*-fixtures', 'run-[0-9]?']);
  });

  it.each<[string, string, { usdPerGbMonth: number; given: boolean } | undefined]>([
    ['', '', { usdPerGbMonth: 0.023, given: false }],
    ['0.023', '', { usdPerGbMonth: 0.023, given: true }],
    [' 1.5 ', '', { usdPerGbMonth: 1.5, given: true }],
    ['0', '', undefined],
    ['', 'http://127.0.0.1:9000', undefined],
    ['.02', 'http://127.0.0.1:9000', { usdPerGbMonth: 0.02, given: true }],
    ['0.0', 'http://127.0.0.1:9000', undefined],
  ])('takes storage-price %j with endpoint %j as %j', (price, endpoint, expected) => {
    const config = parse({ [Input.StoragePrice]: price, [Input.Endpoint]: endpoint });
    expect(config.storagePrice).toEqual(expected);
  });

  it('names every bad input at once', () => {
    expect(() => parse({ [Input.MaxAge]: 'soon', [Input.Concurrency]: 'x' })).toThrow(
      'max-age: "soon" is not a duration; use e.g. 7d, 36h, 90m, 1d12h or P7D (0 means any age)\n' +
        'concurrency: "x" is neither auto nor a whole number from 1 to 256; use e.g. auto, or 32',
    );
  });

  it('never repeats credentials found in an endpoint URL', () => {
    let message = '';
    try {
      parse({ [Input.Endpoint]: 'https://AKIAEXAMPLE:hunter2secret@s3.example.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^endpoint: must not contain credentials/);
    expect(message).not.toContain('hunter2secret');
    expect(message).not.toContain('AKIAEXAMPLE');
  });
});

describe('collapsePrefixes', () => {
  it.each([
    [[], ['']],
    [['a/', 'a/'], ['a/']],
    [['ci/run-10/', 'ci/run-1'], ['ci/run-1']],
    [
      ['tmp/', 'ci/', 'ci/x/'],
      ['ci/', 'tmp/'],
    ],
    [['ab', 'a/', 'a'], ['a']],
    [['b', ''], ['']],
  ])('keeps only prefixes no other covers: %j -> %j', (prefixes, expected) => {
    expect(collapsePrefixes(prefixes)).toEqual(expected);
  });
});
