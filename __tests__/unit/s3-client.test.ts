import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { abortSenderFor } from '../../src/engine/abort/senders.js';
import { cleanTarget, type CleanupPlan } from '../../src/engine/cleanup.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import { StoreContacts } from '../../src/engine/store-contact.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import type { CleanupEvent } from '../../src/engine/types.js';
import { useLocalServer } from '../support/local-server.js';

// A stand-in S3 endpoint on 127.0.0.1 that throttles: each key's abort fails with the given
// S3 error a set number of times, then succeeds. The client under test is the action's own,
// so this checks its retries: the SDK's (listings) and the abort path's own.
const slowDown = { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
const internal = {
  status: 500,
  code: 'InternalError',
  message: 'We encountered an internal error.',
};
const failuresBeforeSuccess: Record<string, typeof slowDown & { times: number }> = {
  'slow-once': { ...slowDown, times: 1 },
  'broken-4x': { ...internal, times: 4 },
  'always-broken': { ...internal, times: Infinity },
};
const attempts = new Map<string, number>();
let silentRequests = 0;
const throttledRequests: number[] = [];

function respond(request: IncomingMessage, response: import('node:http').ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  // The bucket `silent` is a store that stopped answering: requests are read, never answered.
  if (url.pathname.startsWith('/silent')) {
    silentRequests += 1;
    return;
  }
  // The bucket `slow` answers its listing after 200 ms: slow, but up.
  if (url.pathname.startsWith('/slow')) {
    setTimeout(() => {
      response.setHeader('Content-Type', 'application/xml');
      response.end(
        `<?xml version="1.0"?><ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`,
      );
    }, 200);
    return;
  }
  // The bucket `throttled` answers every request with SlowDown: the SDK backs off and retries.
  if (url.pathname.startsWith('/throttled')) {
    throttledRequests.push(Date.now());
    response.statusCode = 503;
    response.setHeader('Content-Type', 'application/xml');
    response.end(
      `<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`,
    );
    return;
  }
  if (request.method === 'GET' && url.searchParams.has('uploads')) {
    const uploads = Object.keys(failuresBeforeSuccess)
      .map(
        (key) =>
          `<Upload><Key>${key}</Key><UploadId>id-${key}</UploadId><Initiated>2020-01-01T00:00:00.000Z</Initiated></Upload>`,
      )
      .join('');
    response.setHeader('Content-Type', 'application/xml');
    response.end(
      `<?xml version="1.0"?><ListMultipartUploadsResult><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`,
    );
    return;
  }
  const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
  const attempt = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, attempt);
  const failure = failuresBeforeSuccess[key];
  if (failure && attempt <= failure.times) {
    response.statusCode = failure.status;
    response.setHeader('Content-Type', 'application/xml');
    response.end(
      `<?xml version="1.0"?><Error><Code>${failure.code}</Code><Message>${failure.message}</Message></Error>`,
    );
    return;
  }
  response.statusCode = 204;
  response.end();
}

const standIn = useLocalServer(respond);

/** The engine's outcomes for a bucket, its aborts on the path the action takes for it. */
async function eventsOf(
  client: ReturnType<typeof createS3Client>,
  plan: Partial<CleanupPlan> = {},
  bucket = 'silent',
  concurrency = 1,
): Promise<CleanupEvent[]> {
  const events: CleanupEvent[] = [];
  const target = { bucket, prefix: '' };
  const fullPlan: CleanupPlan = {
    cutoff: new Date(),
    dryRun: false,
    traffic: AbortTraffic.for(concurrency, plan.stop),
    sendAbort: await abortSenderFor(client, bucket),
    ...plan,
  };
  for await (const event of cleanTarget(client, target, fullPlan)) events.push(event);
  return events;
}

describe('createS3Client', () => {
  it('retries a throttled abort until it passes, and 5xx up to 5 attempts before it fails', async () => {
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: standIn.endpoint,
      forcePathStyle: true,
      concurrency: 4,
    });
    const results: Record<string, string> = {};
    for (const event of await eventsOf(client, {}, 'b', 4)) {
      const outcome = event as Extract<CleanupEvent, { kind: 'upload' }>;
      results[outcome.upload.key] = outcome.error
        ? `${outcome.result}: ${outcome.error}`
        : outcome.result;
    }
    client.destroy();

    expect(results).toEqual({
      'slow-once': 'aborted',
      'broken-4x': 'aborted',
      'always-broken': 'failed: InternalError, HTTP 500: We encountered an internal error.',
    });
    expect(Object.fromEntries(attempts)).toEqual({
      'slow-once': 2,
      'broken-4x': 5,
      'always-broken': 5,
    });
  }, 30_000);
});

/** The action's own client, pointed at the stand-in, one request at a time. */
const standInClient = (
  settings: { requestTimeoutMs?: number; stop?: AbortSignal; contacts?: StoreContacts } = {},
) =>
  createS3Client({
    region: 'us-east-1',
    endpoint: standIn.endpoint,
    forcePathStyle: true,
    concurrency: 1,
    ...settings,
  });

