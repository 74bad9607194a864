// The benchmark of issue #4: how fast the action cleans stale multipart uploads, compared
// with a hand-written SDK baseline (the server's practical limit) and with rclone, straight
// to a local Ceph RGW and through a proxy that adds 20 ms to every request; and how the
// action's memory grows with the number of uploads. Beside them, against in-memory stand-ins:
// the client's own ceiling (bench/ceiling.mjs) and, for issue #14, the action's traffic
// control against stores that delay, queue and throttle (bench/load.mjs). Run it with
// `npm run bench` (bench/run.sh), which installs rclone and starts the server when a profile
// needs them; progress goes to stderr, results to stdout.
//
// The machine is shared and noisy, so tools run interleaved (A B C A B C …) on freshly
// seeded buckets and everything is reported as medians and ratios from the same run.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertNoUploads, createClient, removeBucket, rgwEndpoint, seedBucket } from './store.mjs';
import {
  actionInputs,
  node24,
  projectRoot,
  runAction,
  runRaw,
  runRclone,
  startHelper,
  timed,
} from './tools.mjs';
import { benchCeiling } from './ceiling.mjs';
import { benchFleet } from './fleet.mjs';
import { benchLoad, DEFAULT_DELAYS, LOAD_PROFILES } from './load.mjs';
import { printReport } from './report.mjs';

/** @typedef {import('./tools.mjs').Run} Run */

const USAGE = `usage: npm run bench -- [options]
  --uploads N           stale uploads per timed run of loopback and rtt20 (default 3000)
  --rounds R            rounds of the contenders per profile (default 3, at least 3)
  --profile P           loopback, rtt20, ceiling, delay, queue, slowdown, fleet, both
                        (loopback and rtt20), load (delay, queue and slowdown) or all
                        (default all)
  --ceiling-uploads N   uploads per timed run of the ceiling profile (default 20000)
  --delay-uploads N     uploads per timed run of the delay profile (default 10000)
  --delays LIST         the delay profile's stores: answers MS after their request, each
                        with its own uploads as MS:N if given (default 20,40,80)
  --queue-uploads N     uploads per timed run of the queue profile (default 3000)
  --slowdown-uploads N  uploads per timed run of the slowdown profile (default 15000)
  --before PATH         a baseline bundle (dist/index.js of an earlier version) to run in
                        the delay, queue and slowdown profiles beside the action, with its
                        defaults and with fixed numbers, and once a scenario in fleet
  --before-uploads N    uploads per run of the baseline (default: as many as the action's;
                        never more); fewer are compared by aborts/s
  --rclone-uploads N    uploads per rclone run, if rclone through rtt20 is too slow
                        (default: --uploads); its time is then scaled to --uploads
  --raw-concurrency C   skip the calibration of the baseline, use C
  --no-memory           skip the peak-RSS runs (1,000 and 20,000 uploads)
  --json                print the results as JSON instead of tables`;

const RTT20_DELAY_MS = 20;
const RAW_CONCURRENCY_CANDIDATES = [8, 16, 32, 64];
const MEMORY_UPLOADS = [1_000, 20_000];
const STARTUP_REPETITIONS = 10;

const options = parseOptions();
const log = (/** @type {string} */ line) => console.error(`bench: ${line}`);
// Seeding and checking go straight to RGW, never through the proxy, and are not timed.
const direct = createClient({ concurrency: 32 });
// Only loopback and rtt20 need RGW (and rclone), and so do the start-up and memory runs.
const onRgw = options.profiles.some((name) => name === 'loopback' || name === 'rtt20');

