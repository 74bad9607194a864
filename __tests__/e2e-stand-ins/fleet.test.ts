import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { paragraph, summaryDom, tableAfter } from '../support/github-markdown.js';
import { logGroups } from '../support/log-groups.js';
import { runAction, type StepOptions } from '../support/runner.js';
import { startS3StandIn, type S3StandIn, type StandInRequest } from '../support/s3-stand-ins.js';
import { storeLoad } from '../support/store-load.js';

// dist/index.js cleaning a fleet of buckets, several targets at once, as the runner runs it:
// one bucket throttles, and the job is cancelled part-way. What is checked is what the store
// did, the log as GitHub folds it and the summary as GitHub renders it.
jest.setTimeout(30_000);

let store: S3StandIn | undefined;
afterEach(() => store?.close());

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDSTANDIN', AWS_SECRET_ACCESS_KEY: 'stand-in-secret' };
const PREFIXES = ['ci/', 'tmp/'];
/** Listed first: the target cleaned first, and the slowest to finish. */
const HOT = 'fleet-hot';

/** The hot bucket, then `others` more, in the order of the `bucket` input. */
const fleetOf = (others: number) => [
  HOT,
  ...Array.from({ length: others }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`),
];
const targetsOf = (buckets: string[]) =>
  buckets.flatMap((bucket) => PREFIXES.map((prefix) => ({ bucket, prefix })));
const describeTarget = ({ bucket, prefix }: { bucket: string; prefix: string }) =>
  `s3://${bucket}/${prefix}`;
/** A key that says its target: `ci/fleet-03/7.bin` is in s3://fleet-03/ci/. */
const keyOf = (bucket: string, prefix: string, i: number) => `${prefix}${bucket}/${i}.bin`;

const isAbort = (request: StandInRequest) =>
  request.method === 'DELETE' && request.query.has('uploadId');

async function seededFleet(buckets: string[], uploadsPerTarget: number) {
  store = await startS3StandIn();
  for (const { bucket, prefix } of targetsOf(buckets)) {
    const keys = Array.from({ length: uploadsPerTarget }, (_, i) => keyOf(bucket, prefix, i));
    store.seed(bucket, keys);
  }
  return store;
}

const cleanUp = (
  standIn: S3StandIn,
  buckets: string[],
  whileRunning?: StepOptions['whileRunning'],
) =>
  runAction(
    {
      endpoint: standIn.endpoint,
      'force-path-style': 'true',
      bucket: buckets.join('\n'),
      prefix: PREFIXES.join('\n'),
      'max-age': '30m',
      'check-lifecycle': 'false',
    },
    // Debug logging: every aborted upload is a line of its target's group.
    { ...credentials, RUNNER_DEBUG: '1' },
    { whileRunning },
  );

/** The target a line of the log is about, if it names one: by an upload's key, or its counts. */
function targetOfLine(line: string): string | undefined {
  const key = /"(ci\/|tmp\/)(fleet-[a-z0-9]+)\/\d+\.bin"/.exec(line);
  if (key) return describeTarget({ bucket: key[2], prefix: key[1] });
  return /^(s3:\/\/\S+): found /.exec(line)?.[1];
}

/**
 * The log's groups are well formed, one for each target in the input's order, and each
 * holds its own target's lines and no other's; no target's line is outside its group.
 */
function expectOneGroupEachInOrder(stdout: string, buckets: string[]) {
  const { groups, outside, malformed } = logGroups(stdout);
  expect(malformed).toEqual([]);
  const targets = targetsOf(buckets).map(describeTarget);
  expect(groups.map((group) => group.title)).toEqual(targets.map((t) => `Cleaning ${t}`));
  for (const [i, group] of groups.entries()) {
    const strangers = group.lines.filter(
      (line) => (targetOfLine(line) ?? targets[i]) !== targets[i],
    );
    expect({ group: group.title, strangers }).toEqual({ group: group.title, strangers: [] });
  }
  expect(outside.filter((line) => targetOfLine(line) !== undefined)).toEqual([]);
  return groups;
}

/** The summary's table of targets, as GitHub renders it: bucket, prefix and the rest. */
const targetRows = (summary: string) =>
  tableAfter(summaryDom(summary), 'By bucket and prefix').slice(1);

describe('dist/index.js cleaning a fleet', () => {
  it('paces the one bucket that throttles, keeps the log groups whole and the input order', async () => {
    const buckets = fleetOf(11);
    const uploadsPerTarget = 15;
    const standIn = await seededFleet(buckets, uploadsPerTarget);
    const seeded = standIn.uploads.length;
    // Only the hot bucket refuses, beyond 20 aborts a second; every answer takes 10 ms.
    const load = storeLoad({ delayMs: 10, slowDownAbove: 20, slowDownBuckets: [HOT] });
    standIn.load = load.load;

    const run = await cleanUp(standIn, buckets);

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'aborted-count': String(seeded), 'failed-count': '0' });
    expect(standIn.uploads).toEqual([]);
    expect([...load.slowDownsByBucket.keys()]).toEqual([HOT]);

    const groups = expectOneGroupEachInOrder(run.stdout, buckets);
    for (const group of groups) {
      expect(group.lines.filter((line) => line.startsWith('::debug::aborted: '))).toHaveLength(
        uploadsPerTarget,
      );
    }

    const aborted = String(uploadsPerTarget);
    expect(targetRows(run.summary)).toEqual(
      targetsOf(buckets).map(({ bucket, prefix }) => [
        bucket,
        prefix,
        aborted,
        aborted,
        aborted,
        '0',
        '0',
      ]),
    );

    const refused = load.slowDownsByBucket.get(HOT) ?? 0;
    // Paced from what it accepted, not from the whole run's rate: fewer refusals than uploads.
    expect(refused).toBeLessThan(uploadsPerTarget * PREFIXES.length);
    const note = `The store sent ${refused} throttling answers (SlowDown) for bucket ${HOT}: its aborts slowed to the pace it accepted`;
    const others = `The other ${buckets.length - 1} buckets kept their own pace.`;
    const logNote =
      run.stdout.split('\n').find((line) => line.startsWith('Aborts in flight:')) ?? '';
    const summaryNote = paragraph(summaryDom(run.summary), '🐢');
    for (const text of [logNote, summaryNote]) {
      expect(text).toContain(note);
      expect(text).toContain(others);
      expect(text.match(/fleet-[a-z0-9]+/g)).toEqual([HOT]);
    }
  });

  it('stops every target on SIGINT within 2 s, and reports what the store did', async () => {
    const buckets = fleetOf(39);
    const standIn = await seededFleet(buckets, 10);
    const seeded = standIn.uploads.length;
    // The hot bucket answers at once but takes 5 aborts a second: its aborts wait for its
    // pace. Every fourth other bucket takes 3 s for an abort, longer than the step has to end
    // in (those in flight are cut); the rest 50 ms.
    const hotLoad = storeLoad({ delayMs: 10, slowDownAbove: 5, slowDownBuckets: [HOT] });
    const slow = new Set(buckets.filter((_, i) => i % 4 === 1));
    standIn.load = async (request) => {
      if (request.bucket === HOT) return hotLoad.load(request);
      const delayMs = isAbort(request) && slow.has(request.bucket) ? 3000 : 50;
      // Unreferenced: a delay still running when the test ends must not keep jest waiting.
      await sleep(delayMs, undefined, { ref: false });
      return undefined;
    };
    const applied = () => seeded - standIn.uploads.length;

    let signalledAt = 0;
    let exitedAt = 0;
    const run = await cleanUp(standIn, buckets, async (step) => {
      const exited = once(step, 'exit').then(() => (exitedAt = Date.now()));
      // Mid-way: the first answers of the slow buckets are in, the hot bucket is paced, and
      // more aborts are in flight or waiting.
      while (!(hotLoad.slowDowns > 0 && applied() >= 30)) await sleep(20);
      signalledAt = Date.now();
      step.kill('SIGINT');
      await exited;
    });

    expect(exitedAt - signalledAt).toBeLessThan(2000);
    expect(run.exitCode).toBe(1);
    const aborted = Number(run.outputs['aborted-count']);
    expect(aborted).toBeLessThan(seeded);
    const lines = run.report
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { result: string; error?: string });
    expect(lines.filter((line) => line.result === 'aborted')).toHaveLength(aborted);
    // The aborts cut in flight are the ones the store never answered (it carries out none of
    // them) and the ones whose answer was on its way: those it did carry out, uncounted.
    const cut = lines.filter((line) => line.error?.includes('before the store answered'));
    const neverAnswered = standIn.hungUp.filter(isAbort).length;
    expect(neverAnswered).toBeGreaterThan(0);
    // What it says it aborted, the store did; and what the store did besides, it says it cut.
    expect(aborted).toBeLessThanOrEqual(applied());
    expect(applied() - aborted).toBe(cut.length - neverAnswered);

    const cancelled = 'Stopped: the job was cancelled (the runner sent SIGINT)';
    expect(run.stdout).toContain(`::error::${cancelled}; `);
    expect(run.summary).toContain(`❌ **${cancelled}; `);
    expect(run.summary).toContain(`Aborted ${aborted} stale upload`);
    // Every target is in the summary, in the input's order, started or not.
    const rows = targetRows(run.summary);
    expect(rows.map(([bucket, prefix]) => [bucket, prefix])).toEqual(
      targetsOf(buckets).map(({ bucket, prefix }) => [bucket, prefix]),
    );
    expect(rows.reduce((sum, row) => sum + Number(row[4]), 0)).toBe(aborted);
    expectOneGroupEachInOrder(run.stdout, buckets);
  });
});
