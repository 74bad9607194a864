// The profiles of issues 14 and 20: how the action's traffic control does against stores
// under load. Each store is a stand-in (bench/stand-in-store.mjs) in a process of its own, in
// real time, served to the real dist/index.js; the same stores as the unit test's simulated
// clock (__tests__/support/traffic-sim.ts):
//
//   delay     every answer 20, 40 or 80 ms after its request (--delays): does `auto` find that
//             more in flight give more aborts a second, and how close does it come to the
//             best fixed number?
//   queue     300 aborts a second, one after another, 20 ms away: does `auto` stop where more
//             in flight only wait in the store's queue?
//   slowdown  SlowDown above 1,500 aborts a second, 20 ms away (a token bucket), and the
//             harsher store that counts refused requests against its rate; and two slow
//             stores 10 ms away that take 50 a second, one counting by a sliding second, one
//             with a token bucket: does the run keep to the store's pace, from its first
//             requests on?
//
// Contenders: the action with its default inputs (concurrency: auto), the action with fixed
// numbers, and with --before a baseline bundle at the settings it is run with. They take
// turns, round after round, on one store per setting. Aborts change nothing in the stand-in,
// so every run meets the same uploads; the store is reset before each run and its own counts
// read after it.
import { runAction, startHelper } from './tools.mjs';

/**
 * @typedef {'delay' | 'queue' | 'slowdown'} LoadProfileName
 * @typedef {number | 'auto'} Setting `concurrency` as the action takes it
 *
 * @typedef {object} StoreSetup one stand-in store, and who runs against it
 * @property {string} label
 * @property {string} description
 * @property {string[]} args the stand-in's options
 * @property {number} [uploads] uploads a run, when not the profile's
 * @property {number} [allowedPerSecond] the rate above which it answers SlowDown
 * @property {number} [keptShare] the share of that rate a run must keep (its target)
 * @property {number[]} numbers `concurrency` of the action's fixed-number contenders
 * @property {Setting[]} before `concurrency` of the baseline bundle's contenders
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
 * @typedef {StoreSetup & { uploads: number, contenders: ContenderRuns[] }} StoreRuns
 * @typedef {{ kind: 'load', name: LoadProfileName, uploads: number, rounds: number,
 *   before: string | undefined, stores: StoreRuns[] }} LoadProfile
 */

const QUEUE_PER_SECOND = 300;
const FAST_ALLOWED = 1_500;
const SLOW_ALLOWED = 50;
/** A slow store's runs: long enough (30 s and more) for its pace to show, not just its start. */
const SLOW_UPLOADS = 1_500;
const fastSlowDown = ['--delay', '20', '--slowdown', String(FAST_ALLOWED)];

/** The delay profile's stores: answers this many ms away, and the uploads a run (--delays). */
export const DEFAULT_DELAYS = [{ delayMs: 20 }, { delayMs: 40 }, { delayMs: 80 }];

/**
 * @param {{ delayMs: number, uploads?: number }} delay
 * @returns {StoreSetup}
 */
const delayStore = ({ delayMs, uploads }) => ({
  label: uploads === undefined ? `${delayMs} ms` : `${delayMs} ms, ${uploads}`,
  description: `every answer ${delayMs} ms after its request`,
  args: ['--delay', String(delayMs)],
  uploads,
  numbers: [32, 128, 256],
  before: ['auto', 32, 128, 256],
});

/**
 * The stores of each profile, and the default uploads a run: enough for `auto` to find its
 * number and hold it a while (its climb is a fixed cost, so fewer uploads lower its rate).
 * @type {Record<LoadProfileName, { uploads: number, stores: StoreSetup[] }>}
 */
export const LOAD_PROFILES = {
  delay: { uploads: 10_000, stores: DEFAULT_DELAYS.map(delayStore) },
  queue: {
    uploads: 3_000,
    stores: [
      {
        label: `${QUEUE_PER_SECOND}/s`,
        description: `${QUEUE_PER_SECOND} aborts a second, one after another, the rest queued (FIFO); 20 ms away`,
        args: ['--delay', '20', '--queue', String(QUEUE_PER_SECOND)],
        numbers: [32],
        before: ['auto', 32],
      },
    ],
  },
  slowdown: {
    uploads: 15_000,
    stores: [
      {
        label: 'SlowDown',
        description: `SlowDown above ${FAST_ALLOWED} aborts a second (a token bucket of 20 ms); 20 ms away`,
        args: fastSlowDown,
        allowedPerSecond: FAST_ALLOWED,
        keptShare: 0.7,
        numbers: [32, 256],
        before: ['auto', 32, 256],
      },
      {
        label: 'counted',
        description: `the same, and refused aborts count against the rate too`,
        args: [...fastSlowDown, '--count-refused'],
        allowedPerSecond: FAST_ALLOWED,
        keptShare: 0.7,
        numbers: [256],
        before: ['auto', 256],
      },
      {
        label: 'second 50/s',
        description: `SlowDown when ${SLOW_ALLOWED} were accepted within the last second (a sliding second); 10 ms away`,
        args: ['--delay', '10', '--per-second', String(SLOW_ALLOWED)],
        uploads: SLOW_UPLOADS,
        allowedPerSecond: SLOW_ALLOWED,
        keptShare: 0.8,
        numbers: [32, 256],
        before: ['auto', 32, 256],
      },
      {
        label: 'bucket 50/s',
        description: `SlowDown above ${SLOW_ALLOWED} aborts a second (a token bucket of 20 ms); 10 ms away`,
        args: ['--delay', '10', '--slowdown', String(SLOW_ALLOWED)],
        uploads: SLOW_UPLOADS,
        allowedPerSecond: SLOW_ALLOWED,
        keptShare: 0.8,
        numbers: [32, 256],
        before: ['auto', 32, 256],
      },
    ],
  },
};

/**
 * One load profile: each of its stores in turn, with interleaved rounds of the contenders.
 * @param {{ name: LoadProfileName, uploads: number, beforeUploads: number | undefined,
 *   before: string | undefined, rounds: number, delays: { delayMs: number, uploads?: number }[],
 *   log: (line: string) => void }} options
 * @returns {Promise<LoadProfile>}
 */
export async function benchLoad({ name, uploads, beforeUploads, before, rounds, delays, log }) {
  const stores = [];
  const setups = name === 'delay' ? delays.map(delayStore) : LOAD_PROFILES[name].stores;
  for (const setup of setups) {
    const storeUploads = setup.uploads ?? uploads;
    const baselineUploads = Math.min(storeUploads, beforeUploads ?? storeUploads);
    /** @param {Setting} setting */
    const inputs = (setting) => (setting === 'auto' ? {} : { concurrency: String(setting) });
    const contenders = [
      { tool: 'action', uploads: storeUploads, inputs: {}, dist: undefined },
      ...setup.numbers.map((n) => ({
        tool: `action ${n}`,
        uploads: storeUploads,
        inputs: inputs(n),
        dist: undefined,
      })),
      ...(before === undefined ? [] : setup.before).map((setting) => ({
        tool: `before ${setting}`,
        uploads: baselineUploads,
        inputs: inputs(setting),
        dist: before,
      })),
    ];
    const store = await startHelper('stand-in-store', [String(storeUploads), ...setup.args]);
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
    stores.push({ ...setup, uploads: storeUploads, contenders: results });
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