const machine = await describeMachine();
log(`${machine.cpus} CPUs, load ${machine.loadBefore}, Ceph ${machine.ceph}, ${machine.rclone}`);
const startup = onRgw ? await measureStartup() : undefined;
const profiles = [];
for (const name of options.profiles) {
  if (name === 'ceiling') {
    profiles.push(
      await benchCeiling({ uploads: options.ceilingUploads, rounds: options.rounds, log }),
    );
  } else if (name === 'fleet') {
    profiles.push(await benchFleet({ rounds: options.rounds, before: options.before, log }));
  } else if (name === 'loopback' || name === 'rtt20') {
    profiles.push(await benchProfile(name));
  } else {
    const uploads = options.loadUploads[name];
    const { before, beforeUploads, rounds, delays } = options;
    profiles.push(await benchLoad({ name, uploads, beforeUploads, before, rounds, delays, log }));
  }
}
const memory = onRgw && options.memory ? await measureMemory() : undefined;
const others = onRgw ? await otherTools() : [];
machine.loadAfter = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
direct.destroy();

printReport({ machine, options, startup, profiles, memory, others });

/** One profile: calibrate the baseline, then the rounds, each tool on a fresh bucket. */
async function benchProfile(/** @type {'loopback' | 'rtt20'} */ name) {
  const proxy =
    name === 'rtt20'
      ? await startHelper('latency-proxy', [rgwEndpoint, String(RTT20_DELAY_MS)])
      : undefined;
  if (proxy) log(`latency proxy (+${RTT20_DELAY_MS} ms a request) at ${proxy.endpoint}`);
  const endpoint = proxy?.endpoint ?? rgwEndpoint;
  try {
    const calibration = [];
    let rawConcurrency = options.rawConcurrency;
    if (rawConcurrency === undefined) {
      for (const concurrency of RAW_CONCURRENCY_CANDIDATES) {
        const seconds = await rawOnce(endpoint, concurrency);
        log(`${name}: raw calibration, concurrency ${concurrency}: ${seconds.toFixed(2)} s`);
        calibration.push({ concurrency, seconds });
      }
      rawConcurrency = calibration.reduce((a, b) => (b.seconds < a.seconds ? b : a)).concurrency;
    }
    const rawClient = createClient({ endpoint, concurrency: rawConcurrency });
    const { uploads } = options;
    /** @type {{ tool: string, uploads: number, run: (bucket: string) => Promise<Run> }[]} */
    const contenders = [
      {
        tool: 'action',
        uploads,
        run: (bucket) => runAction({ endpoint, bucket, expected: uploads }),
      },
      {
        tool: 'raw',
        uploads,
        run: (bucket) =>
          runRaw({ client: rawClient, bucket, concurrency: rawConcurrency, expected: uploads }),
      },
      {
        tool: 'rclone',
        uploads: options.rcloneUploads,
        run: (bucket) => runRclone({ endpoint, bucket }),
      },
    ];
    const tools = contenders.map(({ tool, uploads: count }) => ({
      tool,
      uploads: count,
      /** @type {number[]} */ seconds: [],
      /** @type {number[]} */ cpuSeconds: [],
    }));
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const [i, { tool, uploads: count, run }] of contenders.entries()) {
        const { seconds, cpuSeconds } = await onFreshBucket(count, tool, run);
        tools[i].seconds.push(seconds);
        tools[i].cpuSeconds.push(cpuSeconds);
        const what = `${tool} ${count} uploads in ${seconds.toFixed(2)} s, CPU ${cpuSeconds.toFixed(2)} s`;
        log(`${name} round ${round}/${options.rounds}: ${what}`);
      }
    }
    rawClient.destroy();
    return { name, delayMs: proxy ? RTT20_DELAY_MS : 0, rawConcurrency, calibration, tools };
  } finally {
    await proxy?.stop();
  }
}

/** The baseline once, for calibration, with a client of its own (as in the rounds). */
async function rawOnce(/** @type {string} */ endpoint, /** @type {number} */ concurrency) {
  const client = createClient({ endpoint, concurrency });
  try {
    const run = (/** @type {string} */ bucket) =>
      runRaw({ client, bucket, concurrency, expected: options.uploads });
    return (await onFreshBucket(options.uploads, 'raw', run)).seconds;
  } finally {
    client.destroy();
  }
}

