import { describe, expect, it } from '@jest/globals';
import { keptAuthOptions, keptEndpoints } from '../../src/engine/endpoints.js';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/engine/s3-client.js';
import { useLocalServer } from '../support/local-server.js';

type Params = Record<string, string | boolean | undefined>;

/** A resolver that counts its calls and answers a new object each time, as the rules do. */
function countingResolver() {
  const calls: Params[] = [];
  const resolve = (params: Params) => {
    calls.push(params);
    return { url: `https://${String(params.Bucket)}.example`, n: calls.length };
  };
  return { calls, resolve };
}

describe('keptEndpoints', () => {
  it.each<[string, Params, Params, boolean]>([
    ['the same parameters', { Bucket: 'a', Region: 'x' }, { Bucket: 'a', Region: 'x' }, true],
    ['another prefix', { Bucket: 'a', Prefix: 'c/' }, { Bucket: 'a', Prefix: 'd/' }, true],
    ['another key', { Bucket: 'a', Key: 'k1' }, { Bucket: 'a', Key: 'k2' }, true],
    ['another copy source', { Bucket: 'a', CopySource: 's/1' }, { Bucket: 'a' }, true],
    ['an unset parameter', { Bucket: 'a', UseFIPS: undefined }, { Bucket: 'a' }, true],
    [
      'the same, in another order',
      { Bucket: 'a', Region: 'x' },
      { Region: 'x', Bucket: 'a' },
      true,
    ],
    ['another bucket', { Bucket: 'a' }, { Bucket: 'b' }, false],
    ['another region', { Bucket: 'a', Region: 'x' }, { Bucket: 'a', Region: 'y' }, false],
    ['path style', { Bucket: 'a' }, { Bucket: 'a', ForcePathStyle: true }, false],
    [
      'a directory bucket’s session',
      { Bucket: 'a' },
      { Bucket: 'a', DisableS3ExpressSessionAuth: true },
      false,
    ],
  ])('after %s, resolves again: %s', (_, first, second, kept) => {
    const { calls, resolve } = countingResolver();
    const endpoint = keptEndpoints(resolve);
    const one = endpoint(first);
    const two = endpoint(second);
    expect(calls.length).toBe(kept ? 1 : 2);
    expect(one === two).toBe(kept);
  });

  it('keeps the newest when full, the oldest going first', () => {
    const { calls, resolve } = countingResolver();
    const endpoint = keptEndpoints(resolve, 2);
    for (const bucket of ['a', 'b', 'c', 'b', 'c']) endpoint({ Bucket: bucket });
    expect(calls.map((params) => params.Bucket)).toEqual(['a', 'b', 'c']);
    endpoint({ Bucket: 'a' });
    expect(calls.map((params) => params.Bucket)).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('keptAuthOptions', () => {
  /** A provider that counts its calls and makes new options each time, as S3's does. */
  function countingProvider() {
    let calls = 0;
    const provide = (params: Params) => {
      calls += 1;
      return [{ schemeId: 'aws.auth#sigv4', signingProperties: { region: params.Region } }];
    };
    return { calls: () => calls, provide };
  }

  it('runs the provider once for a bucket’s requests, whatever their prefix', () => {
    const { calls, provide } = countingProvider();
    const options = keptAuthOptions(provide);
    options({ Bucket: 'a', Region: 'x', Prefix: 'c/' });
    options({ Bucket: 'a', Region: 'x', Prefix: 'd/' });
    options({ Bucket: 'b', Region: 'x' });
    expect(calls()).toBe(2);
  });

  it('gives each request copies, so what one request writes into them the next never sees', () => {
    const { provide } = countingProvider();
    const options = keptAuthOptions(provide);
    const [first] = options({ Bucket: 'a', Region: 'x' });
    first.signingProperties.region = 'written by the middleware';
    Object.assign(first.signingProperties, { context: 'request 1' });
    const [second] = options({ Bucket: 'a', Region: 'x' });
    expect(second.signingProperties).toEqual({ region: 'x' });
  });
});

describe('createS3Client’s endpoints', () => {
  /** A client of Amazon S3 itself, whose rules make a host of each bucket. */
  const amazonClient = () =>
    createS3Client({
      region: 'us-east-1',
      endpoint: undefined,
      forcePathStyle: false,
      concurrency: 'auto',
    });

  it('keeps each bucket’s endpoint across a fleet, where the SDK keeps 50', () => {
    const client = amazonClient();
    const resolve = (bucket: string) =>
      client.config.endpointProvider({ Bucket: bucket, Region: 'us-east-1', Prefix: 'c/' });
    const first = resolve('fleet-000');
    for (let i = 1; i < 300; i += 1) resolve(`fleet-${i}`);
    expect(resolve('fleet-000')).toBe(first);
    expect(first.url.hostname).toBe('fleet-000.s3.us-east-1.amazonaws.com');
  });

  it('keeps each bucket’s auth options across a fleet, where the SDK’s rules run again', () => {
    const client = amazonClient();
    const options = (bucket: string) =>
      client.config.httpAuthSchemeProvider({
        operation: 'ListMultipartUploads',
        region: 'us-east-1',
        Bucket: bucket,
        Region: 'us-east-1',
        Prefix: 'c/',
      });
    const [first] = options('fleet-000');
    for (let i = 1; i < 300; i += 1) options(`fleet-${i}`);
    const [again] = options('fleet-000');
    // The rules make a new extractor with every option; the same one means they did not run.
    expect(again.propertiesExtractor).toBe(first.propertiesExtractor);
    expect(again.signingProperties).not.toBe(first.signingProperties);
    expect(again.signingProperties).toEqual(first.signingProperties);
  });
});

describe('the SDK’s endpoint provider', () => {
  const authorizations: (string | undefined)[] = [];
  const store = useLocalServer((request, response) => {
    authorizations.push(request.headers.authorization);
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end('<ListMultipartUploadsResult><Bucket>b</Bucket></ListMultipartUploadsResult>');
  });

  /** Two listings through a client whose `provider` counts its calls: how many it got. */
  async function callsOf(provider: 'endpointProvider' | 'httpAuthSchemeProvider') {
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: store.endpoint,
      forcePathStyle: true,
      concurrency: 1,
    });
    const kept = client.config[provider] as (...args: unknown[]) => unknown;
    let calls = 0;
    Object.assign(client.config, {
      [provider]: (...args: unknown[]) => {
        calls += 1;
        return kept(...args);
      },
    });
    for (const prefix of ['c/', 'd/']) {
      await client.send(new ListMultipartUploadsCommand({ Bucket: 'b', Prefix: prefix }));
    }
    client.destroy();
    return calls;
  }

  it('is read from the client’s config for every request, so the one kept there serves', async () => {
    expect(await callsOf('endpointProvider')).toBe(2);
  });

  it('reads the auth scheme provider from the config too, and signs with what it keeps', async () => {
    expect(await callsOf('httpAuthSchemeProvider')).toBe(2);
    expect(authorizations.slice(-2)).toEqual([
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=\S+\/us-east-1\/s3\/aws4_request/),
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=\S+\/us-east-1\/s3\/aws4_request/),
    ]);
  });
});
