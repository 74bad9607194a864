// The load profiles' part of the report (bench/load.mjs): medians per contender, the targets
// of issues 14 and 20 checked against them, and one table per profile.
import { median, renderTargets, target } from './targets.mjs';

/** @typedef {import('./load.mjs').LoadProfile} LoadProfile */

const TARGETS = {
  /** Issue 14, answers 20–80 ms away: the default's aborts/s over those of concurrency: 32. */
  delayAutoPer32: 3,
  /** Issue 20, answers 20 and 50 ms away: the default's over the best fixed number's. */
  delayAutoPerBestFixed: 0.8,
  /** A queueing store: "no slower than 32", within the 3% the unit test allows for noise. */
  queueAutoPer32: 0.97,
  /** A queueing store: the most the default holds in flight, over the number it needs. */
  queueHeldPerNeeded: 2,
  /** A throttling store: the percentage of abort requests answered SlowDown. */
  slowDownRefusedPercent: 5,
};

/**
 * @param {import('./load.mjs').ContenderRuns} contender
 */
function summariseContender({ tool, uploads, runs }) {
  const seconds = median(runs.map((r) => r.seconds));
  const settled = runs.flatMap((r) => (r.settled === undefined ? [] : [r.settled]));
  return {
    tool,
    uploads,
    median: seconds,
    perSecond: uploads / seconds,
    slowDowns: median(runs.map((r) => r.slowDowns)),
    refusedPercent: median(runs.map((r) => (r.aborts ? (100 * r.slowDowns) / r.aborts : 0))),
    settled: settled.length > 0 ? median(settled) : undefined,
    mostSettled: settled.length > 0 ? Math.max(...settled) : undefined,
    peakInFlight: Math.max(...runs.map((r) => r.peakInFlight)),
    failed: Math.max(...runs.map((r) => r.failed)),
    cpuMsPerAbort: (median(runs.map((r) => r.cpuSeconds)) * 1000) / uploads,
    runs,
  };
}

/** @typedef {ReturnType<typeof summariseContender>} Contender */

/**
 * Each contender's aborts/s over those of the fastest fixed number of the same bundle (the
 * action's, or the baseline's): how far its default is from the best a user could pick.
 * @param {Contender[]} contenders
 */
function perBestFixed(contenders) {
  /** @param {Contender} c */
  const bundle = (c) => c.tool.split(' ')[0];
  return contenders.map((c) => {
    const fixed = contenders.filter((o) => bundle(o) === bundle(c) && /\d+$/.test(o.tool));
    const best = fixed.reduce((a, b) => (b.perSecond > a.perSecond ? b : a), fixed[0]);
    return { ...c, best: best?.tool, perBestFixed: best ? c.perSecond / best.perSecond : NaN };
  });
}

/** @param {LoadProfile} profile */
export function summariseLoad(profile) {
  const stores = profile.stores.map((store) => {
    const contenders = perBestFixed(store.contenders.map(summariseContender));
    const needed = store.contenders[0]?.runs[0]?.needed;
    return { ...store, needed, contenders };
  });
  return { ...profile, stores, targets: stores.flatMap((s) => targetsOf(profile.name, s)) };
}

/**
 * @param {LoadProfile['name']} name
 * @param {{ label: string, allowedPerSecond?: number, keptShare?: number, needed?: number,
 *   contenders: ReturnType<typeof perBestFixed> }} store
 */
