import { describe, expect, it } from '@jest/globals';
import type { LifecycleCheck } from '../../src/engine/lifecycle.js';
import type { Protection } from '../../src/engine/protect.js';
import type { Target, UploadResult, UploadSize } from '../../src/engine/types.js';
import { RunReport } from '../../src/report/report.js';
import type { RunDescription } from '../../src/report/run-description.js';
import { renderInputErrorSummary, renderSummary } from '../../src/report/summary/render.js';
import { visible } from '../../src/runner/text.js';
import {
  foreignMarkup,
  headings,
  paragraph,
  summaryDom,
  tableAfter,
  tableRows,
} from '../support/github-markdown.js';
import { ourAbortRule } from '../support/lifecycle-fixtures.js';

// The summary as GitHub shows it: each test renders the Markdown with cmark-gfm and looks at
// the HTML, where a broken table or an element made of a key would show.

const startedAt = new Date('2026-11-22T12:00:00Z');
const initiated = new Date('2026-11-19T07:30:00Z'); // 3d 4h before the run
const run: RunDescription = {
  startedAt,
  cutoff: new Date('2026-11-21T12:00:00Z'),
  maxAgeMs: 24 * 3600 * 1000,
  dryRun: false,
  repository: { name: 'octo/repo', url: 'https://github.com/octo/repo' },
  run: { label: 'CI #42', url: 'https://github.com/octo/repo/actions/runs/7' },
};
const target: Target = { bucket: 'test-bucket', prefix: 'ci/' };

type Entry = [key: string, result: UploadResult, error?: string, size?: UploadSize];

function reportOf(entries: Entry[], onTarget: Target = target): RunReport {
  const report = new RunReport();
  report.addTarget(onTarget);
  for (const [key, result, error, size] of entries) {
    report.record({
      kind: 'upload',
      target: onTarget,
      upload: { key, uploadId: `upload-${key.length}`, initiated },
      result,
      error,
      size,
    });
  }
  return report;
}

const render = (report: RunReport, description: Partial<RunDescription> = {}) => {
  const markdown = renderSummary(report, { ...run, ...description });
  return { markdown, $: summaryDom(markdown) };
};

