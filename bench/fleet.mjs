// The fleet profile of issue 24: many buckets matched by one pattern, each a few targets
// (bucket × prefix), against one bucket holding the same uploads; and a fleet in which one
// bucket throttles on its own, listed first and then last. One stand-in store in a process of
// its own (bench/stand-in-store.mjs) holds each scenario's buckets (bench/fleet-buckets.mjs)
// in turn, reset before every run; the action runs as a runner runs it, `bucket: fleet-*`,
// prefixes `c/` and `d/`, default inputs.
//
//   spread   1 bucket of N uploads against N buckets of 1 upload (half under each prefix),
//            answers 40 ms and 10 ms away: what a target costs beyond its uploads
//   hot      50 buckets × 80 uploads, 25 ms away, one refusing aborts when 30 were accepted
//            within the last second; against the hot bucket alone and the fleet without it
//
// Contenders: the action, and with --before a baseline bundle, run in the first round only
// (it cleans targets one after another: a 600-target fleet 40 ms away costs it a minute).
import { median, renderTargets, target } from './targets.mjs';
import { runAction, startHelper } from './tools.mjs';

/**
 * @typedef {import('./fleet-buckets.mjs').FleetSpec} FleetSpec
 * @typedef {{ label: string, spec: FleetSpec, hot?: string }} Scenario `hot`: the
 *   throttling bucket's name
 * @typedef {object} FleetRun
 * @property {number} seconds
 * @property {number} failed uploads not aborted
 * @property {number} hotAborts abort requests the hot bucket received
 * @property {number} hotSlowDowns of them refused
 * @property {number} otherSlowDowns refusals of every other bucket
 * @typedef {{ tool: string, runs: FleetRun[] }} FleetContender
 * @typedef {{ kind: 'fleet', name: 'fleet', rounds: number, before: string | undefined,
 *   scenarios: (Scenario & { uploads: number, contenders: FleetContender[] })[] }} FleetProfile
 */

export const FLEET_BUCKETS = 300;
export const HOT_FLEET_BUCKETS = 50;
const HOT_UPLOADS = 80;
const HOT_PER_SECOND = 30;
const HOT_DELAY_MS = 25;
const PREFIXES = ['c/', 'd/'];
const name = (/** @type {number} */ i) => `fleet-${String(i).padStart(3, '0')}`;

const TARGETS = {
  /** A fleet of N one-upload buckets over one bucket of the same N uploads, 40 ms away. */
  spreadPerOne: 2,
  /** The fleet with the hot bucket over max(the hot bucket alone, the fleet without it). */
  hotPerBaseline: 1.5,
  /** The hot bucket's abort requests refused, %. */
  hotRefusedPercent: 25,
  /** The other buckets' refusals, all runs. */
  othersRefused: 0,
};

/** 1 upload a bucket, under `c/` or `d/` in turn; or all of them in one bucket. */
function spread(/** @type {number} */ buckets, /** @type {number} */ delayMs) {
  if (buckets === 1) {
    const half = FLEET_BUCKETS / 2;
    return { delayMs, buckets: [{ name: name(0), uploads: { 'c/': half, 'd/': half } }] };
  }
  return {
    delayMs,
    buckets: Array.from({ length: buckets }, (_, i) => ({
      name: name(i),
      uploads: { [PREFIXES[i % 2]]: 1 },
    })),
  };
}

/** The hot fleet's buckets: 1 … 49 cool ones, and the hot one named to sort first or last. */
function hotFleet(/** @type {'first' | 'last' | 'alone' | 'none'} */ where) {
  const each = { 'c/': HOT_UPLOADS / 2, 'd/': HOT_UPLOADS / 2 };
  const cool = Array.from({ length: HOT_FLEET_BUCKETS - 1 }, (_, i) => ({
    name: name(i + 1),
    uploads: each,
  }));
  const hotName = name(where === 'last' ? HOT_FLEET_BUCKETS : 0);
  const hot = { name: hotName, uploads: each, perSecond: HOT_PER_SECOND };
  const buckets = { first: [hot, ...cool], last: [...cool, hot], alone: [hot], none: cool }[where];
  return { spec: { delayMs: HOT_DELAY_MS, buckets }, hot: where === 'none' ? undefined : hotName };
}

