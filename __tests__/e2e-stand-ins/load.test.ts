import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { paragraph, summaryDom } from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import { startS3StandIn, type S3StandIn } from '../support/s3-stand-ins.js';
import { storeLoad } from '../support/store-load.js';

// dist/index.js against stores under load, in real time: one a region away, one that serves
// a few hundred requests a second, one that throttles. What is checked is what the store
// saw and what the action reported, not how long it took (that is the benchmark's job).
jest.setTimeout(90_000);

let store: S3StandIn | undefined;
afterEach(() => store?.close());

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDSTANDIN', AWS_SECRET_ACCESS_KEY: 'stand-in-secret' };

async function seededStore(count: number, load: ReturnType<typeof storeLoad>) {
  store = await startS3StandIn();
  store.load = load.load;
  const keys = Array.from({ length: count }, (_, i) => `ci/run-${i % 7}/${i}.bin`);
  store.seed('loaded', keys, { initiated: new Date(Date.now() - 3600_000) });
  return store;
}

const cleanUp = (standIn: S3StandIn, inputs: Record<string, string> = {}) =>
  runAction(
    {
      endpoint: standIn.endpoint,
      'force-path-style': 'true',
      bucket: 'loaded',
      'max-age': '30m',
      'check-lifecycle': 'false',
      ...inputs,
    },
    credentials,
  );

describe('dist/index.js under load', () => {
  it('keeps more than 32 aborts in flight, by default, where every answer takes 80 ms', async () => {
    const load = storeLoad({ delayMs: 80 });
    const standIn = await seededStore(3_000, load);
    const run = await cleanUp(standIn);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '3000', 'failed-count': '0' });
    expect(standIn.uploads).toHaveLength(0);
    // A fixed 32 would hold 32; auto climbs while aborts a second rise with it.
    expect(load.peakAbortsInFlight).toBeGreaterThan(48);
    const settled = Number(
      /Aborts in flight: settled on (\d+) \(concurrency: auto\)\./.exec(run.stdout)?.[1],
    );
    expect(settled).toBeGreaterThan(32);
    expect(paragraph(summaryDom(run.summary), 'octo/cleanup-test · integration #17')).toContain(
      `${settled} aborts in flight (concurrency auto)`,
    );
  });

  it('holds at most twice what a store serving 300 requests a second needs', async () => {
    // 300 a second, 30 ms away: 10 in flight keep it busy (300 × 33 ms); more only queue.
    const needed = 10;
    const load = storeLoad({ delayMs: 30, servePerSecond: 300 });
    const standIn = await seededStore(900, load);
    const run = await cleanUp(standIn);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '900', 'failed-count': '0' });
    expect(load.peakAbortsInFlight).toBeLessThanOrEqual(2 * needed);
  });

  it('slows down for a store that throttles, fails no upload, and says so', async () => {
    // SlowDown beyond 400 aborts a second, refusals counted against the rate: the harshest.
    const load = storeLoad({ delayMs: 20, slowDownAbove: 400, countRefused: true });
    const standIn = await seededStore(2_000, load);
    const run = await cleanUp(standIn, { concurrency: '256' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': '2000', 'failed-count': '0' });
    expect(standIn.uploads).toHaveLength(0);
    expect(load.slowDowns).toBeGreaterThan(0);
    expect(run.stdout).toContain(
      `Aborts in flight: at most 256 (concurrency: 256). The store sent ${load.slowDowns} throttling answers (SlowDown): the run slowed to the pace it accepted, retried each refused abort`,
    );
    expect(paragraph(summaryDom(run.summary), '🐢')).toMatch(
      new RegExp(`^🐢 The store sent ${load.slowDowns} throttling answers \\(SlowDown\\)`),
    );
  });
});
