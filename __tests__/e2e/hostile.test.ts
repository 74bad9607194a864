import { describe, expect, it, jest } from '@jest/globals';
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

    // Summary: no live HTML or Markdown, one table row per upload, under the size cap.
    const summary = run.summary;
    expect(summary).not.toMatch(/(?<!\\)<(img|script)/);
    expect(summary).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(summary).toContain('ci/cell\\|break\\|table\\|');
    expect(summary).toContain('\\*\\*bold\\*\\* \\_em\\_ \\[link\\](https://evil.example)');
    expect(summary).toContain('ci/new␊line␍␊::error::injected by a key');
    expect(summary).toContain('ci/⟨U+202E⟩exe.txt');
    const uploadRows = summary
      .slice(summary.indexOf('### Stale uploads'))
      .split('\n')
      .filter((line) => line.startsWith(`| ${bucket} |`));
    expect(uploadRows).toHaveLength(hostileKeys.length);
    for (const row of uploadRows) {
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(8); // 6 cells, none broken
    }

    // Log: no key can start a workflow command or hide text.
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('::error::'))).toEqual([]);
    expect(run.stdout).not.toMatch(/[\u202E\u200B\r]/);
    expect(run.stdout).toContain('ci/new␊line␍␊::error::injected by a key');
  });
});
