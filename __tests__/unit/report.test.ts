import { describe, expect, it } from '@jest/globals';
import type { CleanupEvent, Target, UploadResult } from '../../src/engine/types.js';
import { formatBytes, formatCounts, RunReport } from '../../src/report/report.js';

const a: Target = { bucket: 'a', prefix: '' };
const b: Target = { bucket: 'b', prefix: 'ci/' };
const outcome = (
  target: Target,
  key: string,
  result: UploadResult,
  error?: string,
): CleanupEvent => ({
  kind: 'upload',
  target,
  upload: { key, uploadId: `id-${key}`, initiated: new Date(0) },
  result,
  error,
});

describe('RunReport', () => {
  it('counts per target and in total', () => {
    const report = new RunReport();
    report.addTarget(a);
    report.addTarget(b);
    for (const event of [
      outcome(a, 'k1', 'kept'),
      outcome(a, 'k2', 'aborted'),
      outcome(a, 'k3', 'gone'),
      outcome(b, 'k4', 'failed', 'AccessDenied'),
      outcome(b, 'k5', 'aborted'),
      { kind: 'listing-failed', target: b, error: 'InternalError' } as const,
    ]) {
      report.record(event);
    }
    const none = { excluded: 0, foreign: 0, left: 0, parts: 0, bytes: 0 };
    expect(report.totals).toEqual({
      found: 5,
      matched: 4,
      aborted: 2,
      gone: 1,
      failed: 2,
      ...none,
    });
    expect(report.targets.map((t) => t.counts)).toEqual([
      { found: 3, matched: 2, aborted: 1, gone: 1, failed: 0, ...none },
      { found: 2, matched: 2, aborted: 1, gone: 0, failed: 2, ...none },
    ]);
    expect(report.targets[1].listingError).toBe('InternalError');
    expect(report.failureText).toBe('1 of 4 aborts failed, 1 listing failed');
    expect(report.rows.map((row) => row.upload.key)).toEqual(['k4', 'k2', 'k3', 'k5']);
  });

  it('counts would-abort as selected, not aborted', () => {
    const report = new RunReport();
    report.record(outcome(a, 'k', 'would-abort'));
    expect(report.totals).toMatchObject({ found: 1, matched: 1, aborted: 0, gone: 0, failed: 0 });
    expect(report.failureText).toBeUndefined();
  });

  it('caps the rows it keeps, preferring failures, and counts the rest', () => {
    const report = new RunReport(3);
    for (let i = 0; i < 5; i += 1) report.record(outcome(a, `ok-${i}`, 'aborted'));
    report.record(outcome(a, 'bad-1', 'failed', 'x'));
    report.record(outcome(a, 'bad-2', 'failed', 'x'));
    expect(report.rows.map((row) => row.upload.key)).toEqual(['bad-1', 'bad-2', 'ok-0']);
    expect(report.omittedRows).toBe(4);
    expect(report.totals.matched).toBe(7);
  });

  it('keeps, once full, the rows of the earlier targets, whichever target sent its rows first', () => {
    // Targets cleaned at once: b's rows come first, then a's, which is listed before it.
    const report = new RunReport(3);
    report.addTarget(a);
    report.addTarget(b);
    for (let i = 0; i < 3; i += 1) report.record(outcome(b, `b-${i}`, 'aborted'));
    for (let i = 0; i < 2; i += 1) report.record(outcome(a, `a-${i}`, 'aborted'));
    report.record(outcome(b, 'b-bad-0', 'failed', 'x'));
    report.record(outcome(b, 'b-bad-1', 'failed', 'x'));
    report.record(outcome(b, 'b-bad-2', 'failed', 'x'));
    report.record(outcome(a, 'a-bad', 'failed', 'x'));
    expect(report.rows.map((row) => row.upload.key)).toEqual(['a-bad', 'b-bad-0', 'b-bad-1']);
    expect(report.omittedRows).toBe(6);
  });

  it('keeps the rows of the earlier target in place of the later one’s, failures aside', () => {
    const report = new RunReport(3);
    report.addTarget(a);
    report.addTarget(b);
    for (let i = 0; i < 3; i += 1) report.record(outcome(b, `b-${i}`, 'aborted'));
    for (let i = 0; i < 2; i += 1) report.record(outcome(a, `a-${i}`, 'aborted'));
    report.record(outcome(b, 'b-3', 'aborted'));
    expect(report.rows.map((row) => row.upload.key)).toEqual(['a-0', 'a-1', 'b-0']);
  });

  it('counts excluded and left uploads apart from the selected ones, and sums sizes', () => {
    const report = new RunReport();
    const sized = (key: string, result: UploadResult, bytes: number): CleanupEvent => ({
      ...(outcome(a, key, result) as Extract<CleanupEvent, { kind: 'upload' }>),
      size: { parts: 2, bytes },
    });
    for (const event of [
      sized('k1', 'aborted', 100),
      sized('k2', 'failed', 1_000),
      sized('k3', 'would-abort', 10),
      outcome(a, 'k4', 'excluded'),
      outcome(a, 'k5', 'left'),
      outcome(a, 'k6', 'left'),
    ]) {
      report.record(event);
    }
    expect(report.totals).toEqual({
      found: 6,
      matched: 3,
      aborted: 1,
      gone: 0,
      failed: 1,
      excluded: 1,
      foreign: 0,
      left: 2,
      parts: 4,
      bytes: 110,
    });
    expect(report.rows).toHaveLength(6);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [5 * 1024 * 1024 + 512 * 1024, '5.50 MiB'],
    [42.5 * 1024 ** 3, '42.5 GiB'],
    [900 * 1024 ** 4, '900 TiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatCounts', () => {
  const counts = {
    ...{ found: 5, matched: 2, aborted: 2, gone: 0, failed: 0 },
    ...{ excluded: 0, foreign: 0, left: 0 },
  };
  it.each([
    [
      'every stale upload selected',
      { ...counts, matched: 2 },
      'found 5, stale 2, aborted 2, already gone 0, failed 0',
    ],
    // README: excluded and left uploads are stale uploads not aborted, not fresh ones.
    [
      'some excluded, some left by the limit',
      { ...counts, excluded: 1, left: 2 },
      'found 5, stale 5 (selected 2), aborted 2, already gone 0, failed 0, excluded 1, left by the limit 2',
    ],
    [
      'some started by others (initiated-by)',
      { ...counts, foreign: 3 },
      'found 5, stale 5 (selected 2), aborted 2, already gone 0, failed 0, started by others 3',
    ],
    [
      'measured',
      { ...counts, parts: 3, bytes: 3072 },
      'found 5, stale 2, aborted 2, already gone 0, failed 0, 3.00 KiB in 3 parts',
    ],
  ])('%s', (_, given, line) => {
    expect(formatCounts({ parts: 0, bytes: 0, ...given })).toBe(line);
  });
});
