import { describe, expect, it } from '@jest/globals';
import type { PatternMatch } from '../../src/engine/buckets.js';
import { RunReport } from '../../src/report/report.js';
import type { RunDescription } from '../../src/report/run-description.js';
import { renderSummary } from '../../src/report/summary/render.js';
import { foreignMarkup, headings, paragraph, summaryDom } from '../support/github-markdown.js';

// The summary's account of the patterns of `bucket`, as GitHub shows it (cmark-gfm).
const run: RunDescription = {
  startedAt: new Date('2026-11-22T12:00:00Z'),
  cutoff: new Date('2026-11-21T12:00:00Z'),
  maxAgeMs: 24 * 3600 * 1000,
  dryRun: false,
};

function render(patterns: PatternMatch[], buckets: string[], listingError?: string) {
  const report = new RunReport();
  for (const bucket of buckets) report.addTarget({ bucket, prefix: 'ci/' });
  if (listingError !== undefined) report.recordBucketListingFailure(listingError);
  const markdown = renderSummary(report, { ...run, patterns });
  return { markdown, $: summaryDom(markdown) };
}

describe('renderSummary with bucket patterns', () => {
  it('says which buckets each pattern matched, and which matched none', () => {
    const { $ } = render(
      [
        { pattern: 'ci-*', buckets: ['ci-payments-tmp', 'ci-search-tmp'] },
        { pattern: 'it-*-fixtures', buckets: [] },
        { pattern: 'odd-*', buckets: ['odd-<b>|x</b>'] },
      ],
      ['ci-payments-tmp', 'ci-search-tmp', 'odd-<b>|x</b>'],
    );
    expect(headings($)).toEqual(['Buckets by pattern', 'By bucket and prefix']);
    expect(paragraph($, 'ci-*')).toBe('ci-* matched 2 buckets: ci-payments-tmp, ci-search-tmp.');
    expect(paragraph($, 'it-*')).toBe('it-*-fixtures matched no bucket.');
    expect(paragraph($, 'odd-*')).toBe('odd-* matched 1 bucket: odd-<b>|x</b>.');
    expect(foreignMarkup($)).toEqual([]);
  });

  it('stays short for an account of thousands of buckets and many patterns', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `ci-${String(i).padStart(5, '0')}`);
    const patterns = [
      { pattern: 'ci-*', buckets: many },
      ...Array.from({ length: 29 }, (_, i) => ({ pattern: `p${i}-*`, buckets: [] })),
    ];
    const { markdown, $ } = render(patterns, many);
    expect(paragraph($, 'ci-*')).toBe(
      `ci-* matched 5000 buckets: ${many.slice(0, 20).join(', ')}, and 4980 more (the log names them all).`,
    );
    expect(paragraph($, '…and')).toBe('…and 10 more patterns, which the log lists.');
    expect($('p').filter((_, p) => /^p\d+-\*/.test($(p).text()))).toHaveLength(19);
    // 5,000 targets are bounded by the table of targets; the patterns add little to it.
    expect(Buffer.byteLength(markdown)).toBeLessThan(20_000);
  });

  it('names 20 matches of a pattern and counts the rest, down to one more', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `ci-${i + 1}`);
    const { $ } = render(
      [
        { pattern: 'ci-*', buckets: names(21) },
        { pattern: 'it-*', buckets: names(20) },
      ],
      names(21),
    );
    expect(paragraph($, 'ci-*')).toBe(
      `ci-* matched 21 buckets: ${names(20).join(', ')}, and 1 more (the log names them all).`,
    );
    expect(paragraph($, 'it-*')).toBe(`it-* matched 20 buckets: ${names(20).join(', ')}.`);
  });

  it('says why the buckets could not be listed, and counts it as a failed listing', () => {
    const { $ } = render(
      [{ pattern: 'ci-*', buckets: [] }],
      [],
      'AccessDenied: the credentials need s3:ListAllMyBuckets on *',
    );
    expect(paragraph($, '❌ 1')).toBe('❌ 1 listing failed. Aborted 0 stale uploads.');
    expect(paragraph($, '❌ Listing')).toBe(
      '❌ Listing the buckets failed: AccessDenied: the credentials need s3:ListAllMyBuckets on *. The patterns matched only the buckets listed before it.',
    );
    expect(paragraph($, 'ci-*')).toBe('ci-* matched no bucket.');
  });

  it('has no table of targets when no bucket was matched or named', () => {
    const { $ } = render([{ pattern: 'none-*', buckets: [] }], []);
    expect(paragraph($, '✅')).toBe('✅ No stale uploads found.');
    expect(headings($)).toEqual(['Buckets by pattern']);
  });
});
