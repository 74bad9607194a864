// An S3 stand-in in memory whose behaviour is known exactly. It holds N stale uploads and
// lists them in pages with both markers; an abort changes nothing, so every timed run meets
// the same N. It checks no signature. Without options it costs almost nothing (the ceiling
// profile: the client's own limit); with them it is one of the stores under load that
// __tests__/support/traffic-sim.ts models, for real, in real time:
//
//   --delay D          every answer D ms after its request (a store a region away)
//   --queue R          aborts served one after another, R a second, the rest queued in order
//                      (FIFO), half the delay on the way there and half on the way back
//   --slowdown R       aborts beyond R a second answered `503 SlowDown`, as S3 answers them
//                      (a token bucket holding --burst-ms of them, 20 ms by default)
//   --count-refused    with --slowdown: refused aborts use up the rate as well
//   --per-second N     an abort answered `503 SlowDown` when N were accepted within the last
//                      second (a sliding second, as per-user limits of self-hosted stores count)
//
// Listings are delayed like everything else but never queued nor refused: S3 throttles
// DELETE-class requests apart from listings, and the aborts are what is measured.
//
// Two requests outside S3's namespace (no bucket may be named `__stats`), for the benchmark
// between timed runs:
//   POST /__reset?uploads=N   zero the counts, hold N uploads from now on, in any bucket named
//   POST /__reset + a fleet   zero the counts, and from now on hold the buckets a JSON body
//                             describes (`FleetSpec`, bench/fleet-buckets.mjs): each its own
//                             uploads under its prefixes and, if given, its own throttle; the
//                             account's buckets are listed (ListBuckets) and counted apart
//   GET /__stats              what it served since the reset, as JSON (see `Stats`)
//
// Run as a script it prints `{"endpoint":"http://127.0.0.1:PORT"}` on one line once it
// listens, and serves until its stdin closes. The benchmark runs it in a process of its own,
// so that its event loop takes no time from the client measured (it does share the CPUs).
//
//   node bench/stand-in-store.mjs UPLOADS [--delay D] [--queue R | --slowdown R
//     [--count-refused] [--burst-ms B] | --per-second N]
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetOf } from './fleet-buckets.mjs';
import { byKeyThenId, listingPage } from './listing.mjs';
import { fifoQueue, slidingSecond, tokenBucket } from './throttles.mjs';
import { keyOf } from './store.mjs';

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>stand-in</RequestId><HostId>stand-in</HostId></Error>';
const NO_LIFECYCLE =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchLifecycleConfiguration</Code><Message>none</Message></Error>';

/**
 * @typedef {object} StoreOptions
 * @property {number} [delayMs] every answer this long after its request
 * @property {number} [queuePerSecond] aborts served one after another, this many a second
 * @property {number} [slowDownPerSecond] aborts beyond this many a second are refused
 * @property {boolean} [countRefused] refused aborts use up the rate as well
 * @property {number} [burstMs] the token bucket of --slowdown holds this long's worth
 * @property {number} [perSecond] aborts refused when this many were accepted in the last second
 *
 * @typedef {object} Stats what the store served since its last reset
 * @property {number} aborts abort requests received
 * @property {number} accepted aborts answered 204
 * @property {number} slowDowns aborts answered 503 SlowDown
 * @property {number} peakInFlight the most abort requests it held at once, unanswered
 * @property {number} otherRequests listings, the lifecycle read and anything else
 * @property {number | undefined} needed with --queue: the aborts in flight that keep it busy
 *   all the time (one being served, the rest on their way); more only wait in its queue
 * @property {number} cpuSeconds the store's own CPU time: on shared cores, it is not the
 *   client's, and says when the store itself may have been the bound
 * @property {Record<string, import('./fleet-buckets.mjs').BucketStats>} [buckets] with a
 *   fleet: each bucket's aborts, by name
 */

/**
 * @param {number} count uploads it holds until a reset says otherwise
 * @param {StoreOptions} [options]
 */
