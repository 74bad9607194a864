import { describe, expect, it, jest } from '@jest/globals';
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { RunReport } from '../../src/report/report.js';
import {
  clean,
  engineClient,
  resultsOf,
  seedOldAndYoung,
  withResult,
  type TestPlan,
} from '../support/engine.js';
import { useFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { completeUpload, idsOf, remainingUploads, useStore } from '../support/store.js';

// The engine against the real store through a proxy that injects faults (see fault-proxy.ts).
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

const keys = (count: number, prefix = 'ci/') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i % 9).padStart(2, '0')}/part`);
const faultsIn = (log: FaultProxy['log'], fault: string) =>
  log.filter((entry) => entry.fault === fault).length;

describe('transient faults', () => {
  it('still aborts every selected upload, and none fails', async () => {
    const bucket = await newBucket('transient');
    const { old, young, cutoff } = await seedOldAndYoung(seeder, bucket, keys(24), ['ci/00/part']);
    let aborts = 0;
    const proxy = await startProxy((request) => {
      if (request.operation === 'list') {
        // Every page's first attempt breaks.
        return request.attempt === 0 ? { status: 500, code: 'InternalError' } : 'forward';
      }
      if (request.operation !== 'abort' || request.attempt > 0) return 'forward';
      // A share of the aborts is throttled or loses its connection on the first attempt.
      aborts += 1;
      if (aborts % 3 === 0) return { status: 503, code: 'SlowDown', message: 'Reduce your rate.' };
      if (aborts % 5 === 0) return 'reset';
      return 'forward';
    });
    proxy.latencyMs = 10;

    const plan: TestPlan = { cutoff, dryRun: false, concurrency: 8, pageSize: 5 };
    const events = await clean(engineClient(8, proxy.endpoint), { bucket, prefix: 'ci/' }, plan);

    expect(resultsOf(events)).toEqual(
      [...withResult(old, 'aborted'), ...withResult(young, 'kept')].sort(),
    );
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(young));
    // The faults did happen: each kind more than once.
    expect(faultsIn(proxy.log, 'InternalError')).toBeGreaterThan(4);
    expect(faultsIn(proxy.log, 'SlowDown')).toBeGreaterThan(4);
    expect(faultsIn(proxy.log, 'reset')).toBeGreaterThan(1);
  });
});

describe('permanent faults', () => {
  it('aborts nothing when every abort is denied, and counts each as failed', async () => {
    const bucket = await newBucket('denied-aborts');
    const { old, cutoff } = await seedOldAndYoung(seeder, bucket, keys(6), []);
    const proxy = await startProxy((request) =>
      request.operation === 'abort' ? { status: 403, code: 'AccessDenied' } : 'forward',
    );
    const plan: TestPlan = { cutoff, dryRun: false, concurrency: 4 };
    const events = await clean(engineClient(4, proxy.endpoint), { bucket, prefix: '' }, plan);

    const report = new RunReport();
    events.forEach((event) => report.record(event));
    expect(resultsOf(events)).toEqual(withResult(old, 'failed').sort());
    expect(report.totals).toMatchObject({ found: 6, matched: 6, aborted: 0, gone: 0, failed: 6 });
    expect(report.failureText).toBe('6 of 6 aborts failed');
    for (const event of events) {
      expect(event.error).toBe(
        `AccessDenied: the credentials need s3:AbortMultipartUpload on arn:aws:s3:::${bucket}/*`,
      );
    }
    // Denied is not retried: one attempt per upload.
    expect(proxy.log.filter((entry) => entry.operation === 'abort')).toHaveLength(6);
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(old));
  });

  it('handles the uploads listed before a listing breaks for good, then reports it', async () => {
    const bucket = await newBucket('half-listed');
    const { old, cutoff } = await seedOldAndYoung(seeder, bucket, keys(9), []);
    // The first page answers; every later page (one with a marker) fails on every attempt.
    const proxy = await startProxy((request) =>
      request.operation === 'list' && request.query.has('key-marker')
        ? { status: 500, code: 'InternalError', message: 'We encountered an internal error.' }
        : 'forward',
    );
    const plan: TestPlan = { cutoff, dryRun: false, concurrency: 4, pageSize: 3 };
    const events = await clean(engineClient(4, proxy.endpoint), { bucket, prefix: '' }, plan);

    const report = new RunReport();
    events.forEach((event) => report.record(event));
    const handled = events.flatMap((e) => (e.kind === 'upload' ? [e] : []));
    expect(handled).toHaveLength(3);
    expect(handled.every((e) => e.result === 'aborted')).toBe(true);
    expect(events.at(-1)).toEqual({
      kind: 'listing-failed',
      target: { bucket, prefix: '' },
      error: 'InternalError, HTTP 500: We encountered an internal error.',
    });
    expect(report.totals).toMatchObject({ found: 3, aborted: 3, failed: 1 });
    expect(report.failureText).toBe('1 listing failed');
    expect(await remainingUploads(seeder, bucket)).toHaveLength(old.length - 3);
  });
});

describe('races with other clients', () => {
  it('counts uploads completed or aborted by someone else after the listing as gone', async () => {
    const bucket = await newBucket('races');
    const { old, cutoff } = await seedOldAndYoung(
      seeder,
      bucket,
      ['race/completed', 'race/aborted', 'race/mine'],
      [],
    );
    const byKey = (key: string) => old.find((upload) => upload.key === key)!;
    // Just before our abort of an upload reaches the store, another client finishes it.
    const proxy = await startProxy(async (request): Promise<Fault> => {
      if (request.operation === 'abort' && request.attempt === 0) {
        if (request.key === 'race/completed') {
          await completeUpload(seeder, bucket, byKey(request.key));
        } else if (request.key === 'race/aborted') {
          await seeder.send(
            new AbortMultipartUploadCommand({
              Bucket: bucket,
              Key: request.key,
              UploadId: request.uploadId,
            }),
          );
        }
      }
      return 'forward';
    });
    const plan: TestPlan = { cutoff, dryRun: false, concurrency: 3 };
    const events = await clean(engineClient(3, proxy.endpoint), { bucket, prefix: 'race/' }, plan);

    expect(resultsOf(events)).toEqual(
      [
        `race/aborted#${byKey('race/aborted').uploadId} gone`,
        `race/completed#${byKey('race/completed').uploadId} gone`,
        `race/mine#${byKey('race/mine').uploadId} aborted`,
      ].sort(),
    );
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
  });
});
