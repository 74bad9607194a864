import { describe, expect, it, jest } from '@jest/globals';
import { visible } from '../../src/text.js';
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

    // Summary, as GitHub renders it: no element made of a key, one row per upload with the
    // key as its literal (visible) text, under the size cap.
    const $ = summaryDom(run.summary);
    expect(foreignMarkup($)).toEqual([]);
    const rows = tableAfter($, 'Stale uploads');
    expect(rows.every((row) => row.length === 6)).toBe(true);
    const keysShown = rows.slice(1).map((row) => row[1]);
    const expected = hostileKeys
      .map((key) => visible(key))
      .map((key) =>
        Array.from(key).length > 200 ? `${Array.from(key).slice(0, 199).join('')}…` : key,
      );
    expect(keysShown.sort()).toEqual(expected.sort());
    expect(keysShown).toContain('ci/new␊line␍␊::error::injected by a key');
    expect(keysShown).toContain('ci/⟨U+202E⟩exe.txt');
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);

    // Log: no key can start a workflow command or hide text.
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('::error::'))).toEqual([]);
    expect(run.stdout).not.toMatch(/[\u202E\u200B\r]/);
    expect(run.stdout).toContain('ci/new␊line␍␊::error::injected by a key');
  });
});
