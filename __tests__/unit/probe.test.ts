import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PageRoom, probeBucket, takeFirstPage } from '../../src/engine/probe.js';
import { MAX_PAGE_SIZE } from '../../src/engine/list.js';
import { RegionalClients } from '../../src/engine/regions.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import { useLocalServer } from '../support/local-server.js';

// probeBucket through the SDK's whole pipeline, against a stand-in that answers as Amazon S3
// does to a request signed for the wrong region (see S3-NOTES.md, "Regions"), and as MinIO
// names itself.
const HOUR_MS = 3600_000;
const homes: Record<string, string> = { dublin: 'eu-west-1', sydney: 'ap-southeast-2' };
const requests: Array<{ bucket: string; region: string; query: URLSearchParams }> = [];

function respond(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const bucket = url.pathname.split('/')[1];
  const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(
    request.headers.authorization ?? '',
  )?.[1];
  requests.push({ bucket, region: region ?? '', query: url.searchParams });
  const xml = (status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/xml', ...headers });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
  };
  const home = homes[bucket];
  if (bucket === 'dublin' && region !== home) {
    return xml(301, '<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>', {
      'x-amz-bucket-region': home,
    });
  }
  if (bucket === 'sydney' && region !== home) {
    // No header: the region is read from the body.
    return xml(
      400,
      `<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong</Message><Region>${home}</Region></Error>`,
    );
  }
  if (bucket === 'missing') {
    return xml(404, '<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>', {
      Server: 'MinIO',
    });
  }
  xml(
    200,
    '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>',
    {
      Date: new Date(Date.now() + HOUR_MS).toUTCString(),
      ...(bucket === 'minio-bucket' ? { Server: 'MinIO' } : {}),
    },
  );
}

const standIn = useLocalServer(respond);

function regionalClients() {
  const made: string[] = [];
  const clients = new RegionalClients('us-east-1', (region) => {
    made.push(region);
    return createS3Client({
      region,
      endpoint: standIn.endpoint,
      forcePathStyle: true,
      concurrency: 2,
    });
  });
  return { clients, made };
}

describe('probeBucket', () => {
  it('learns the region of each bucket from the store, once, with one client per region', async () => {
    const { clients, made } = regionalClients();
    requests.length = 0;
    const buckets = await Promise.all(
      ['home', 'dublin', 'sydney', 'dublin-too'].map((bucket) =>
        probeBucket(clients, bucket.replace('-too', '')),
      ),
    );
    expect(buckets.map((access) => `${access.bucket} ${access.region}`)).toEqual([
      'home us-east-1',
      'dublin eu-west-1',
      'sydney ap-southeast-2',
      'dublin eu-west-1',
    ]);
    expect(buckets[1].client).toBe(buckets[3].client);
    expect(made).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
    expect(requests.filter((r) => r.bucket === 'sydney').map((r) => r.region)).toEqual([
      'us-east-1',
      'ap-southeast-2',
    ]);
    clients.destroy();
  });

  it("reads the store's clock and names MinIO from its Server header", async () => {
    const { clients } = regionalClients();
    const plain = await probeBucket(clients, 'home');
    expect(plain.listing).toBe('standard');
    // The Date header has whole seconds, and is read when the answer arrives.
    expect(plain.clockOffsetMs).toBeGreaterThan(HOUR_MS - 2000);
    expect(plain.clockOffsetMs).toBeLessThanOrEqual(HOUR_MS);
    expect((await probeBucket(clients, 'minio-bucket')).listing).toBe('minio');
    clients.destroy();
  });

  it("leaves any other error to the listing, but still reads the answer's headers", async () => {
    const { clients } = regionalClients();
    const missing = await probeBucket(clients, 'missing');
    expect(missing).toMatchObject({ region: 'us-east-1', listing: 'minio' });
    // Node's own Date header on the error answer: the stand-in's clock is this machine's.
    expect(Math.abs(missing.clockOffsetMs ?? NaN)).toBeLessThan(2000);
    clients.destroy();
  });

  it('gives up at once when the run is stopped', async () => {
    const { clients } = regionalClients();
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    const access = await probeBucket(clients, 'home', { signal: stop.signal });
    expect(access).toMatchObject({ region: 'us-east-1', listing: 'standard' });
    expect(access.clockOffsetMs).toBeUndefined();
    clients.destroy();
  });

  describe("keeps its answer as the first page of the first target's listing", () => {
    const asked = (bucket: string) =>
      requests
        .filter((r) => r.bucket === bucket)
        .map(
          (r) =>
            `${r.query.get('prefix')} ${r.query.get('max-uploads')} ${r.query.get('encoding-type')}`,
        );

    it('asks for that page, in the right region, and hands it to that target once', async () => {
      const { clients } = regionalClients();
      requests.length = 0;
      const access = await probeBucket(clients, 'sydney', {
        firstPrefix: 'ci/',
        room: new PageRoom(),
      });
      // The same request the listing would send, asked again in the region the store named.
      expect(asked('sydney')).toEqual(['ci/ 1000 url', 'ci/ 1000 url']);
      expect(takeFirstPage(access, 'other/')).toBeUndefined();
      expect(takeFirstPage(access, 'ci/')).toMatchObject({ IsTruncated: false });
      expect(takeFirstPage(access, 'ci/')).toBeUndefined();
      clients.destroy();
    });

    it('keeps nothing from MinIO, which takes a prefix as a key and is listed whole', async () => {
      const { clients } = regionalClients();
      const room = new PageRoom(MAX_PAGE_SIZE);
      const access = await probeBucket(clients, 'minio-bucket', { firstPrefix: 'ci/', room });
      expect(access.firstPage).toBeUndefined();
      // Its room is given back whole.
      expect(room.reserve()).toBe(true);
      clients.destroy();
    });

    it('asks for one upload, and keeps nothing, without room for a page', async () => {
      const { clients } = regionalClients();
      requests.length = 0;
      const room = new PageRoom(MAX_PAGE_SIZE - 1);
      const access = await probeBucket(clients, 'home', { firstPrefix: 'ci/', room });
      expect(asked('home')).toEqual(['null 1 null']);
      expect(access.firstPage).toBeUndefined();
      clients.destroy();
    });
  });
});

describe('PageRoom', () => {
  it.each([
    // [room, uploads kept by each probe in turn, which probes may ask for a page]
    [2 * MAX_PAGE_SIZE, [0, 0, 0], [true, true, true]],
    [2 * MAX_PAGE_SIZE, [MAX_PAGE_SIZE, MAX_PAGE_SIZE, 0], [true, true, false]],
    [2 * MAX_PAGE_SIZE, [600, 600, 0], [true, true, false]],
    [MAX_PAGE_SIZE - 1, [0], [false]],
  ])('with room for %i uploads, keeping %j, reserves %j', (size, kept, reserved) => {
    const room = new PageRoom(size);
    const got = kept.map((uploads) => {
      const ok = room.reserve();
      if (ok) room.keep(uploads);
      return ok;
    });
    expect(got).toEqual(reserved);
  });
});
