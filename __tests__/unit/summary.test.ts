import { describe, expect, it } from '@jest/globals';
import type { Target, UploadResult } from '../../src/engine/types.js';
import { RunReport } from '../../src/report.js';
import { renderInputErrorSummary, renderSummary, type RunDescription } from '../../src/summary.js';

const startedAt = new Date('2026-11-22T12:00:00Z');
const run: RunDescription = {
  startedAt,
  cutoff: new Date('2026-11-21T12:00:00Z'),
  maxAgeMs: 24 * 3600 * 1000,
  dryRun: false,
  repository: { name: 'octo/repo', url: 'https://github.com/octo/repo' },
  run: { label: 'CI #42', url: 'https://github.com/octo/repo/actions/runs/7' },
};
const target: Target = { bucket: 'test-bucket', prefix: 'ci/' };

function reportOf(entries: [string, UploadResult, string?][], rowLimit?: number): RunReport {
  const report = new RunReport(rowLimit);
  report.addTarget(target);
  for (const [key, result, error] of entries) {
    report.record({
      kind: 'upload',
      target,
      upload: {
        key,
        uploadId: `upload-${key.length}`,
        initiated: new Date('2026-11-19T07:30:00Z'),
      },
      result,
      error,
    });
  }
  return report;
}

/** Table cells of a Markdown line, split only at unescaped pipes. */
const cellCount = (line: string) => line.replace(/\\./g, '').split('|').length - 2;
const tableLines = (markdown: string) =>
  markdown.split('\n').filter((line) => line.startsWith('|'));

