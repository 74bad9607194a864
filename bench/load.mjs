// The profiles of issue 14: how the action's traffic control does against stores under load.
// Each store is a stand-in (bench/stand-in-store.mjs) in a process of its own, in real time,
// served to the real dist/index.js; the same three stores as the unit test's simulated clock
// (__tests__/support/traffic-sim.ts):
//
//   delay     every answer 20, 40 or 80 ms after its request: does `auto` find that more in
//             flight give more aborts a second?
//   queue     300 aborts a second, one after another, 20 ms away: does `auto` stop where more
//             in flight only wait in the store's queue?
//   slowdown  SlowDown above 1,500 aborts a second, 20 ms away, and the harsher store that
//             counts refused requests against its rate: does the run keep to the store's pace?
//
// Contenders: the action with its default inputs (concurrency: auto), the action with fixed
// numbers, and with --before a baseline bundle at the numbers it used to be run with. They
// take turns, round after round, on one store per setting. Aborts change nothing in the
// stand-in, so every run meets the same uploads; the store is reset before each run and its
// own counts read after it.
import { runAction, startHelper } from './tools.mjs';

/**
 * @typedef {'delay' | 'queue' | 'slowdown'} LoadProfileName
 *
 * @typedef {object} StoreSetup one stand-in store, and who runs against it
 * @property {string} label
 * @property {string} description
 * @property {string[]} args the stand-in's options
 * @property {number} [allowedPerSecond] the rate above which it answers SlowDown
 * @property {number[]} numbers `concurrency` of the action's fixed-number contenders
 * @property {number[]} before `concurrency` of the baseline bundle's contenders
 *
 * @typedef {object} LoadRun one timed run, from the action's log and the store's counts
 * @property {number} seconds
 * @property {number} cpuSeconds
 * @property {number} failed uploads not aborted
 * @property {number | undefined} settled in flight, as the action's log line says
 * @property {number | undefined} throttled SlowDown answers, as the action's log line says
 * @property {number | undefined} endedPerSecond the pace the run ended at, if throttled
 * @property {number} aborts abort requests the store received
 * @property {number} slowDowns of them answered SlowDown
 * @property {number} peakInFlight the most abort requests the store held at once
 * @property {number | undefined} needed aborts in flight the queue store needs to be busy
 * @property {number} storeCpuSeconds the store's own CPU time during the run
 *
 * @typedef {{ tool: string, uploads: number, runs: LoadRun[] }} ContenderRuns
 * @typedef {StoreSetup & { contenders: ContenderRuns[] }} StoreRuns
 * @typedef {{ kind: 'load', name: LoadProfileName, uploads: number, rounds: number,
 *   before: string | undefined, stores: StoreRuns[] }} LoadProfile
 */

const DELAY_MS = 20;
const QUEUE_PER_SECOND = 300;
const ALLOWED_PER_SECOND = 1_500;
const slowDownArgs = ['--delay', String(DELAY_MS), '--slowdown', String(ALLOWED_PER_SECOND)];

/**
 * The stores of each profile, and the default uploads a run: issue 14's, enough for `auto`
 * to find its number and hold it a while (its climb is a fixed cost, so fewer uploads lower
 * its rate). Fewer for the baseline bundle, compared by rate, so that the three profiles take
 * about eight minutes: it is as slow as `action 32` where answers are far away, and under
 * SlowDown its SDK's adaptive retries cut every request's rate for the rest of the run.
 * @type {Record<LoadProfileName, { uploads: number, beforeUploads: number,
 *   stores: StoreSetup[] }>}
 */
export const LOAD_PROFILES = {
  delay: {
    uploads: 10_000,
    beforeUploads: 2_000,
    stores: [20, 40, 80].map((ms) => ({
      label: `${ms} ms`,
      description: `every answer ${ms} ms after its request`,
      args: ['--delay', String(ms)],
      numbers: [32],
      before: [32],
    })),
  },
  queue: {
    uploads: 3_000,
    beforeUploads: 1_500,
    stores: [
      {
        label: `${QUEUE_PER_SECOND}/s`,
        description: `${QUEUE_PER_SECOND} aborts a second, one after another, the rest queued (FIFO); ${DELAY_MS} ms away`,
        args: ['--delay', String(DELAY_MS), '--queue', String(QUEUE_PER_SECOND)],
        numbers: [32],
        before: [32],
      },
    ],
  },
  slowdown: {
    uploads: 15_000,
    beforeUploads: 1_000,
    stores: [
      {
        label: 'SlowDown',
        description: `SlowDown above ${ALLOWED_PER_SECOND} aborts a second (a token bucket of 20 ms); ${DELAY_MS} ms away`,
        args: slowDownArgs,
        allowedPerSecond: ALLOWED_PER_SECOND,
        numbers: [32, 256],
        before: [32, 64, 256],
      },
      {
        label: 'counted',
        description: `the same, and refused aborts count against the rate too`,
        args: [...slowDownArgs, '--count-refused'],
        allowedPerSecond: ALLOWED_PER_SECOND,
        numbers: [256],
        before: [],
      },
    ],
  },
};

