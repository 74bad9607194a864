import { describe, expect, it, jest } from '@jest/globals';
import { visible } from '../../src/runner/text.js';
import { foreignMarkup, summaryDom, tableAfter } from '../support/github-markdown.js';
import { runAction } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  store,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// Keys are written by whoever can write to the bucket. Real uploads with keys built to break
// the job summary, the log or the workflow-command protocol, through dist/index.js.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();

const hostileKeys = [
  'ci/cell|break|table|',
  'ci/pipe|in|group/a.bin', // its group, ci/pipe|in|group/, is hostile too
  'ci/<img src=x onerror=alert(1)>',
  'ci/<script>alert(1)</script>.bin',
  'ci/**bold** _em_ [link](https://evil.example) `code` ~~del~~ $x$',
  'ci/bare https://evil.example/x and me@evil.example',
  'ci/new\nline\r\n::error::injected by a key',
  'ci/\u202Eexe.txt', // right-to-left override
  'ci/zero\u200Bwidth',
  // As long as the store allows (1,000 bytes; a little less on Swift).
  `ci/${'k'.repeat(Math.min(1000, store.maxUploadKeyBytes) - 3)}`,
  `ci/${'長'.repeat(Math.floor((Math.min(1000, store.maxUploadKeyBytes) - 3) / 3))}`,
];

/** A key as the summary shows it: visible, and cut at 200 characters. */
function shownKey(key: string): string {
  const chars = Array.from(visible(key));
  return chars.length > 200 ? `${chars.slice(0, 199).join('')}…` : chars.join('');
}

/** Long upload ids are shown by their two ends. */
const shownUploadId = (id: string) =>
  id.length <= 24 ? id : `${id.slice(0, 10)}…${id.slice(-10)}`;

/** The summary's groups, as README describes them: the prefix and the key's next segment. */
function groupsOf(keys: string[], prefix: string): Map<string, number> {
  const groups = new Map<string, number>();
  for (const key of keys) {
    const rest = key.slice(prefix.length);
    const group = visible(prefix + rest.slice(0, rest.indexOf('/') + 1));
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  return groups;
}

describe('hostile keys', () => {
  it('are aborted, and shown literally and safely in the summary and the log', async () => {
    const bucket = await newBucket('e2e-hostile');
    const seeded = await seedStaleUploads(seeder, bucket, hostileKeys);
    const run = await runAction(
      { bucket, prefix: 'ci/', 'max-age': '0', ...storeInputs },
      { ...storeCredentials, RUNNER_DEBUG: '1' }, // debug lines name every upload
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs['aborted-count']).toBe(String(hostileKeys.length));
    expect(await remainingUploads(seeder, bucket)).toEqual([]);
    expect(idsOf(seeded)).toHaveLength(hostileKeys.length);

    // Summary, as GitHub renders it: no element made of a key, and every cell of every
    // table holds exactly its text (a cell broken by a key would shift the ones after it).
    const $ = summaryDom(run.summary);
    expect(foreignMarkup($)).toEqual([]);
    const byKey = [...seeded].sort((a, b) => (a.key < b.key ? -1 : 1));
    const uploadRows = tableAfter($, 'Stale uploads');
    expect(uploadRows).toEqual([
      ['bucket', 'key', 'upload id', 'initiated (UTC)', 'age', 'result'],
      ...byKey.map(({ key, uploadId }) => [
        bucket,
        shownKey(key),
        shownUploadId(uploadId),
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/),
        expect.stringMatching(/^\d+s$/),
        '✅ aborted',
      ]),
    ]);
    const [groupHeader, ...groupRows] = tableAfter($, 'Where the stale uploads are');
    expect(groupHeader).toEqual(['bucket', 'group', 'stale uploads', 'oldest']);
    expect(groupRows.map((row) => row.slice(0, 3).join(' ¦ ')).sort()).toEqual(
      [...groupsOf(hostileKeys, 'ci/')].map(([group, n]) => `${bucket} ¦ ${group} ¦ ${n}`).sort(),
    );
    expect(tableAfter($, 'By bucket and prefix')).toEqual([
      ['bucket', 'prefix', 'found', 'stale', 'aborted', 'already gone', 'failed'],
      [bucket, 'ci/', ...Array(3).fill(String(hostileKeys.length)), '0', '0'],
    ]);
    const keyCells = uploadRows.map((row) => row[1]);
    expect(keyCells).toContain('ci/new␊line␍␊::error::injected by a key');
    expect(keyCells).toContain('ci/⟨U+202E⟩exe.txt');
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);

    // Log: no key can start a workflow command or hide text.
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('::error::'))).toEqual([]);
    expect(run.stdout).not.toMatch(/[\u202E\u200B\r]/);
    expect(run.stdout).toContain('ci/new␊line␍␊::error::injected by a key');
  });
});