function targetsOf(name, store) {
  const of = (/** @type {string} */ tool) => store.contenders.find((c) => c.tool === tool);
  const auto = of('action');
  const fixed = of('action 32');
  const autoPer32 = (auto?.perSecond ?? NaN) / (fixed?.perSecond ?? NaN);
  switch (name) {
    case 'delay': {
      const best = `auto/best fixed (${auto?.best?.slice(7)}) aborts/s`;
      return [
        target(`${store.label}: auto/32 aborts/s`, autoPer32, '≥', TARGETS.delayAutoPer32),
        target(
          `${store.label}: ${best}`,
          auto?.perBestFixed ?? NaN,
          '≥',
          TARGETS.delayAutoPerBestFixed,
        ),
      ];
    }
    case 'queue': {
      const needed = store.needed ?? NaN;
      const { queueHeldPerNeeded: most } = TARGETS;
      return [
        target(`${store.label}: auto/32 aborts/s`, autoPer32, '≥', TARGETS.queueAutoPer32),
        target('auto settled / needed', (auto?.mostSettled ?? NaN) / needed, '≤', most),
        target('auto peak in flight / needed', (auto?.peakInFlight ?? NaN) / needed, '≤', most),
      ];
    }
    case 'slowdown': {
      const allowed = store.allowedPerSecond ?? NaN;
      const kept = store.keptShare ?? NaN;
      return store.contenders
        .filter((c) => c.tool.startsWith('action'))
        .flatMap((c) => {
          const who = `${store.label}: ${c.tool === 'action' ? 'auto' : c.tool.slice(7)}`;
          return [
            target(`${who} aborts/s / allowed`, c.perSecond / allowed, '≥', kept),
            target(`${who} SlowDown %`, c.refusedPercent, '≤', TARGETS.slowDownRefusedPercent),
          ];
        });
    }
  }
}

const s = (/** @type {number} */ seconds) => seconds.toFixed(2);
const dash = (/** @type {number | undefined} */ n) => (n === undefined ? '-' : String(n));
const ratio = (/** @type {number} */ n) => (Number.isNaN(n) ? '-' : n.toFixed(2));

/** @param {ReturnType<typeof summariseLoad>} profile */
export function renderLoad(profile) {
  const lines = [
    `profile ${profile.name} (a stand-in store in memory, ${profile.rounds} rounds, contenders interleaved; medians)`,
  ];
  const fewer = profile.stores.some((store) =>
    store.contenders.some((c) => c.uploads !== store.uploads),
  );
  for (const store of profile.stores) {
    const needed = store.needed === undefined ? '' : `; needs ${store.needed} in flight`;
    lines.push(
      `  store ${store.label}: ${store.description}${needed}; ${store.uploads} uploads a run`,
      '    contender   uploads  median s  aborts/s  /best fixed  SlowDown  % of req  settled  peak  failed  CPU ms/abort   runs (s)',
    );
    for (const c of store.contenders) {
      const mark = c.uploads === store.uploads ? ' ' : '*';
      lines.push(
        `    ${c.tool.padEnd(11)} ${String(c.uploads).padStart(7)}${mark} ${s(c.median).padStart(8)} ${c.perSecond.toFixed(0).padStart(9)} ${ratio(c.perBestFixed).padStart(12)} ${String(c.slowDowns).padStart(9)} ${c.refusedPercent.toFixed(1).padStart(9)} ${dash(c.settled).padStart(8)} ${String(c.peakInFlight).padStart(5)} ${String(c.failed).padStart(7)} ${c.cpuMsPerAbort.toFixed(2).padStart(13)}   ${c.runs.map((r) => s(r.seconds)).join(' ')}`,
      );
    }
  }
  lines.push(
    '  action: dist/index.js with default inputs (concurrency: auto); action N: concurrency: N',
    profile.before === undefined
      ? '  before: not run (--before PATH)'
      : `  before auto, before N: ${profile.before}, with its default inputs or concurrency: N`,
    ...(fewer
      ? ['  * fewer uploads (--before-uploads): compare by aborts/s, which include its start-up']
      : []),
    '  /best fixed: aborts/s over those of the fastest fixed number of the same bundle',
    "  settled: the action's log line (auto: the number it settled on; N: N), median of the runs",
    '  peak: the most aborts the store held at once, highest of the runs; SlowDown: median count, and % of its abort requests',
    '  failed: uploads not aborted, most of the runs; CPU: user + system of the process, start-up included',
    ...renderTargets(profile.targets, 44),
  );
  return lines;
}