const TIMED_OUT =
  'ETIMEDOUT: the store did not answer in time, on any attempt (is the endpoint right and the store up?)';

describe('a store that stops answering', () => {
  it('does not hold a request past its time limit: each attempt times out, then it fails', async () => {
    const client = standInClient({ contacts: new StoreContacts(300, 100) });
    // The store answers first: it is up, and gets the longer time from then on.
    expect(await eventsOf(client, { dryRun: true }, 'b')).toHaveLength(3);
    silentRequests = 0;
    const started = Date.now();
    const events = await eventsOf(client);
    client.destroy();
    expect(events).toEqual([
      { kind: 'listing-failed', target: { bucket: 'silent', prefix: '' }, error: TIMED_OUT },
    ]);
    expect(silentRequests).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 300);
  }, 30_000);

  it('gives a store that answers slowly its time, once it has answered', async () => {
    const client = standInClient({ contacts: new StoreContacts(1_000, 100) });
    // Never heard from, it gets 100 ms an attempt: 200 ms is too long.
    expect(await eventsOf(client, {}, 'slow')).toEqual([
      expect.objectContaining({
        kind: 'listing-failed',
        error: expect.stringMatching(/^StoreNotAnswering: /),
      }),
    ]);
    client.destroy();
    const heardFrom = standInClient({ contacts: new StoreContacts(1_000, 100) });
    const listed = await eventsOf(heardFrom, { dryRun: true }, 'b');
    expect(listed.map((event) => event.kind === 'upload' && event.result)).toContain('would-abort');
    // Now it is up: 200 ms is well within the 1 s of a store known to answer.
    expect(await eventsOf(heardFrom, {}, 'slow')).toEqual([]);
    heardFrom.destroy();
  }, 30_000);
});

describe('a store that never answers', () => {
  it('is given up after 5 attempts with no answer, and not asked again', async () => {
    silentRequests = 0;
    const contacts = new StoreContacts(30_000, 100);
    const client = standInClient({ contacts });
    const host = new URL(standIn.endpoint).host;
    const dead = `StoreNotAnswering: the store at ${host} answered none of 5 attempts of 0.1 s each, so no more requests were sent to it (is the endpoint right, the store up, and no firewall dropping the packets?)`;
    const started = Date.now();
    expect(await eventsOf(client)).toEqual([expect.objectContaining({ error: dead })]);
    // 5 attempts of 0.1 s and the SDK's backoff between them, not 5 of the 30 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(silentRequests).toBe(5);
    // The next target of that store, even in another region's client, fails at once.
    const other = createS3Client({
      region: 'eu-west-1',
      endpoint: standIn.endpoint,
      forcePathStyle: true,
      concurrency: 1,
      contacts,
    });
    const again = Date.now();
    expect(await eventsOf(other, {}, 'silent')).toEqual([expect.objectContaining({ error: dead })]);
    expect(await eventsOf(other, {}, 'b')).toEqual([expect.objectContaining({ error: dead })]);
    expect(Date.now() - again).toBeLessThan(200);
    expect(silentRequests).toBe(5);
    client.destroy();
    other.destroy();
  }, 30_000);
});

describe('a store that stops answering, stopped', () => {
  it('cancels the request in flight when the run is stopped', async () => {
    silentRequests = 0;
    const stop = new AbortController();
    const client = standInClient({ stop: stop.signal });
    setTimeout(() => stop.abort(new Error('the run reached its timeout (timeout: 1s)')), 300);
    const started = Date.now();
    const events = await eventsOf(client, { stop: stop.signal });
    client.destroy();
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'listing-failed',
        error: expect.stringMatching(/^the run reached its timeout \(timeout: 1s\): stopped/),
      }),
    ]);
    expect(silentRequests).toBe(1);
    // Well before the 30 s a request may take: the stop, not a time limit, ended it.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("cancels a retry's wait when the run is stopped, as well as a request", async () => {
    throttledRequests.length = 0;
    const stop = new AbortController();
    const client = standInClient({ stop: stop.signal });
    // Stopped once the first attempt has been refused, while the SDK backs off.
    let stoppedAt = 0;
    const stopping = setInterval(() => {
      if (throttledRequests.length === 1 && stoppedAt === 0) {
        stoppedAt = Date.now();
        stop.abort(new Error('the job was cancelled (the runner sent SIGINT)'));
      }
    }, 5);
    const events = await eventsOf(client, { stop: stop.signal }, 'throttled');
    clearInterval(stopping);
    client.destroy();
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'listing-failed',
        error: expect.stringMatching(/^the job was cancelled \(the runner sent SIGINT\): stopped/),
      }),
    ]);
    // Throttling backs off 0.5, 1, 2, 4 s (with jitter) over 5 attempts: a wait left to
    // run out would make a second attempt and take seconds.
    expect(throttledRequests).toHaveLength(1);
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
  });
});