/** @type {Scenario[]} */
export const SCENARIOS = [
  { label: 'one bucket, 40 ms', spec: spread(1, 40) },
  { label: `${FLEET_BUCKETS} buckets, 40 ms`, spec: spread(FLEET_BUCKETS, 40) },
  { label: 'one bucket, 10 ms', spec: spread(1, 10) },
  { label: `${FLEET_BUCKETS} buckets, 10 ms`, spec: spread(FLEET_BUCKETS, 10) },
  { label: 'hot alone', ...hotFleet('alone') },
  { label: 'fleet without hot', ...hotFleet('none') },
  { label: 'hot listed first', ...hotFleet('first') },
  { label: 'hot listed last', ...hotFleet('last') },
];

const uploadsOf = (/** @type {FleetSpec} */ spec) =>
  spec.buckets.reduce((sum, b) => sum + Object.values(b.uploads).reduce((s, n) => s + n, 0), 0);

/**
 * @param {{ rounds: number, before: string | undefined, log: (line: string) => void }} options
 * @returns {Promise<FleetProfile>}
 */
export async function benchFleet({ rounds, before, log }) {
  const store = await startHelper('stand-in-store', ['0']);
  log(`fleet: stand-in store at ${store.endpoint}`);
  const scenarios = SCENARIOS.map((s) => ({
    ...s,
    uploads: uploadsOf(s.spec),
    contenders: /** @type {FleetContender[]} */ ([
      { tool: 'action', runs: [] },
      ...(before === undefined ? [] : [{ tool: 'before', runs: [] }]),
    ]),
  }));
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const scenario of scenarios) {
        for (const contender of scenario.contenders) {
          if (contender.tool === 'before' && round > 1) continue;
          const dist = contender.tool === 'before' ? before : undefined;
          const run = await runOnce(store.endpoint, scenario, dist);
          contender.runs.push(run);
          log(
            `fleet ${scenario.label} round ${round}/${rounds}: ${contender.tool} ${describe(run)}`,
          );
        }
      }
    }
  } finally {
    await store.stop();
  }
  return { kind: 'fleet', name: 'fleet', rounds, before, scenarios };
}

/**
 * @param {string} endpoint
 * @param {Scenario & { uploads: number }} scenario
 * @param {string | undefined} dist
 * @returns {Promise<FleetRun>}
 */
async function runOnce(endpoint, { spec, hot, uploads }, dist) {
  const reset = await globalThis.fetch(`${endpoint}/__reset`, {
    method: 'POST',
    body: JSON.stringify(spec),
  });
  if (!reset.ok) throw new Error(`stand-in store: reset answered ${reset.status}`);
  const run = await runAction({
    endpoint,
    bucket: 'fleet-*',
    inputs: { prefix: PREFIXES.join('\n') },
    dist,
    acceptFailure: true,
  });
  /** @type {import('./stand-in-store.mjs').Stats} */
  const stats = await (await globalThis.fetch(`${endpoint}/__stats`)).json();
  const aborted = Number(run.outputs['aborted-count'] ?? NaN);
  if (!Number.isInteger(aborted)) {
    throw new Error(`exited with ${run.code}, no aborted-count:\n${run.log.slice(-2000)}`);
  }
  const buckets = Object.entries(stats.buckets ?? {});
  const hotStats = buckets.find(([n]) => n === hot)?.[1];
  return {
    seconds: run.seconds,
    failed: uploads - aborted,
    hotAborts: hotStats?.aborts ?? 0,
    hotSlowDowns: hotStats?.slowDowns ?? 0,
    otherSlowDowns: buckets.reduce((sum, [n, b]) => sum + (n === hot ? 0 : b.slowDowns), 0),
  };
}

function describe(/** @type {FleetRun} */ run) {
  const failed = run.failed > 0 ? `, ${run.failed} FAILED` : '';
  const hot = run.hotAborts ? `; hot: ${run.hotSlowDowns} SlowDown of ${run.hotAborts}` : '';
  return `${run.seconds.toFixed(2)} s${hot}; others: ${run.otherSlowDowns} SlowDown${failed}`;
}