/**
 * Seeds a new bucket with `count` stale uploads, lets `run` clean it, checks that nothing is
 * left, and removes the bucket (also when something failed: the server is shared).
 * @template {{ seconds: number }} R
 * @param {number} count
 * @param {string} tool
 * @param {(bucket: string) => Promise<R>} run
 * @returns {Promise<R>}
 */
async function onFreshBucket(count, tool, run) {
  const bucket = await seedBucket(direct, count);
  let result;
  try {
    result = await run(bucket);
    await assertNoUploads(direct, bucket, tool);
  } finally {
    await removeBucket(direct, bucket).catch((error) =>
      log(`could not remove ${bucket}: ${error}`),
    );
  }
  return result;
}

/**
 * What the action costs before it does any work, interleaved with a bare Node start: the
 * bundle with an invalid input (loads, parses, writes outputs and summary, sends nothing),
 * and a whole run on an empty bucket (adds the client and one listing).
 */
async function measureStartup() {
  const emptyBucket = await seedBucket(direct, 0);
  const env = { PATH: process.env.PATH };
  /** @type {Record<'bare' | 'invalidInput' | 'emptyBucket', number[]>} */
  const times = { bare: [], invalidInput: [], emptyBucket: [] };
  try {
    for (let i = 0; i < STARTUP_REPETITIONS; i += 1) {
      times.bare.push((await timed([node24, '-e', '0'], { cwd: projectRoot, env })).seconds);
      const invalid = await runAction({ endpoint: rgwEndpoint, acceptFailure: true });
      times.invalidInput.push(invalid.seconds);
      const empty = await runAction({ endpoint: rgwEndpoint, bucket: emptyBucket, expected: 0 });
      times.emptyBucket.push(empty.seconds);
    }
  } finally {
    await removeBucket(direct, emptyBucket);
  }
  log(`start-up measured (${STARTUP_REPETITIONS} times each)`);
  return times;
}

/** The action's peak RSS on an empty bucket and on 1,000 and 20,000 uploads, loopback. */
async function measureMemory() {
  const runs = [];
  for (const count of [0, ...MEMORY_UPLOADS]) {
    const run = (/** @type {string} */ bucket) =>
      runAction({ endpoint: rgwEndpoint, bucket, expected: count, measureMemory: true });
    const { seconds, maxRssKb } = await onFreshBucket(count, 'action', run);
    log(`memory: ${count} uploads, peak RSS ${maxRssKb} KiB, ${seconds.toFixed(2)} s`);
    runs.push({ uploads: count, maxRssKb, seconds });
  }
  return runs;
}

/**
 * The AWS CLI and s3cmd have no bulk abort: one process per upload. They are not run; the
 * reason printed says what one process start costs here, where the CLI is installed.
 */
async function otherTools() {
  const run = (/** @type {string[]} */ command) =>
    timed(command, { cwd: projectRoot, env: process.env }).catch(() => undefined);
  const aws = await run(['aws', '--version']);
  const s3cmd = await run(['s3cmd', '--version']);
  const perUpload = 'no bulk abort: one process per upload';
  return [
    {
      tool: 'aws-cli',
      skipped:
        aws?.code === 0
          ? `${perUpload} (aws s3api abort-multipart-upload); \`aws --version\` alone takes ${aws.seconds.toFixed(2)} s here, ≈ ${Math.round((aws.seconds * options.uploads) / 60)} min for ${options.uploads} uploads`
          : `not installed, and ${perUpload}`,
    },
    {
      tool: 's3cmd',
      skipped: `${s3cmd?.code === 0 ? 'not run' : 'not installed'}: ${perUpload} (s3cmd abortmp), like the AWS CLI`,
    },
  ];
}