/**
 * One load profile: each of its stores in turn, with interleaved rounds of the contenders.
 * @param {{ name: LoadProfileName, uploads: number, beforeUploads: number,
 *   before: string | undefined, rounds: number, log: (line: string) => void }} options
 * @returns {Promise<LoadProfile>}
 */
export async function benchLoad({ name, uploads, beforeUploads, before, rounds, log }) {
  const stores = [];
  for (const setup of LOAD_PROFILES[name].stores) {
    const contenders = [
      { tool: 'action', uploads, inputs: {}, dist: undefined },
      ...setup.numbers.map((n) => ({
        tool: `action ${n}`,
        uploads,
        inputs: { concurrency: String(n) },
        dist: undefined,
      })),
      ...(before === undefined ? [] : setup.before).map((n) => ({
        tool: `before ${n}`,
        uploads: beforeUploads,
        inputs: { concurrency: String(n) },
        dist: before,
      })),
    ];
    const store = await startHelper('stand-in-store', [String(uploads), ...setup.args]);
    log(`${name} ${setup.label}: stand-in store (${setup.args.join(' ')}) at ${store.endpoint}`);
    /** @type {ContenderRuns[]} */
    const results = contenders.map(({ tool, uploads: count }) => ({
      tool,
      uploads: count,
      runs: [],
    }));
    try {
      for (let round = 1; round <= rounds; round += 1) {
        for (const [i, contender] of contenders.entries()) {
          const run = await runOnce(store.endpoint, contender);
          results[i].runs.push(run);
          log(
            `${name} ${setup.label} round ${round}/${rounds}: ${contender.tool} ${describeRun(run, contender.uploads)}`,
          );
        }
      }
    } finally {
      await store.stop();
    }
    stores.push({ ...setup, contenders: results });
  }
  return { kind: 'load', name, uploads, rounds, before, stores };
}

/**
 * One run of the action (or the baseline bundle) on a freshly reset store. A run that leaves
 * uploads behind is recorded, not fatal: a baseline is expected to give up on some.
 * @param {string} endpoint
 * @param {{ tool: string, uploads: number, inputs: Record<string, string>,
 *   dist: string | undefined }} contender
 * @returns {Promise<LoadRun>}
 */
async function runOnce(endpoint, { tool, uploads, inputs, dist }) {
  await storeCall(endpoint, 'POST', `/__reset?uploads=${uploads}`);
  const run = await runAction({ endpoint, bucket: 'bench', inputs, dist, acceptFailure: true });
  /** @type {import('./stand-in-store.mjs').Stats} */
  const stats = await (await storeCall(endpoint, 'GET', '/__stats')).json();
  const aborted = Number(run.outputs['aborted-count'] ?? NaN);
  if (!Number.isInteger(aborted)) {
    throw new Error(`${tool} exited with ${run.code}, no aborted-count:\n${run.log.slice(-2000)}`);
  }
  return {
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    failed: uploads - aborted,
    ...trafficOf(run.log),
    aborts: stats.aborts,
    slowDowns: stats.slowDowns,
    peakInFlight: stats.peakInFlight,
    needed: stats.needed,
    storeCpuSeconds: stats.cpuSeconds,
  };
}

/**
 * @param {string} endpoint
 * @param {'GET' | 'POST'} method
 * @param {string} path
 */
async function storeCall(endpoint, method, path) {
  const response = await globalThis.fetch(`${endpoint}${path}`, { method });
  if (!response.ok)
    throw new Error(`stand-in store: ${method} ${path} answered ${response.status}`);
  return response;
}

// `Aborts in flight: settled on N (concurrency: auto).` or `… at most N (concurrency: N).`,
// then, if the store throttled the run, `The store sent N throttling answer(s) (SlowDown): …,
// and ended at R requests a second.` The baseline bundle writes no such line.
const TRAFFIC_LINE =
  /Aborts in flight: (?:settled on|at most) (\d+) \(concurrency: [^)]+\)\.(?: The store sent (\d+) throttling answers? \(SlowDown\)[^\n]*?(?:ended at (\d+) requests a second)?)?/;

/** What the action's log line says of its traffic; nothing for a bundle that has none. */
function trafficOf(/** @type {string} */ log) {
  const found = log.match(TRAFFIC_LINE);
  const number = (/** @type {string | undefined} */ text) =>
    text === undefined ? undefined : Number(text);
  return {
    settled: number(found?.[1]),
    throttled: found ? (number(found[2]) ?? 0) : undefined,
    endedPerSecond: number(found?.[3]),
  };
}

function describeRun(/** @type {LoadRun} */ run, /** @type {number} */ uploads) {
  const settled = run.settled === undefined ? '' : `, settled ${run.settled}`;
  const failed = run.failed > 0 ? `, ${run.failed} FAILED` : '';
  return `${uploads} uploads in ${run.seconds.toFixed(2)} s (${Math.round(uploads / run.seconds)}/s), CPU ${run.cpuSeconds.toFixed(2)} s${settled}; store: CPU ${run.storeCpuSeconds.toFixed(2)} s, peak ${run.peakInFlight} in flight, ${run.slowDowns} SlowDown of ${run.aborts}${failed}`;
}