describe('renderSummary', () => {
  it('tells the run, the cutoff, the counts per target and each stale upload', () => {
    const markdown = renderSummary(
      reportOf([
        ['ci/a.bin', 'aborted'],
        ['ci/b.bin', 'gone'],
        ['ci/c', 'kept'],
      ]),
      run,
    );
    expect(markdown).toContain('## S3 multipart upload cleanup');
    expect(markdown).toContain(
      '[octo/repo](https://github.com/octo/repo) · [CI \\#42](https://github.com/octo/repo/actions/runs/7) · started 2026-11-22 12:00:00 UTC',
    );
    expect(markdown).toContain('✅ **Aborted 1 stale upload**; 1 was already gone.');
    expect(markdown).toContain('initiated at or before **2026-11-21 12:00:00 UTC** (max-age 1d)');
    expect(markdown).toContain('| test-bucket | ci/ | 3 | 2 | 1 | 1 | 0 |');
    expect(markdown).toContain(
      '| test-bucket | ci/a.bin | upload-8 | 2026-11-19 07:30:00 UTC | 3d 4h | ✅ aborted |',
    );
    expect(markdown).toContain('| ➖ already gone |');
    expect(markdown).not.toContain('ci/c |');
  });

  it('says plainly that a dry run aborted nothing', () => {
    const markdown = renderSummary(reportOf([['ci/a', 'would-abort']]), { ...run, dryRun: true });
    expect(markdown).toContain(
      '🔍 **Dry run: nothing was aborted.** 1 stale upload would be aborted.',
    );
    expect(markdown).toContain('🔍 would abort');
  });

  it('leads with failures', () => {
    const report = reportOf([
      ['ci/a', 'failed', 'AccessDenied: the credentials need s3:AbortMultipartUpload'],
      ['ci/b', 'aborted'],
    ]);
    report.record({ kind: 'listing-failed', target, error: 'InternalError, HTTP 500' });
    const markdown = renderSummary(report, run);
    expect(markdown).toContain(
      '❌ **1 of 2 aborts failed, 1 listing failed.** Aborted 1 stale upload.',
    );
    expect(markdown).toContain(
      '❌ Listing test-bucket (prefix ci/) failed: InternalError, HTTP 500',
    );
    expect(markdown).toContain('| 2 (listing failed) |');
    const rows = tableLines(markdown).slice(-2);
    expect(rows[0]).toContain(
      '❌ failed: AccessDenied: the credentials need s3:AbortMultipartUpload',
    );
  });

  it('says when nothing was stale, and shows a target with nothing in it', () => {
    const markdown = renderSummary(reportOf([]), run);
    expect(markdown).toContain('✅ **No stale uploads found.**');
    expect(markdown).toContain('| test-bucket | ci/ | 0 | 0 | 0 | 0 | 0 |');
    expect(markdown).not.toContain('### Stale uploads');
  });

  it('shows the whole bucket when there is no prefix', () => {
    const report = new RunReport();
    report.addTarget({ bucket: 'b', prefix: '' });
    expect(renderSummary(report, run)).toContain('| b | *(whole bucket)* |');
  });

  it.each([
    ['pipes', 'ci/a|b|c'],
    ['HTML', 'ci/<script>alert(1)</script><img src=x onerror=alert(1)>'],
    ['backticks', 'ci/```js\nevil()\n```'],
    ['newlines', 'ci/one\n\n| forged | row |\n'],
    ['a link', 'ci/[click](javascript:alert(1))'],
    ['bidi overrides', 'ci/\u202Egnp.exe'],
  ])('keeps the table whole when a key holds %s', (_, key) => {
    const markdown = renderSummary(reportOf([[key, 'aborted']]), run);
    const rows = tableLines(markdown);
    const uploadRow = rows.at(-1) ?? '';
    expect(cellCount(uploadRow)).toBe(6);
    expect(rows.every((line) => cellCount(line) === 6 || cellCount(line) === 7)).toBe(true);
    // Every active character reaches the Markdown escaped, so it renders as the literal text.
    expect(markdown).not.toMatch(/(^|[^\\])<(script|img)/);
    expect(markdown).not.toMatch(/(^|[^\\])`/);
    expect(markdown).not.toMatch(/[^\\]\]\(javascript/);
    expect(markdown).not.toContain('\u202E');
    expect(markdown.split('\n').filter((line) => line.includes('forged'))).toHaveLength(
      key.includes('forged') ? 1 : 0,
    );
  });

  it('caps the table and says how many more there were', () => {
    const entries = Array.from(
      { length: 500 },
      (_, i) => [`ci/${i}`, 'aborted'] as [string, UploadResult],
    );
    const markdown = renderSummary(reportOf(entries), run);
    expect(tableLines(markdown).length).toBe(2 + 1 + 2 + 300);
    expect(markdown).toContain(
      '…and 200 more stale uploads not shown (the table shows at most 300; the counts above include them).',
    );
    expect(markdown).toContain('| test-bucket | ci/ | 500 | 500 | 500 | 0 | 0 |');
  });

  it('stays under GitHub’s 1 MiB limit for 100,000 hostile uploads across 500 targets', () => {
    const report = new RunReport();
    const hostileKey = '&|<>`*'.repeat(171).slice(0, 1024);
    for (let t = 0; t < 500; t += 1) {
      const each: Target = { bucket: `bucket-${t}`, prefix: '&|'.repeat(400) };
      report.addTarget(each);
      report.record({ kind: 'listing-failed', target: each, error: '&<|'.repeat(400) });
      for (let i = 0; i < 200; i += 1) {
        report.record({
          kind: 'upload',
          target: each,
          upload: { key: hostileKey, uploadId: '|'.repeat(300), initiated: new Date(0) },
          result: 'failed',
          error: '\u202E&|'.repeat(500),
        });
      }
    }
    const markdown = renderSummary(report, run);
    expect(report.totals.matched).toBe(100_000);
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024);
    expect(markdown).toContain('…and 99700 more stale uploads not shown');
    expect(markdown).toContain('…and 400 more targets.');
  });
});