/** @param {FleetProfile} profile */
export function summariseFleet(profile) {
  const scenarios = profile.scenarios.map((s) => ({
    ...s,
    contenders: s.contenders.map(({ tool, runs }) => ({
      tool,
      runs,
      median: median(runs.map((r) => r.seconds)),
      hotRefusedPercent: median(
        runs.map((r) => (r.hotAborts ? (100 * r.hotSlowDowns) / r.hotAborts : 0)),
      ),
      otherSlowDowns: Math.max(...runs.map((r) => r.otherSlowDowns)),
      failed: Math.max(...runs.map((r) => r.failed)),
    })),
  }));
  /** The median of the action's runs, or of the baseline's one run. */
  const seconds = (/** @type {string} */ label, tool = 'action') =>
    scenarios.find((s) => s.label === label)?.contenders.find((c) => c.tool === tool)?.median ??
    NaN;
  const actionOf = (/** @type {string} */ label) =>
    scenarios.find((s) => s.label === label)?.contenders.find((c) => c.tool === 'action');
  const ratios = (/** @type {string} */ tool) => ({
    spread40: seconds(`${FLEET_BUCKETS} buckets, 40 ms`, tool) / seconds('one bucket, 40 ms', tool),
    spread10: seconds(`${FLEET_BUCKETS} buckets, 10 ms`, tool) / seconds('one bucket, 10 ms', tool),
    baseline: Math.max(seconds('hot alone', tool), seconds('fleet without hot', tool)),
  });
  const now = ratios('action');
  const targets = [
    target(`${FLEET_BUCKETS} buckets / one, 40 ms`, now.spread40, '≤', TARGETS.spreadPerOne),
    ...['first', 'last'].flatMap((where) => {
      const hot = actionOf(`hot listed ${where}`);
      return [
        target(
          `hot ${where}: run / max(hot alone, fleet without)`,
          seconds(`hot listed ${where}`) / now.baseline,
          '≤',
          TARGETS.hotPerBaseline,
        ),
        target(
          `hot ${where}: its SlowDown %`,
          hot?.hotRefusedPercent ?? NaN,
          '≤',
          TARGETS.hotRefusedPercent,
        ),
        target(
          `hot ${where}: others' SlowDown`,
          hot?.otherSlowDowns ?? NaN,
          '≤',
          TARGETS.othersRefused,
        ),
      ];
    }),
  ];
  const before = profile.before === undefined ? undefined : ratios('before');
  return { ...profile, scenarios, ratios: { action: now, before }, targets };
}

const s = (/** @type {number} */ seconds) => seconds.toFixed(2);

/** @param {ReturnType<typeof summariseFleet>} profile */
export function renderFleet(profile) {
  const lines = [
    `profile fleet (one stand-in store in memory, bucket: fleet-*, prefixes c/ and d/, ${profile.rounds} rounds, scenarios interleaved; medians)`,
    '    scenario                buckets  uploads  contender  median s  hot SlowDown %  others SlowDown  failed   runs (s)',
  ];
  for (const scenario of profile.scenarios) {
    for (const c of scenario.contenders) {
      lines.push(
        `    ${scenario.label.padEnd(22)} ${String(scenario.spec.buckets.length).padStart(8)} ${String(scenario.uploads).padStart(8)}  ${c.tool.padEnd(9)} ${s(c.median).padStart(9)} ${(scenario.hot ? c.hotRefusedPercent.toFixed(1) : '-').padStart(15)} ${String(c.otherSlowDowns).padStart(16)} ${String(c.failed).padStart(7)}   ${c.runs.map((r) => s(r.seconds)).join(' ')}`,
      );
    }
  }
  const { action, before } = profile.ratios;
  const ratioLine = (/** @type {string} */ who, /** @type {typeof action} */ r) =>
    `  ${who}: ${FLEET_BUCKETS} buckets / one ${s(r.spread40)}× at 40 ms, ${s(r.spread10)}× at 10 ms`;
  lines.push(
    ratioLine('action', action),
    ...(before ? [ratioLine('before', before)] : []),
    `  hot: ${HOT_UPLOADS} uploads, SlowDown when ${HOT_PER_SECOND} were accepted within the last second; the others ${HOT_UPLOADS} each, never refused; ${HOT_DELAY_MS} ms away`,
    profile.before === undefined
      ? '  before: not run (--before PATH)'
      : `  before: ${profile.before}, default inputs, first round only`,
    ...renderTargets(profile.targets, 46),
  );
  return lines;
}
