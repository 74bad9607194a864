import { describe, expect, it } from '@jest/globals';
import {
  AbortMultipartUploadCommand,
  type AbortMultipartUploadCommandInput,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkAbortSender } from '../../src/engine/abort/senders.js';
import { cleanTarget, isStale, type CleanupPlan } from '../../src/engine/cleanup.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import type { CleanupEvent } from '../../src/engine/types.js';
import { s3Error } from '../support/s3-errors.js';
import { listed } from '../support/uploads.js';

const cutoff = new Date('2026-06-01T00:00:00Z');
const old = new Date('2026-05-01T00:00:00Z');
const young = new Date('2026-06-01T00:00:01Z');
const target = { bucket: 'b', prefix: 'pre/' };
type Options = Partial<Omit<CleanupPlan, 'traffic'>> & { concurrency?: number };

/**
 * The engine's outcomes with the SDK's own abort command, which aws-sdk-client-mock can
 * answer (the lean path is tested against stand-in and real stores).
 */
async function eventsOf(client: S3Client, { concurrency = 4, ...options }: Options = {}) {
  const plan: CleanupPlan = {
    cutoff,
    dryRun: false,
    traffic: AbortTraffic.for(concurrency, options.stop),
    sendAbort: sdkAbortSender(client, target.bucket),
    ...options,
  };
  const events: CleanupEvent[] = [];
  for await (const event of cleanTarget(client, target, plan)) events.push(event);
  return events;
}

/** Each event as one sorted line: `key#uploadId result[: error]` or `listing failed: …`. */
async function run(client: S3Client, options: Options = {}): Promise<string[]> {
  const events = await eventsOf(client, options);
  return events
    .map((event) =>
      event.kind === 'upload'
        ? `${event.upload.key}#${event.upload.uploadId} ${event.result}${event.error ? `: ${event.error}` : ''}`
        : `listing failed: ${event.error}`,
    )
    .sort();
}

const abortedIds = (s3: ReturnType<typeof mockClient>) =>
  s3.commandCalls(AbortMultipartUploadCommand).map((call) => {
    const { Bucket, Key, UploadId } = call.args[0].input as AbortMultipartUploadCommandInput;
    return `${Bucket}/${Key}#${UploadId}`;
  });

describe('isStale', () => {
  it.each([
    [old, true],
    [cutoff, true],
    [young, false],
    [undefined, false],
  ])('initiated %s is stale: %s', (initiated, stale) => {
    expect(isStale({ key: 'k', uploadId: 'u', initiated }, cutoff)).toBe(stale);
  });
});