export async function startStandInStore(count, options = {}) {
  const { queuePerSecond, slowDownPerSecond, perSecond } = options;
  /** A fleet's own delay replaces the store's until the next reset. */
  let delayMs = options.delayMs ?? 0;
  const listings = listingsCache();
  /** @type {ReturnType<typeof fleetOf> | undefined} the buckets of the last reset, if any */
  let fleet;
  let uploads = count;
  /** @type {() => number} how long until an abort arriving now is answered */
  let abortDelay = () => delayMs;
  /** @type {() => boolean} whether an abort arriving now is accepted */
  let accepts = () => true;
  // R × (D + 1000 / R) / 1000, rounded up; exact in integers as ⌈R × D / 1000⌉ + 1.
  const needed = queuePerSecond ? Math.ceil((queuePerSecond * delayMs) / 1000) + 1 : undefined;
  /** @type {Omit<Stats, 'cpuSeconds'>} */
  let stats;
  let inFlight = 0;
  let cpuAtReset = process.cpuUsage();
  const reset = (/** @type {import('./fleet-buckets.mjs').FleetSpec | undefined} */ spec) => {
    cpuAtReset = process.cpuUsage();
    fleet = spec && fleetOf(spec);
    delayMs = spec?.delayMs ?? options.delayMs ?? 0;
    stats = { aborts: 0, accepted: 0, slowDowns: 0, peakInFlight: 0, otherRequests: 0, needed };
    if (queuePerSecond) abortDelay = fifoQueue(queuePerSecond, delayMs);
    if (slowDownPerSecond) accepts = tokenBucket(slowDownPerSecond, options);
    if (perSecond) accepts = slidingSecond(perSecond);
  };
  reset();

  /** Answers at once when there is no delay: the zero-cost store of the ceiling profile. */
  const later = (/** @type {number} */ afterMs, /** @type {() => void} */ answer) => {
    if (afterMs <= 0) answer();
    else setTimeout(answer, afterMs);
  };

  const server = createServer((request, response) => {
    if (request.url?.startsWith('/__reset') !== true) request.resume();
    const url = new URL(request.url ?? '/', 'http://store');
    const onBucket = url.pathname.split('/').filter(Boolean).length === 1;
    if (request.method === 'DELETE' && url.searchParams.has('uploadId')) {
      stats.aborts += 1;
      inFlight += 1;
      if (inFlight > stats.peakInFlight) stats.peakInFlight = inFlight;
      const bucket = fleet?.abort(url.pathname.split('/')[1] ?? '');
      const accepted = bucket ? bucket.accepted : accepts();
      later(abortDelay(), () => {
        inFlight -= 1;
        if (accepted) {
          stats.accepted += 1;
          response.writeHead(204).end();
        } else {
          stats.slowDowns += 1;
          response.writeHead(503, { 'Content-Type': 'application/xml' }).end(SLOW_DOWN);
        }
      });
      return;
    }
    if (url.pathname === '/__stats') {
      const cpu = process.cpuUsage(cpuAtReset);
      const body = JSON.stringify({
        ...stats,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        buckets: fleet?.stats(),
      });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      return;
    }
    if (url.pathname === '/__reset' && request.method === 'POST') {
      readBody(request).then((body) => {
        uploads = Number(url.searchParams.get('uploads') ?? uploads);
        reset(body ? JSON.parse(body) : undefined);
        response.writeHead(204).end();
      });
      return;
    }
    stats.otherRequests += 1;
    later(delayMs, () => {
      const listed = fleet?.answer(request.method ?? '', url);
      if (listed) {
        response.writeHead(listed.status, { 'Content-Type': 'application/xml' }).end(listed.xml);
      } else if (request.method === 'GET' && onBucket && url.searchParams.has('uploads')) {
        const page = listings.page(uploads, url.searchParams);
        response.writeHead(200, { 'Content-Type': 'application/xml' }).end(page);
      } else if (request.method === 'GET' && onBucket && url.searchParams.has('lifecycle')) {
        response.writeHead(404, { 'Content-Type': 'application/xml' }).end(NO_LIFECYCLE);
      } else {
        response.writeHead(501).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/** A request's body as text, empty if it has none. */
async function readBody(/** @type {import('node:http').IncomingMessage} */ request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

/** @typedef {import('./listing.mjs').Upload} Upload */

/** Listing pages of N uploads, by where they start and what they hold, rendered once. */
function listingsCache() {
  /** @type {Map<number, Upload[]>} */
  const sets = new Map();
  /** @type {Map<string, string>} */
  const pages = new Map();

  const uploadsOf = (/** @type {number} */ count) => {
    let uploads = sets.get(count);
    if (uploads === undefined) {
      uploads = Array.from({ length: count }, (_, i) => ({
        key: keyOf(i),
        uploadId: `upload-${String(i).padStart(8, '0')}`,
      })).sort(byKeyThenId);
      sets.set(count, uploads);
    }
    return uploads;
  };

  return {
    /**
     * @param {number} count
     * @param {URLSearchParams} query
     */
    page(count, query) {
      const uploads = uploadsOf(count);
      const id = `${count} ${query.get('key-marker')} ${query.get('upload-id-marker')} ${query.get('max-uploads')} ${query.get('encoding-type')}`;
      let xml = pages.get(id);
      if (xml === undefined) {
        xml = listingPage('bench', uploads, query);
        pages.set(id, xml);
      }
      return xml;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      delay: { type: 'string', default: '0' },
      queue: { type: 'string' },
      slowdown: { type: 'string' },
      'count-refused': { type: 'boolean', default: false },
      'burst-ms': { type: 'string', default: '20' },
      'per-second': { type: 'string' },
    },
  });
  const number = (/** @type {string | undefined} */ text) =>
    text === undefined ? undefined : Number(text);
  const store = await startStandInStore(Number(positionals[0] ?? 0), {
    delayMs: number(values.delay),
    queuePerSecond: number(values.queue),
    slowDownPerSecond: number(values.slowdown),
    countRefused: values['count-refused'],
    burstMs: number(values['burst-ms']),
    perSecond: number(values['per-second']),
  });
  console.log(JSON.stringify({ endpoint: store.endpoint }));
  process.stdin.on('end', () => process.exit(0)).resume();
}