async function describeMachine() {
  const firstLine = async (/** @type {string[]} */ command) => {
    const run = await timed(command, { cwd: projectRoot, env: process.env }).catch(() => undefined);
    return run?.code === 0 ? run.output.split('\n')[0].trim() : 'not found';
  };
  const [ceph, rclone, action] = await Promise.all([
    firstLine(['radosgw', '--version']),
    firstLine(['rclone', 'version']),
    firstLine([node24, '--version']),
  ]);
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    loadBefore: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    loadAfter: '',
    benchNode: process.version,
    actionNode: action,
    actionConcurrency: (await actionInputs()).concurrency?.default ?? '?',
    ceph: ceph.replace(/^ceph version (\S+).*?(\w+) \(stable\)$/, '$1 $2'),
    rclone,
  };
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      uploads: { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '3' },
      profile: { type: 'string', default: 'all' },
      'ceiling-uploads': { type: 'string', default: '20000' },
      'delay-uploads': { type: 'string', default: String(LOAD_PROFILES.delay.uploads) },
      delays: { type: 'string' },
      'queue-uploads': { type: 'string', default: String(LOAD_PROFILES.queue.uploads) },
      'slowdown-uploads': { type: 'string', default: String(LOAD_PROFILES.slowdown.uploads) },
      before: { type: 'string' },
      'before-uploads': { type: 'string' },
      'rclone-uploads': { type: 'string' },
      'raw-concurrency': { type: 'string' },
      'no-memory': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (/** @type {string} */ name, /** @type {string} */ text, min = 1) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min}, got ${text}`);
    return n;
  };
  const load = ['delay', 'queue', 'slowdown'];
  const profiles = {
    loopback: ['loopback'],
    rtt20: ['rtt20'],
    ceiling: ['ceiling'],
    delay: ['delay'],
    queue: ['queue'],
    slowdown: ['slowdown'],
    fleet: ['fleet'],
    both: ['loopback', 'rtt20'],
    load,
    all: ['loopback', 'rtt20', 'ceiling', ...load, 'fleet'],
  }[values.profile];
  if (!profiles) {
    fail(
      `--profile must be loopback, rtt20, ceiling, delay, queue, slowdown, fleet, both, load or all, got ${values.profile}`,
    );
  }
  const before = values.before === undefined ? undefined : resolve(values.before);
  if (before !== undefined && !existsSync(before)) fail(`--before: no such file, ${before}`);
  const uploads = count('uploads', values.uploads);
  return {
    uploads,
    rounds: count('rounds', values.rounds, 3),
    profiles:
      /** @type {('loopback' | 'rtt20' | 'ceiling' | 'fleet' | import('./load.mjs').LoadProfileName)[]} */ (
        profiles
      ),
    ceilingUploads: count('ceiling-uploads', values['ceiling-uploads']),
    loadUploads: {
      delay: count('delay-uploads', values['delay-uploads']),
      queue: count('queue-uploads', values['queue-uploads']),
      slowdown: count('slowdown-uploads', values['slowdown-uploads']),
    },
    delays: values.delays === undefined ? DEFAULT_DELAYS : parseDelays(values.delays),
    before,
    beforeUploads: values['before-uploads']
      ? count('before-uploads', values['before-uploads'])
      : undefined,
    rcloneUploads: values['rclone-uploads']
      ? count('rclone-uploads', values['rclone-uploads'])
      : uploads,
    rawConcurrency: values['raw-concurrency']
      ? count('raw-concurrency', values['raw-concurrency'])
      : undefined,
    memory: !values['no-memory'],
    json: values.json,
  };
}

/**
 * `20,50:10000`: stores 20 and 50 ms away, the second with 10,000 uploads a run.
 * @param {string} text
 */
function parseDelays(text) {
  return text.split(',').map((item) => {
    const [delay, uploads] = item.split(':').map(Number);
    const whole = (/** @type {number} */ n) => Number.isInteger(n) && n > 0;
    if (!whole(delay) || (uploads !== undefined && !whole(uploads))) {
      fail(`--delays: "${item}" is not MS or MS:UPLOADS, e.g. 20 or 50:10000`);
    }
    return { delayMs: delay, uploads };
  });
}

/** @returns {never} */
function fail(/** @type {string} */ message) {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
