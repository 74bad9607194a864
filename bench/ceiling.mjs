// The ceiling profile: how fast the client itself can go. The contenders clean the same
// N uploads held by a stand-in that costs almost nothing (bench/stand-in-store.mjs), so
// the client's own CPU is the bound, as it is against Amazon S3, which takes about 3,500
// aborts a second per prefix. Each contender is a fresh Node 24 process, start-up included:
// the action as the runner runs it, the SDK's command pipeline in its best settings
// (bench/raw-client.mjs), and a minimal client signing by hand (bench/hand-signed-client.mjs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from './store.mjs';
import { node24, projectRoot, runAction, startHelper, timed, withPeakRss } from './tools.mjs';

/** Aborts in flight for all three: the baseline's best (see README), the action's old default. */
const CONCURRENCY = 32;

/**
 * Interleaved rounds of the three clients against one zero-cost store.
 * @param {{ uploads: number, rounds: number, log: (line: string) => void }} options
 */
export async function benchCeiling({ uploads, rounds, log }) {
  const store = await startHelper('stand-in-store', [String(uploads)]);
  log(`ceiling: zero-cost store with ${uploads} uploads at ${store.endpoint}`);
  const contenders = [
    {
      tool: 'action',
      run: () =>
        runAction({
          endpoint: store.endpoint,
          bucket: 'bench',
          expected: uploads,
          measureMemory: true,
          inputs: { concurrency: String(CONCURRENCY) },
        }),
    },
    { tool: 'raw', run: () => runClientProcess('raw-client', store.endpoint, uploads) },
    {
      tool: 'hand-signed',
      run: () => runClientProcess('hand-signed-client', store.endpoint, uploads),
    },
  ];
  const tools = contenders.map(({ tool }) => ({
    tool,
    uploads,
    /** @type {number[]} */ seconds: [],
    /** @type {number[]} */ cpuSeconds: [],
    /** @type {number[]} */ maxRssKb: [],
  }));
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const [i, { tool, run }] of contenders.entries()) {
        const result = await run();
        tools[i].seconds.push(result.seconds);
        tools[i].cpuSeconds.push(result.cpuSeconds);
        tools[i].maxRssKb.push(result.maxRssKb ?? NaN);
        log(
          `ceiling round ${round}/${rounds}: ${tool} ${uploads} uploads in ${result.seconds.toFixed(2)} s, CPU ${result.cpuSeconds.toFixed(2)} s, peak RSS ${Math.round((result.maxRssKb ?? 0) / 1024)} MiB`,
        );
      }
    }
  } finally {
    await store.stop();
  }
  return {
    name: /** @type {const} */ ('ceiling'),
    delayMs: 0,
    rawConcurrency: CONCURRENCY,
    calibration: [],
    tools,
  };
}

/**
 * A client of bench/ (NAME.mjs) in a fresh process, timed like the action: spawn to exit.
 * @param {string} name
 * @param {string} endpoint
 * @param {number} expected
 * @returns {Promise<import('./tools.mjs').Run>}
 */
async function runClientProcess(name, endpoint, expected) {
  const work = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  try {
    const script = join(projectRoot, 'bench', `${name}.mjs`);
    const { command, peakRssKb } = withPeakRss(
      [node24, script, endpoint, String(CONCURRENCY), String(expected)],
      join(work, 'rss'),
    );
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const run = await timed(command, { cwd: projectRoot, env });
    if (run.code !== 0) throw new Error(`${name} exited with ${run.code}:\n${run.output}`);
    return { seconds: run.seconds, cpuSeconds: run.cpuSeconds, maxRssKb: await peakRssKb() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
