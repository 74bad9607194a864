import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { projectRoot, readActionYml } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  store,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// `npm run local-action` as README's "Run it locally" tells a user to run it: .env.example
// copied to a .env and pointed at a bucket, credentials from the shell, a dry run. The
// script's own entrypoint is run, so that one pointing at dist/ (which runs on import and
// exports no run()) fails here.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'local-action-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** The entrypoint `npm run local-action` hands local-action, with the .env it reads. */
async function scriptEntrypoint(): Promise<string> {
  const { scripts } = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = scripts['local-action'] ?? '';
  const match = /^local-action run \. (\S+) \.env$/.exec(script);
  if (!match) throw new Error(`package.json's local-action script has another shape: ${script}`);
  return match[1];
}

/** A workstation's environment, with the store's credentials exported in its shell. */
function shellEnvironment(): Record<string, string> {
  const keep = /^(PATH|HOME|LANG|TMPDIR|[A-Z_]*CA_(BUNDLE|CERTS?)[A-Z_]*|SSL_CERT_(FILE|DIR))$/;
  const env = Object.entries(process.env).filter(
    (entry): entry is [string, string] => keep.test(entry[0]) && entry[1] !== undefined,
  );
  return { ...Object.fromEntries(env), ...storeCredentials };
}

/** The table local-action prints under "Action Outputs": the outputs the action set. */
function printedOutputs(stdout: string): Record<string, string> {
  const text = stripVTControlCharacters(stdout);
  const start = text.indexOf('Action Outputs');
  if (start < 0) return {};
  const table = text.slice(start);
  const row = /^│ *\d+ *│ *'([^']*)' *│ *(?:'([^']*)'|"([^"]*)") *│$/gm;
  return Object.fromEntries(
    [...table.matchAll(row)].map(([, name, single, double]) => [name, single ?? double]),
  );
}

describe('npm run local-action, a dry run with .env.example', () => {
  it('prints every output, writes the summary where GITHUB_STEP_SUMMARY says, aborts nothing', async () => {
    const bucket = await newBucket('local-action');
    // Under the prefix three stale uploads and one the exclusion keeps; one outside it.
    const keys = ['ci/a.bin', 'ci/b.bin', 'ci/c/d.bin', 'ci/keep-e.bin', 'other/f.bin'];
    const seeded = await seedStaleUploads(seeder, bucket, keys);
    const summaryFile = join(work, 'summary.md');
    // The user's edits, after the example's lines: dotenv keeps the last value of a name.
    // dry-run stays as the example sets it.
    const edits = {
      INPUT_BUCKET: bucket,
      INPUT_PREFIX: 'ci/',
      'INPUT_MAX-AGE': '0',
      INPUT_EXCLUDE: '**/keep-*',
      INPUT_ENDPOINT: storeInputs.endpoint,
      'INPUT_FORCE-PATH-STYLE': storeInputs['force-path-style'],
      INPUT_REGION: storeInputs.region,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: work,
    };
    const example = await readFile(join(projectRoot, '.env.example'), 'utf8');
    const envFile = join(work, '.env');
    const lines = Object.entries(edits).map(([name, value]) => `${name}=${value}`);
    await writeFile(envFile, `${example}\n${lines.join('\n')}\n`);

    const { stdout } = await promisify(execFile)(
      'npx',
      ['local-action', 'run', projectRoot, await scriptEntrypoint(), envFile],
      { cwd: projectRoot, env: shellEnvironment(), encoding: 'utf8', maxBuffer: 16 << 20 },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`local-action failed: ${error.message}\n${error.stdout ?? ''}`);
    });

    const outputs = printedOutputs(stdout);
    const { outputs: declared } = await readActionYml();
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(declared).sort());
    expect(outputs).toEqual({
      'aborted-count': '0',
      'matched-count': '3',
      'found-count': '4',
      'failed-count': '0',
      'gone-count': '0',
      'excluded-count': '1',
      'left-count': '0',
      'foreign-count': '0',
      'bytes-freed': '0',
      'parts-freed': '0',
      'report-path': expect.stringMatching(new RegExp(`^${work}/s3-multipart-cleanup-.+\\.jsonl$`)),
      'buckets-without-abort-rule': bucket,
      'abort-rule-added': '',
    });
    const report = (await readFile(outputs['report-path'], 'utf8')).trimEnd().split('\n');
    const results = report.map((line) => JSON.parse(line) as { key: string; result: string });
    expect(Object.fromEntries(results.map(({ key, result }) => [key, result]))).toEqual({
      'ci/a.bin': 'would-abort',
      'ci/b.bin': 'would-abort',
      'ci/c/d.bin': 'would-abort',
      'ci/keep-e.bin': 'excluded',
    });

    expect(existsSync(summaryFile)).toBe(true);
    const summary = await readFile(summaryFile, 'utf8');
    expect(summary).toContain('**Dry run: nothing was aborted.** 3 stale uploads would be aborted');
    expect(summary).toContain(`\`${bucket}\``);

    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(seeded));
    expect(stdout).not.toContain(store.secretAccessKey);
  });
});