describe('renderSummary with exclusions, a limit and sizes', () => {
  function sizedReport(): RunReport {
    const report = new RunReport();
    report.addTarget(target);
    const upload = (key: string) => ({
      key,
      uploadId: 'u',
      initiated: new Date('2026-11-19T07:30:00Z'),
    });
    report.record({
      kind: 'upload',
      target,
      upload: upload('ci/a'),
      result: 'aborted',
      size: { parts: 3, bytes: 15 * 1024 * 1024 },
    });
    report.record({ kind: 'upload', target, upload: upload('ci/keep'), result: 'excluded' });
    report.record({ kind: 'upload', target, upload: upload('ci/z'), result: 'left' });
    return report;
  }

  it('adds columns and notes only for what happened', () => {
    const markdown = renderSummary(sizedReport(), { ...run, reportBytes: true, limit: 1 });
    expect(markdown).toContain(
      '✅ **Aborted 1 stale upload**; freeing 15.0 MiB in 3 parts; 1 excluded; 1 left for a later run by the limit of 1.',
    );
    expect(markdown).toContain(
      '| bucket | prefix | found | stale | aborted | already gone | failed | excluded | left | freed |',
    );
    expect(markdown).toContain('| test-bucket | ci/ | 3 | 1 | 1 | 0 | 0 | 1 | 1 | 15.0 MiB |');
    expect(markdown).toContain('| ✅ aborted | 15.0 MiB |');
    expect(markdown).toContain('| 🛡️ excluded | ? |');
    expect(markdown).toContain('| ⏸️ left (limit) | ? |');
    const [targets, uploads] = markdown.split('### Stale uploads');
    expect(tableLines(targets).map(cellCount)).toEqual([10, 10, 10]);
    expect(tableLines(uploads).map(cellCount)).toEqual([7, 7, 7, 7, 7]);
  });

  it('measures ages by the store clock', () => {
    const markdown = renderSummary(sizedReport(), { ...run, clockOffsetMs: -3600 * 1000 });
    // Initiated 2026-11-19 07:30; the store's clock said 11:00 when the run started.
    expect(markdown).toContain('| 2026-11-19 07:30:00 UTC | 3d 3h |');
  });
});

describe('renderSummary of where the buckets are and how the run ended', () => {
  it("names a bucket's region where it is not the default", () => {
    const report = reportOf([['ci/a', 'aborted']]);
    const away: Target = { bucket: 'eu-bucket', prefix: 'ci/' };
    report.addTarget(away);
    const markdown = renderSummary(report, {
      ...run,
      defaultRegion: 'us-east-1',
      buckets: [
        { bucket: 'test-bucket', region: 'us-east-1', listing: 'standard' },
        { bucket: 'eu-bucket', region: 'eu-west-1', listing: 'standard' },
      ],
    });
    expect(markdown).toContain('| test-bucket | ci/ |');
    expect(markdown).toContain('| eu-bucket (eu-west-1) | ci/ |');
  });

  it('says plainly what a MinIO listing can miss', () => {
    const markdown = renderSummary(reportOf([]), {
      ...run,
      buckets: [{ bucket: 'ci_bucket', region: 'us-east-1', listing: 'minio' }],
    });
    expect(markdown).toContain(
      '✅ **No stale uploads found.**\n\n⚠️ **ci\\_bucket:** this store is MinIO, whose listing can miss uploads: it knows only the uploads begun since each of its nodes last started',
    );
  });

  it('leads with a cancel, even when nothing failed', () => {
    const markdown = renderSummary(reportOf([['ci/a', 'aborted']]), {
      ...run,
      stoppedBecause: 'the job was cancelled (the runner sent SIGINT)',
    });
    expect(markdown).toContain(
      '❌ **Stopped: the job was cancelled (the runner sent SIGINT).** Aborted 1 stale upload.',
    );
  });
});

describe('renderInputErrorSummary', () => {
  it('lists each problem, escaped', () => {
    expect(
      renderInputErrorSummary('max-age: "7 days" is not a duration\nbucket: "<b>" is bad'),
    ).toBe(
      '## S3 multipart upload cleanup\n\n❌ **Invalid input; nothing was listed or aborted.**\n\n' +
        '- max-age: "7 days" is not a duration\n\n- bucket: "\\<b\\>" is bad\n',
    );
  });
});
