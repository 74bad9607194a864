import { describe, expect, it, jest } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeCore } from '../support/core.js';
import { useLocalServer } from '../support/local-server.js';
import { useRunnerTemp } from '../support/runner-temp.js';

// The whole run, through the SDK's pipeline, against a stand-in store whose clock is hours
// off this machine's: its Date header says so, and its uploads' Initiated are its own time.
// Ages are measured by the store's clock, whichever way it is off. As Amazon S3 does, it
// refuses a request signed more than 15 minutes away from its own time: so an abort that
// leaves the SDK's pipeline must still be signed by the store's clock.
const HOUR_MS = 3600_000;
const MAX_SKEW_MS = 15 * 60_000;
let storeClockOffsetMs = 0;
let uploads: Array<{ key: string; initiated: Date }> = [];
const aborted: string[] = [];

/** `x-amz-date` (20261130T221500Z) as a time. */
const signedAt = (request: IncomingMessage) =>
  Date.parse(
    String(request.headers['x-amz-date'] ?? '').replace(
      /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
      '$1-$2-$3T$4:$5:$6Z',
    ),
  );

function respond(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const storeNow = Date.now() + storeClockOffsetMs;
  const date = new Date(storeNow).toUTCString();
  if (!(Math.abs(signedAt(request) - storeNow) <= MAX_SKEW_MS)) {
    response.writeHead(403, { Date: date, 'Content-Type': 'application/xml' });
    response.end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>',
    );
    return;
  }
  if (request.method === 'DELETE' && url.searchParams.has('uploadId')) {
    aborted.push(decodeURIComponent(url.pathname.split('/').slice(2).join('/')));
    response.writeHead(204, { Date: date });
    response.end();
    return;
  }
  const entries = uploads.map(
    ({ key, initiated }) =>
      `<Upload><Key>${key}</Key><UploadId>id-${key}</UploadId><Initiated>${initiated.toISOString()}</Initiated></Upload>`,
  );
  response.writeHead(200, { Date: date, 'Content-Type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><IsTruncated>false</IsTruncated>${entries.join('')}</ListMultipartUploadsResult>`,
  );
}

const standIn = useLocalServer(respond);
useRunnerTemp();
const fake = fakeCore();
jest.unstable_mockModule('@actions/core', () => fake.core);
const { run } = await import('../../src/main.js');

describe("ages by the store's clock", () => {
  it.each([
    ['ahead of', 3 * HOUR_MS],
    ['behind', -3 * HOUR_MS],
  ])('aborts by the store’s clock when it is 3h %s the runner’s', async (direction, offsetMs) => {
    storeClockOffsetMs = offsetMs;
    const storeNow = Date.now() + offsetMs;
    // By the runner's clock, `stale` is an hour in the future when the store is ahead, and
    // `fresh` hours old when it is behind: only the store's clock tells them apart.
    uploads = [
      { key: 'stale', initiated: new Date(storeNow - 2 * HOUR_MS) },
      { key: 'fresh', initiated: new Date(storeNow - HOUR_MS / 2) },
    ];
    aborted.length = 0;
    fake.useInputs(
      {
        bucket: 'b',
        endpoint: standIn.endpoint,
        'force-path-style': 'true',
        'max-age': '1h',
        'check-lifecycle': 'false',
      },
      {},
    );
    await run();
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(aborted).toEqual(['stale']);
    expect(fake.outputs()).toMatchObject({ 'found-count': '2', 'aborted-count': '1' });
    expect(fake.logged()).toMatch(
      // The Date header has whole seconds: 3h ahead may read as 2h 59m 59s.
      new RegExp(`The store's clock is (3h|2h 59m) ${direction} this runner's;`),
    );
  });
});