describe('cleanTarget', () => {
  it('aborts exactly the stale uploads under the prefix, each by its own key and id', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        listed('pre', 'outside', old), // Swift returns `pre` for the prefix `pre/`
        listed('pre/shared', 'old-1', old),
        listed('pre/shared', 'young-1', young),
        listed('pre/shared', 'old-2', cutoff),
        { Key: 'pre%2Fundated', UploadId: 'undated' },
      ],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    expect(await run(new S3Client({ region: 'us-east-1' }))).toEqual([
      'pre/shared#old-1 aborted',
      'pre/shared#old-2 aborted',
      'pre/shared#young-1 kept',
      'pre/undated#undated kept',
    ]);
    expect(abortedIds(s3).sort()).toEqual(['b/pre/shared#old-1', 'b/pre/shared#old-2']);
  });

  it('aborts nothing in a dry run', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('pre/a', '1', old), listed('pre/b', '2', young)],
    });
    expect(await run(new S3Client({ region: 'us-east-1' }), { dryRun: true })).toEqual([
      'pre/a#1 would-abort',
      'pre/b#2 kept',
    ]);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('counts an upload that vanished meanwhile as gone, and other errors as failed', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        listed('pre/a', '1', old),
        listed('pre/b', '2', old),
        listed('pre/c', '3', old),
        listed('pre/d', '4', old),
      ],
    });
    s3.on(AbortMultipartUploadCommand, { Key: 'pre/a' })
      .rejects(s3Error('NoSuchUpload', 404, 'The specified upload does not exist.'))
      // Swift's answer for an upload that was completed meanwhile.
      .on(AbortMultipartUploadCommand, { Key: 'pre/d' })
      .rejects(s3Error('NoSuchKey', 404, 'The specified key does not exist.'))
      .on(AbortMultipartUploadCommand, { Key: 'pre/b' })
      .rejects(s3Error('AccessDenied', 403, 'Access Denied'))
      .on(AbortMultipartUploadCommand, { Key: 'pre/c' })
      .resolves({});
    expect(await run(new S3Client({ region: 'us-east-1' }))).toEqual([
      'pre/a#1 gone',
      'pre/b#2 failed: AccessDenied: the credentials need s3:AbortMultipartUpload on arn:aws:s3:::b/*',
      'pre/c#3 aborted',
      'pre/d#4 gone',
    ]);
  });

  it('starts nothing once stopped, cancels aborts in flight, and says why', async () => {
    const s3 = mockClient(S3Client);
    const stop = new AbortController();
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: Array.from({ length: 10 }, (_, i) => listed(`pre/${i}`, String(i), old)),
    });
    let started = 0;
    // The first two aborts answer; the third hangs until the run is stopped, and then fails
    // as the SDK fails a cancelled request (the real cancellation: s3-client.test.ts).
    s3.on(AbortMultipartUploadCommand).callsFake(
      () =>
        new Promise((resolve, reject) => {
          started += 1;
          if (started <= 2) return resolve({});
          stop.signal.addEventListener('abort', () => reject(new Error('Request aborted')));
          stop.abort(new Error('the run reached its timeout (timeout: 5m)'));
        }),
    );
    const outcomes = await run(new S3Client({ region: 'us-east-1' }), {
      concurrency: 1,
      stop: stop.signal,
    });
    expect(outcomes).toEqual([
      'listing failed: the run reached its timeout (timeout: 5m): stopped before this target was finished; uploads not yet listed or aborted were left alone',
      'pre/0#0 aborted',
      'pre/1#1 aborted',
      'pre/2#2 failed: the run reached its timeout (timeout: 5m) before the store answered this abort (it may or may not have taken effect)',
    ]);
    expect(started).toBe(3);
  });

  it('lists nothing for a target when the run is already stopped', async () => {
    const s3 = mockClient(S3Client);
    const stop = new AbortController();
    stop.abort(new Error('the run reached its timeout (timeout: 1s)'));
    expect(await run(new S3Client({ region: 'us-east-1' }), { stop: stop.signal })).toEqual([
      'listing failed: the run reached its timeout (timeout: 1s): stopped before this target was finished; uploads not yet listed or aborted were left alone',
    ]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('handles what was listed before a listing failure, then reports the failure', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ Uploads: [listed('pre/a', '1', old)], IsTruncated: true })
      .rejects(s3Error('AccessDenied', 403));
    s3.on(AbortMultipartUploadCommand).resolves({});
    expect(await run(new S3Client({ region: 'us-east-1' }))).toEqual([
      'listing failed: AccessDenied: the credentials need s3:ListBucketMultipartUploads on arn:aws:s3:::b',
      'pre/a#1 aborted',
    ]);
  });

  it('keeps at most `concurrency` aborts in flight', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: Array.from({ length: 50 }, (_, i) => listed(`pre/${i}`, String(i), old)),
    });
    let inFlight = 0;
    let peak = 0;
    s3.on(AbortMultipartUploadCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return {};
    });
    const outcomes = await run(new S3Client({ region: 'us-east-1' }), { concurrency: 5 });
    expect(outcomes.filter((line) => line.endsWith('aborted'))).toHaveLength(50);
    expect(peak).toBe(5);
  });

  it('never aborts an excluded key, and counts the stale ones as excluded', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        listed('pre/keep-1', '1', old),
        listed('pre/keep-2', '2', young),
        listed('pre/drop', '3', old),
      ],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const isExcluded = (key: string) => key.includes('keep');
    expect(await run(new S3Client({ region: 'us-east-1' }), { isExcluded })).toEqual([
      'pre/drop#3 aborted',
      'pre/keep-1#1 excluded',
      'pre/keep-2#2 kept',
    ]);
    expect(abortedIds(s3)).toEqual(['b/pre/drop#3']);
  });

  it('starts no more aborts than the budget allows, and leaves the rest', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: Array.from({ length: 10 }, (_, i) => listed(`pre/${i}`, String(i), old)),
    });
    s3.on(AbortMultipartUploadCommand)
      .resolves({})
      .on(AbortMultipartUploadCommand, { Key: 'pre/1' })
      .rejects(s3Error('NoSuchUpload', 404));
    const budget = { remaining: 4 };
    const outcomes = await run(new S3Client({ region: 'us-east-1' }), { budget, concurrency: 3 });
    expect(outcomes.filter((line) => line.endsWith(' left'))).toHaveLength(6);
    expect(outcomes.filter((line) => / (aborted|gone)$/.test(line))).toHaveLength(4);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(4);
    expect(budget.remaining).toBe(0);
  });

  it('measures each stale upload through every ListParts page before aborting it', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('pre/a', '1', old), listed('pre/b', '2', old), listed('pre/c', '3', young)],
    });
    s3.on(ListPartsCommand, { Key: 'pre/a', PartNumberMarker: undefined })
      .resolves({ Parts: [{ Size: 5 }, { Size: 7 }], IsTruncated: true, NextPartNumberMarker: '2' })
      .on(ListPartsCommand, { Key: 'pre/a', PartNumberMarker: '2' })
      .resolves({ Parts: [{ Size: 11 }], IsTruncated: false })
      // Completed by someone else after the listing: no abort is sent.
      .on(ListPartsCommand, { Key: 'pre/b' })
      .rejects(s3Error('NoSuchUpload', 404));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const events = await eventsOf(new S3Client({ region: 'us-east-1' }), { measureSize: true });
    const byKey = Object.fromEntries(
      events.map((e) => (e.kind === 'upload' ? [e.upload.key, [e.result, e.size]] : ['', []])),
    );
    expect(byKey).toEqual({
      'pre/a': ['aborted', { parts: 3, bytes: 23 }],
      'pre/b': ['gone', undefined],
      'pre/c': ['kept', undefined],
    });
    expect(abortedIds(s3)).toEqual(['b/pre/a#1']);
    expect(s3.commandCalls(ListPartsCommand)).toHaveLength(3);
  });

  it('still aborts an upload whose size cannot be measured, and says why', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('pre/a', '1', old)] });
    s3.on(ListPartsCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const events = await eventsOf(new S3Client({ region: 'us-east-1' }), { measureSize: true });
    expect(events).toEqual([
      expect.objectContaining({
        result: 'aborted',
        size: undefined,
        sizeError:
          'AccessDenied: the credentials need s3:ListMultipartUploadParts on arn:aws:s3:::b/*',
      }),
    ]);
  });

  it('leaves the size unknown, not failed, when the run stops while measuring', async () => {
    const s3 = mockClient(S3Client);
    const stop = new AbortController();
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('pre/a', '1', old)] });
    s3.on(ListPartsCommand).callsFake(() => {
      stop.abort(new Error('the run reached its timeout (timeout: 1s)'));
      throw new Error('Request aborted');
    });
    const events = await eventsOf(new S3Client({ region: 'us-east-1' }), {
      measureSize: true,
      stop: stop.signal,
    });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    expect(events).toEqual([
      expect.objectContaining({
        result: 'failed',
        error: 'the run reached its timeout (timeout: 1s) before this abort was sent',
        sizeError: undefined,
      }),
    ]);
  });
});