describe('renderSummary', () => {
  it('tells the verdict, where the stale uploads are, the counts, and each upload', () => {
    const { $ } = render(
      reportOf([
        ['ci/run-7/a.bin', 'aborted'],
        ['ci/run-7/deep/b.bin', 'gone'],
        ['ci/top.bin', 'aborted'],
        ['ci/c', 'kept'],
      ]),
    );
    expect($('h2').text()).toBe('S3 multipart upload cleanup');
    expect($('p').first().text()).toBe('octo/repo · CI #42 · started 2026-11-22 12:00:00 UTC');
    expect(paragraph($, '✅')).toBe(
      '✅ Aborted 2 stale uploads; the oldest was 3d 4h old; 1 was already gone.',
    );
    expect(paragraph($, 'Stale means')).toBe(
      'Stale means initiated at or before 2026-11-21 12:00:00 UTC (max-age 1d).',
    );
    expect(tableAfter($, 'Where the stale uploads are')).toEqual([
      ['bucket', 'group', 'stale uploads', 'oldest'],
      ['test-bucket', 'ci/run-7/', '2', '3d 4h'],
      ['test-bucket', 'ci/', '1', '3d 4h'],
    ]);
    expect(tableAfter($, 'By bucket and prefix')).toEqual([
      ['bucket', 'prefix', 'found', 'stale', 'aborted', 'already gone', 'failed'],
      ['test-bucket', 'ci/', '4', '3', '2', '1', '0'],
    ]);
    expect(tableAfter($, 'Stale uploads')).toEqual([
      ['bucket', 'key', 'upload id', 'initiated (UTC)', 'age', 'result'],
      [
        'test-bucket',
        'ci/run-7/a.bin',
        'upload-14',
        '2026-11-19 07:30:00 UTC',
        '3d 4h',
        '✅ aborted',
      ],
      [
        'test-bucket',
        'ci/run-7/deep/b.bin',
        'upload-19',
        '2026-11-19 07:30:00 UTC',
        '3d 4h',
        '➖ already gone',
      ],
      ['test-bucket', 'ci/top.bin', 'upload-10', '2026-11-19 07:30:00 UTC', '3d 4h', '✅ aborted'],
    ]);
    expect($('details')).toHaveLength(0);
    expect(foreignMarkup($)).toEqual([]);
  });

  it('says plainly that a dry run aborted nothing', () => {
    const { $ } = render(reportOf([['ci/a', 'would-abort']]), { dryRun: true });
    expect(paragraph($, '🔍')).toBe(
      '🔍 Dry run: nothing was aborted. 1 stale upload would be aborted; the oldest was 3d 4h old.',
    );
    expect(tableAfter($, 'Stale uploads')[1][5]).toBe('🔍 would abort');
  });

  it('leads with failures, and says why each listing and abort failed', () => {
    const report = reportOf([
      ['ci/b', 'aborted'],
      ['ci/a', 'failed', 'AccessDenied: the credentials need s3:AbortMultipartUpload'],
    ]);
    report.record({ kind: 'listing-failed', target, error: 'InternalError, HTTP 500' });
    const { $ } = render(report);
    expect(paragraph($, '❌ 1 of 2')).toBe(
      '❌ 1 of 2 aborts failed, 1 listing failed. Aborted 1 stale upload; the oldest was 3d 4h old.',
    );
    expect(paragraph($, '❌ Listing')).toBe(
      '❌ Listing test-bucket (prefix ci/) failed: InternalError, HTTP 500',
    );
    expect(tableAfter($, 'By bucket and prefix')[1][6]).toBe('2 (listing failed)');
    const uploads = tableAfter($, 'Stale uploads');
    expect(uploads[1].slice(1, 2).concat(uploads[1][5])).toEqual([
      'ci/a',
      '❌ failed: AccessDenied: the credentials need s3:AbortMultipartUpload',
    ]);
  });

  it('says when nothing was stale, and shows a target with nothing in it', () => {
    const { $ } = render(reportOf([['ci/young', 'kept']]));
    expect(paragraph($, '✅')).toBe('✅ No stale uploads found.');
    expect(tableAfter($, 'By bucket and prefix')[1]).toEqual([
      'test-bucket',
      'ci/',
      '1',
      '0',
      '0',
      '0',
      '0',
    ]);
    expect(headings($)).toEqual(['By bucket and prefix']);
  });

  it('shows the whole bucket when there is no prefix, and groups its top level', () => {
    const whole = { bucket: 'b', prefix: '' };
    const { $ } = render(
      reportOf(
        [
          ['top.bin', 'aborted'],
          ['dir/x', 'aborted'],
        ],
        whole,
      ),
    );
    expect(tableAfter($, 'By bucket and prefix')[1].slice(0, 2)).toEqual(['b', '(whole bucket)']);
    expect(tableAfter($, 'Where the stale uploads are').slice(1)).toEqual([
      ['b', '(whole bucket)', '1', '3d 4h'],
      ['b', 'dir/', '1', '3d 4h'],
    ]);
  });

  // Whoever writes to a bucket, or names one, controls the text of every one of these
  // columns: the bucket, the prefix, the group (prefix and next segment of a key), the key,
  // and the error the store sends. A cell broken by a pipe shifts the others, so each
  // cell's exact text is checked, and every element the HTML holds.
  it.each([
    ['pipes', 'a|b|c'],
    ['HTML', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
    ['backticks', '```js\nevil()\n``` `x`'],
    ['newlines', 'one\n\n| forged | row |\n'],
    ['a link', '[click](javascript:alert(1))'],
    ['a bare URL and an e-mail address', 'https://evil.example/x me@evil.example'],
    ['Markdown emphasis and entities', '**bold** _em_ ~~del~~ &amp; &#60;b&#62;'],
    ['a trailing backslash', 'back\\'],
    ['spaces at both ends', ' spaced '],
    ['bidi overrides', '\u202Egnp.exe'],
  ])('shows %s as literal text in the cell of every column it reaches', (_, hostile) => {
    const where: Target = { bucket: hostile, prefix: `${hostile}/` };
    const key = `${where.prefix}${hostile}/${hostile}`;
    const rest = key.slice(where.prefix.length);
    const group = `${where.prefix}${rest.slice(0, rest.indexOf('/') + 1)}`;
    const error = `AccessDenied: ${hostile}`;
    const report = reportOf([[key, 'failed', error]], where);
    report.record({ kind: 'listing-failed', target: where, error });
    const { $ } = render(report);

    expect(foreignMarkup($)).toEqual([]);
    const [bucketText, prefixText, groupText, keyText, errorText] = [
      where.bucket,
      where.prefix,
      group,
      key,
      error,
    ].map(visible);
    expect(tableAfter($, 'Where the stale uploads are')).toEqual([
      ['bucket', 'group', 'stale uploads', 'oldest'],
      [bucketText, groupText, '1', '3d 4h'],
    ]);
    expect(tableAfter($, 'By bucket and prefix')).toEqual([
      ['bucket', 'prefix', 'found', 'stale', 'aborted', 'already gone', 'failed'],
      [bucketText, prefixText, '1', '1', '0', '0', '2 (listing failed)'],
    ]);
    expect(tableAfter($, 'Stale uploads')).toEqual([
      ['bucket', 'key', 'upload id', 'initiated (UTC)', 'age', 'result'],
      [
        bucketText,
        keyText,
        `upload-${key.length}`,
        '2026-11-19 07:30:00 UTC',
        '3d 4h',
        `❌ failed: ${errorText}`,
      ],
    ]);
    expect(paragraph($, '❌ Listing')).toBe(
      `❌ Listing ${bucketText} (prefix ${prefixText}) failed: ${errorText}`,
    );
  });

  it('collapses a long table of uploads, and keeps the failures in sight', () => {
    const entries: Entry[] = Array.from({ length: 500 }, (_, i) => [`ci/${i}`, 'aborted']);
    entries.push(['ci/denied', 'failed', 'AccessDenied']);
    const { $ } = render(reportOf(entries));
    expect(paragraph($, '1 upload could not be aborted')).toBe('1 upload could not be aborted:');
    const failed = tableAfter($, 'Stale uploads');
    expect(failed.map((row) => row[1])).toEqual(['key', 'ci/denied']);
    expect($('details summary').text()).toBe('The other 299 shown, one by one');
    const inside = tableRows($, $('details table'));
    expect(inside).toHaveLength(1 + 299);
    expect(inside[1]).toEqual([
      'test-bucket',
      'ci/0',
      'upload-4',
      '2026-11-19 07:30:00 UTC',
      '3d 4h',
      '✅ aborted',
    ]);
    expect(paragraph($, '…and 201')).toBe(
      '…and 201 more stale uploads not shown (the table shows at most 300; the counts above include them).',
    );
    expect(tableAfter($, 'By bucket and prefix')[1]).toEqual([
      'test-bucket',
      'ci/',
      '501',
      '501',
      '500',
      '0',
      '1',
    ]);
  });

  it('stays under GitHub’s 1 MiB limit for 100,000 hostile uploads across 500 targets', () => {
    const report = new RunReport();
    const hostileKey = '&|<>`*'.repeat(171).slice(0, 1024);
    const lifecycle: Array<{ bucket: string; check: LifecycleCheck }> = [];
    for (let t = 0; t < 500; t += 1) {
      const each: Target = { bucket: `bucket-${t}`, prefix: '&|'.repeat(400) };
      report.addTarget(each);
      report.record({ kind: 'listing-failed', target: each, error: '&<|'.repeat(400) });
      for (let i = 0; i < 200; i += 1) {
        report.record({
          kind: 'upload',
          target: each,
          upload: { key: `${each.prefix}${i}/${hostileKey}`, uploadId: '|'.repeat(300), initiated },
          result: 'failed',
          error: '\u202E&|'.repeat(500),
        });
      }
      const prefixes = Array.from({ length: 50 }, (_, i) => `${'`|'.repeat(500)}${i}`);
      lifecycle.push({ bucket: each.bucket, check: { state: 'uncovered', prefixes, rules: 3 } });
    }
    const markdown = renderSummary(report, { ...run, lifecycle });
    expect(report.totals.matched).toBe(100_000);
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024);
    expect(markdown).toContain('…and 99700 more stale uploads not shown');
    expect(markdown).toContain('…and 400 more targets.');
    // Each upload is a group of its own: the groups are counted up to the cap, then together.
    expect(markdown).toContain(
      '…and 9990 more groups with 99990 stale uploads in all.\n\nOnly the first 10000 groups are told apart: the 90000 stale uploads of the groups met after them are counted together.',
    );
  });
});

describe('renderSummary: where the stale uploads are', () => {
  it('shows the 10 largest groups by count, and how many more there were', () => {
    const entries: Entry[] = [];
    for (let group = 0; group < 15; group += 1) {
      for (let i = 0; i <= group; i += 1) entries.push([`ci/run-${group}/${i}`, 'aborted']);
    }
    const { $ } = render(reportOf(entries));
    const rows = tableAfter($, 'Where the stale uploads are');
    expect(rows.slice(1).map((row) => `${row[1]} ${row[2]}`)).toEqual(
      [14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map((n) => `ci/run-${n}/ ${n + 1}`),
    );
    expect(paragraph($, '…and 5 more groups')).toBe(
      '…and 5 more groups with 15 stale uploads in all.',
    );
  });

  it('ranks by bytes when sizes were measured', () => {
    const mib = (n: number): UploadSize => ({ parts: 1, bytes: n * 1024 * 1024 });
    const { $ } = render(
      reportOf([
        ['ci/many/1', 'aborted', undefined, mib(1)],
        ['ci/many/2', 'aborted', undefined, mib(1)],
        ['ci/big/1', 'aborted', undefined, mib(5)],
        ['ci/top', 'failed', 'InternalError', mib(3)],
      ]),
      { reportBytes: true },
    );
    expect(tableAfter($, 'Where the stale uploads are')).toEqual([
      ['bucket', 'group', 'stale uploads', 'size', 'oldest'],
      ['test-bucket', 'ci/big/', '1', '5.00 MiB', '3d 4h'],
      ['test-bucket', 'ci/', '1', '3.00 MiB', '3d 4h'],
      ['test-bucket', 'ci/many/', '2', '2.00 MiB', '3d 4h'],
    ]);
  });
});

describe('renderSummary with exclusions, a limit and sizes', () => {
  const sized = (): RunReport =>
    reportOf([
      ['ci/a', 'aborted', undefined, { parts: 3, bytes: 15 * 1024 * 1024 }],
      ['ci/keep', 'excluded'],
      ['ci/z', 'left'],
      ['ci/b', 'aborted', undefined, undefined],
    ]);

  it('adds columns and notes only for what happened', () => {
    const { $ } = render(sized(), { reportBytes: true, limit: 2 });
    expect(paragraph($, '✅')).toBe(
      '✅ Aborted 2 stale uploads; the oldest was 3d 4h old; freeing 15.0 MiB in 3 parts; 1 excluded; 1 left for a later run by the limit of 2.',
    );
    expect(tableAfter($, 'By bucket and prefix')).toEqual([
      [
        'bucket',
        'prefix',
        'found',
        'stale',
        'aborted',
        'already gone',
        'failed',
        'excluded',
        'left',
        'freed',
      ],
      ['test-bucket', 'ci/', '4', '4', '2', '0', '0', '1', '1', '15.0 MiB'],
    ]);
    // Excluded and left uploads are never measured: no size, rather than an unknown one.
    expect(tableAfter($, 'Stale uploads').map((row) => `${row[1]} ${row[5]} ${row[6]}`)).toEqual([
      'key result size',
      'ci/a ✅ aborted 15.0 MiB',
      'ci/b ✅ aborted ?',
      'ci/keep 🛡️ excluded —',
      'ci/z ⏸️ left (limit) —',
    ]);
  });

  it('measures ages by the store clock', () => {
    const { $ } = render(sized(), { clockOffsetMs: -3600 * 1000 });
    // Initiated 2026-11-19 07:30; the store's clock said 11:00 when the run started.
    expect(tableAfter($, 'Stale uploads')[1][4]).toBe('3d 3h');
    expect(paragraph($, '✅')).toContain('the oldest was 3d 3h old');
  });
});

describe('renderSummary under a limit', () => {
  // The user's run: two uploads 5 minutes old left by the limit, one 1 s old aborted, and an
  // excluded one a year old, kept on purpose.
  const agedBy = (ms: number) => new Date(startedAt.getTime() - ms);
  const entries: Array<[string, UploadResult, Date]> = [
    ['ci/new/a', 'aborted', agedBy(1000)],
    ['ci/old/b', 'left', agedBy(5 * 60_000)],
    ['ci/old/c', 'left', agedBy(5 * 60_000)],
    ['ci/pinned/d', 'excluded', agedBy(365 * 24 * 3600_000)],
  ];
  const limited = (): RunReport => {
    const report = new RunReport();
    for (const [key, result, at] of entries) {
      report.record({
        kind: 'upload',
        target,
        upload: { key, uploadId: key, initiated: at },
        result,
      });
    }
    return report;
  };

  it('gives the age of the oldest stale upload, those left by the limit included', () => {
    const { $ } = render(limited(), { limit: 1 });
    expect(paragraph($, '✅')).toBe(
      '✅ Aborted 1 stale upload; the oldest was 5m old; 1 excluded; 2 left for a later run by the limit of 1.',
    );
  });

  it('shows the groups of the uploads left by the limit, not of the excluded ones', () => {
    const { $ } = render(limited(), { limit: 1 });
    expect(tableAfter($, 'Where the stale uploads are')).toEqual([
      ['bucket', 'group', 'stale uploads', 'oldest'],
      ['test-bucket', 'ci/old/', '2', '5m'],
      ['test-bucket', 'ci/new/', '1', '1s'],
    ]);
    expect(tableAfter($, 'By bucket and prefix')[1].slice(2, 5)).toEqual(['4', '4', '1']);
  });

  it('says the sizes leave out the uploads left by the limit, which are not measured', () => {
    const { $ } = render(limited(), { limit: 1, reportBytes: true });
    expect(paragraph($, 'The sizes')).toBe(
      'The sizes are of the uploads measured: the 2 uploads left by the limit were not.',
    );
  });
});

describe('renderSummary: what the leak costs a month', () => {
  const GIB = 2 ** 30;
  const sized = (): RunReport =>
    reportOf([
      // S3's pricing page counts 100 GB as 107,374,182,400 bytes: $2.30 at $0.023.
      ['ci/big/1', 'aborted', undefined, { parts: 20, bytes: 100 * GIB }],
      ['ci/small/1', 'aborted', undefined, { parts: 1, bytes: 10 * GIB }],
      ['ci/tiny', 'aborted', undefined, { parts: 1, bytes: 1024 }],
    ]);
  const onAmazonS3 = { usdPerGbMonth: 0.023, given: false };

  it("gives the cost in the verdict, with the price and where it comes from, and each group's", () => {
    const { $ } = render(sized(), { reportBytes: true, storagePrice: onAmazonS3 });
    expect(paragraph($, '✅')).toBe(
      "✅ Aborted 3 stale uploads; the oldest was 3d 4h old; freeing 110 GiB in 22 parts, which cost $2.53 a month at $0.023 per GB-month (Amazon S3 Standard's list price in us-east-1, the default of storage-price).",
    );
    expect(tableAfter($, 'Where the stale uploads are')).toEqual([
      ['bucket', 'group', 'stale uploads', 'size', 'cost a month', 'oldest'],
      ['test-bucket', 'ci/big/', '1', '100 GiB', '$2.30', '3d 4h'],
      ['test-bucket', 'ci/small/', '1', '10.0 GiB', '$0.23', '3d 4h'],
      ['test-bucket', 'ci/', '1', '1.00 KiB', 'less than $0.01', '3d 4h'],
    ]);
    expect(foreignMarkup($)).toEqual([]);
  });

  it('says a given price is the one of storage-price, and what a dry run would free', () => {
    const { $ } = render(sized(), {
      reportBytes: true,
      dryRun: true,
      storagePrice: { usdPerGbMonth: 0.0125, given: true },
    });
    expect(paragraph($, '🔍')).toContain(
      'holding 110 GiB in 22 parts, which cost $1.38 a month at $0.0125 per GB-month (storage-price).',
    );
  });

  it('shows no cost without a price, nor without sizes', () => {
    const noPrice = render(sized(), { reportBytes: true });
    const verdict = paragraph(noPrice.$, '✅');
    expect(verdict).toContain('freeing 110 GiB in 22 parts');
    expect(verdict).not.toContain('$');
    expect(tableAfter(noPrice.$, 'Where the stale uploads are')[0]).not.toContain('cost a month');
    const noSizes = render(sized(), { storagePrice: onAmazonS3 });
    expect(noSizes.markdown).not.toContain('$');
  });
});

describe('renderSummary: whether the buckets clean up by themselves', () => {
  const lifecycleOf = (check: LifecycleCheck, bucket = 'test-bucket') =>
    render(reportOf([['ci/a', 'aborted']]), {
      lifecycle: [{ bucket, check }],
      maxAgeMs: 36 * 3600 * 1000,
    });

  it('says so when a rule covers every prefix', () => {
    const { $ } = lifecycleOf({ state: 'covered', days: 7 });
    expect(paragraph($, '✅ test-bucket')).toBe(
      '✅ test-bucket: a lifecycle rule aborts incomplete uploads under every prefix of this run, at most 7 days after they start.',
    );
  });

  it('gives the rule to add, and warns that the call replaces the rules there are', () => {
    const { $ } = lifecycleOf(
      { state: 'uncovered', prefixes: ['ci/', 'tmp/`x`'], rules: 2 },
      "odd'bucket",
    );
    expect(paragraph($, '⚠️ odd')).toBe(
      "⚠️ odd'bucket: no lifecycle rule aborts incomplete uploads under ci/, tmp/`x`. With one, the bucket aborts them itself 2 days after they start, even when no workflow runs.",
    );
    expect($('details summary').text()).toBe('The rule to add, as abort-rule.json');
    const [json, commands] = $('details pre')
      .toArray()
      .map((pre) => $(pre).text());
    expect(JSON.parse(json)).toEqual({
      Rules: ['ci/', 'tmp/`x`'].map((prefix, i) => ({
        ID: `abort-incomplete-multipart-uploads-${i + 1}`,
        Status: 'Enabled',
        Filter: { Prefix: prefix },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
      })),
    });
    expect(commands).toBe(
      "aws s3api get-bucket-lifecycle-configuration --bucket 'odd'\\''bucket'\n" +
        "aws s3api put-bucket-lifecycle-configuration --bucket 'odd'\\''bucket' --lifecycle-configuration file://abort-rule.json\n",
    );
    expect(paragraph($, '⚠️ The call')).toBe(
      '⚠️ The call replaces the whole lifecycle configuration, and this bucket has 2 rules now: read them first and put them in abort-rule.json too, or they are lost.',
    );
    expect(foreignMarkup($)).toEqual([]);
  });

  it('says to read the rules first for a bucket of one rule, and not for one of none', () => {
    const commandsOf = (rules: number) => {
      const { $ } = lifecycleOf({ state: 'uncovered', prefixes: ['ci/'], rules });
      return { commands: $('details pre').eq(1).text(), $ };
    };
    const one = commandsOf(1);
    expect(one.commands).toBe(
      'aws s3api get-bucket-lifecycle-configuration --bucket test-bucket\n' +
        'aws s3api put-bucket-lifecycle-configuration --bucket test-bucket --lifecycle-configuration file://abort-rule.json\n',
    );
    expect(paragraph(one.$, '⚠️ The call')).toBe(
      '⚠️ The call replaces the whole lifecycle configuration, and this bucket has 1 rule now: read them first and put them in abort-rule.json too, or they are lost.',
    );
    const none = commandsOf(0);
    expect(none.commands).toBe(
      'aws s3api put-bucket-lifecycle-configuration --bucket test-bucket --lifecycle-configuration file://abort-rule.json\n',
    );
    expect(paragraph(none.$, '⚠️ The call')).toBe(
      '⚠️ The call replaces the whole lifecycle configuration; this bucket has none now.',
    );
  });

  it('says why it cannot tell', () => {
    const { $ } = lifecycleOf({
      state: 'unknown',
      reason:
        'AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::test-bucket',
    });
    expect(paragraph($, '❔')).toBe(
      '❔ test-bucket: unknown; AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::test-bucket.',
    );
  });
});

describe('renderSummary: the abort rules the run added (add-abort-rule)', () => {
  const uncovered: LifecycleCheck = { state: 'uncovered', prefixes: ['ci/', 'tmp/'], rules: 3 };
  const withProtection = (protection: Protection, check: LifecycleCheck = uncovered) =>
    render(reportOf([['ci/a', 'aborted']]), {
      lifecycle: [{ bucket: 'test-bucket', check, protection }],
    });

  it('says what it added, and that the bucket now sweeps by itself; no advice to merge by hand', () => {
    const { $ } = withProtection({
      state: 'added',
      rules: [ourAbortRule('ci/'), ourAbortRule('tmp/')],
      confirmed: true,
      disabled: [],
    });
    expect(paragraph($, '🧹')).toBe(
      '🧹 test-bucket: this run added 2 lifecycle rules that abort incomplete uploads under ci/, tmp/ 7 days after they start. From now on the bucket sweeps them by itself, the uploads open now included, even when no workflow runs (a new rule takes a few minutes to apply on Amazon S3, and the store then aborts due uploads on its own schedule).',
    );
    expect($('details summary').text()).toBe('The rules added');
    expect(JSON.parse($('details pre').text())).toEqual([
      ourAbortRule('ci/'),
      ourAbortRule('tmp/'),
    ]);
    expect($.text()).not.toContain('replaces the whole lifecycle configuration');
    expect(paragraph($, '✅')).toBe('✅ Aborted 1 stale upload; the oldest was 3d 4h old.');
    expect(foreignMarkup($)).toEqual([]);
  });

  it('says when the store did not show the rule yet', () => {
    const { $ } = withProtection({
      state: 'added',
      rules: [ourAbortRule('ci/')],
      confirmed: false,
      disabled: [],
    });
    expect(paragraph($, '🧹')).toMatch(
      /The store accepted it, but did not show it yet when read back/,
    );
  });

  it('shows the exact rules a dry run would add', () => {
    const { $ } = withProtection({
      state: 'would-add',
      rules: [ourAbortRule('ci/')],
      disabled: [],
    });
    expect(paragraph($, '🔍 test-bucket')).toBe(
      "🔍 test-bucket: no lifecycle rule aborts incomplete uploads under ci/, tmp/. Dry run: this run would add the rule below, beside the bucket's 3 rules, which would stay as they are.",
    );
    expect($('details summary').text()).toBe('The rule it would add');
    expect(JSON.parse($('details pre').text())).toEqual([ourAbortRule('ci/')]);
  });

  it('says why it could not add one, fails the verdict, and keeps the advice to merge by hand', () => {
    const { $ } = withProtection({
      state: 'failed',
      reason:
        'AccessDenied: the credentials need s3:PutLifecycleConfiguration on arn:aws:s3:::test-bucket',
      disabled: [],
    });
    expect(paragraph($, '❌ test-bucket')).toBe(
      '❌ test-bucket: no lifecycle rule aborts incomplete uploads under ci/, tmp/, and this run could not add one: AccessDenied: the credentials need s3:PutLifecycleConfiguration on arn:aws:s3:::test-bucket.',
    );
    expect(paragraph($, '❌ The abort')).toBe(
      '❌ The abort rule could not be added to 1 bucket. Aborted 1 stale upload; the oldest was 3d 4h old.',
    );
    expect(paragraph($, '⚠️ The call')).toMatch(
      /^⚠️ The call replaces the whole lifecycle configuration/,
    );
  });

  it('says why it could not add one where the rules could not be read', () => {
    const { $ } = withProtection(
      {
        state: 'failed',
        reason: 'could not read its rules: the store keeps no lifecycle rules',
        disabled: [],
      },
      { state: 'unknown', reason: 'the store keeps no lifecycle rules' },
    );
    expect(paragraph($, '❌ test-bucket')).toBe(
      '❌ test-bucket: could not add the abort rule: could not read its rules: the store keeps no lifecycle rules.',
    );
  });

  it('names only the prefixes it added a rule for, beside a disabled one', () => {
    const check: LifecycleCheck = { ...uncovered, disabled: [{ prefix: 'tmp/', id: 'paused' }] };
    const { $ } = withProtection(
      { state: 'added', rules: [ourAbortRule('ci/')], confirmed: true, disabled: check.disabled! },
      check,
    );
    expect(paragraph($, '🧹')).toMatch(
      /^🧹 test-bucket: this run added a lifecycle rule that aborts incomplete uploads under ci\/ 7 days after they start\./,
    );
    expect(paragraph($, '⏸️')).toMatch(
      /^⏸️ A disabled rule would abort them under tmp\/ \(paused\)\./,
    );
  });

  it('names a disabled rule, and says the action leaves it so', () => {
    const check: LifecycleCheck = { ...uncovered, disabled: [{ prefix: 'ci/', id: 'paused' }] };
    const { $ } = withProtection(
      { state: 'nothing-to-add', disabled: [{ prefix: 'ci/', id: 'paused' }] },
      check,
    );
    expect(paragraph($, '⏸️')).toBe(
      '⏸️ A disabled rule would abort them under ci/ (paused). The action never enables, changes or removes a rule, and adds none beside a disabled one: enable it, or remove it, and run again.',
    );
    expect(paragraph($, '⚠️ test-bucket')).toBe(
      '⚠️ test-bucket: no enabled lifecycle rule aborts incomplete uploads under ci/, tmp/; no rule was added.',
    );
  });

  it('keeps hostile prefixes and reasons as text', () => {
    const hostile = '<img src=x>`|';
    const { $ } = withProtection(
      { state: 'failed', reason: `store said ${hostile}`, disabled: [] },
      { state: 'uncovered', prefixes: [hostile], rules: 0 },
    );
    expect(paragraph($, '❌ test-bucket')).toContain(hostile);
    expect(foreignMarkup($)).toEqual([]);
  });
});

describe('renderSummary of where the buckets are and how the run ended', () => {
  it("names a bucket's region where it is not the default", () => {
    const report = reportOf([['ci/a', 'aborted']]);
    report.addTarget({ bucket: 'eu-bucket', prefix: 'ci/' });
    const { $ } = render(report, {
      defaultRegion: 'us-east-1',
      buckets: [
        { bucket: 'test-bucket', region: 'us-east-1', listing: 'standard' },
        { bucket: 'eu-bucket', region: 'eu-west-1', listing: 'standard' },
      ],
    });
    expect(tableAfter($, 'By bucket and prefix').map((row) => row[0])).toEqual([
      'bucket',
      'test-bucket',
      'eu-bucket (eu-west-1)',
    ]);
  });

  it('says plainly what a MinIO listing can miss', () => {
    const { $ } = render(reportOf([]), {
      buckets: [{ bucket: 'ci_bucket', region: 'us-east-1', listing: 'minio' }],
    });
    expect(paragraph($, '⚠️ ci_bucket')).toBe(
      '⚠️ ci_bucket: this store is MinIO, whose listing can miss uploads: it knows only the uploads begun since each of its nodes last started, and MinIO aborts stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY (24h by default). As MinIO takes a prefix as an exact object name, the whole bucket was listed and the prefixes applied here.',
    );
  });

  it('leads with a cancel, even when nothing failed', () => {
    const { $ } = render(reportOf([['ci/a', 'aborted']]), {
      stoppedBecause: 'the job was cancelled (the runner sent SIGINT)',
    });
    expect(paragraph($, '❌')).toBe(
      '❌ Stopped: the job was cancelled (the runner sent SIGINT). Aborted 1 stale upload; the oldest was 3d 4h old.',
    );
  });
});

describe('renderInputErrorSummary', () => {
  it('lists each problem, as text', () => {
    const $ = summaryDom(
      renderInputErrorSummary('max-age: "7 days" is not a duration\nbucket: "<b>" is bad'),
    );
    expect($('p').first().text()).toBe('❌ Invalid input; nothing was listed or aborted.');
    expect(
      $('li')
        .toArray()
        .map((li) => $(li).text()),
    ).toEqual(['max-age: "7 days" is not a duration', 'bucket: "<b>" is bad']);
    expect(foreignMarkup($)).toEqual([]);
  });
});