describe('targets cleaned at once', () => {
  it('share one limit exactly, and one bound on requests in flight, however they race', async () => {
    const s3 = mockClient(S3Client);
    const buckets = ['b0', 'b1', 'b2', 'b3', 'b4'];
    for (const bucket of buckets) {
      s3.on(ListMultipartUploadsCommand, { Bucket: bucket }).resolves({
        Uploads: Array.from({ length: 40 }, (_, i) => listed(`pre/${i}`, `${bucket}-${i}`, old)),
      });
    }
    // Answers in any order, some after others started: the budget is taken before each wait.
    let inFlight = 0;
    let peakInFlight = 0;
    const later = async <T>(value: T) => {
      peakInFlight = Math.max(peakInFlight, (inFlight += 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      inFlight -= 1;
      return value;
    };
    s3.on(ListPartsCommand).callsFake(() => later({ Parts: [{ Size: 1 }], IsTruncated: false }));
    s3.on(AbortMultipartUploadCommand).callsFake(() => later({}));
    const client = new S3Client({ region: 'us-east-1' });
    const traffic = AbortTraffic.for(16);
    const budget = { remaining: 37 };
    const clean = async (bucket: string) => {
      const events: CleanupEvent[] = [];
      const plan = {
        cutoff,
        dryRun: false,
        traffic,
        budget,
        measureSize: true,
        sendAbort: sdkAbortSender(client, bucket),
      };
      for await (const event of cleanTarget(client, { bucket, prefix: 'pre/' }, plan)) {
        events.push(event);
      }
      return events;
    };
    const events = (await Promise.all(buckets.map(clean))).flat();

    const results = events.map((event) => (event.kind === 'upload' ? event.result : event.kind));
    expect(results.filter((result) => result === 'aborted')).toHaveLength(37);
    expect(results.filter((result) => result === 'left')).toHaveLength(200 - 37);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(37);
    expect(budget.remaining).toBe(0);
    // Size reads and aborts, for all the targets together.
    expect(peakInFlight).toBe(16);
  });
});
