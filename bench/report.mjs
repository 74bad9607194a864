// Turns the benchmark's measurements into medians, ratios and the targets, and prints
// them as plain-text tables (or JSON with --json).
import { renderFleet, summariseFleet } from './fleet.mjs';
import { renderLoad, summariseLoad } from './load-report.mjs';
import { median, renderTargets, target } from './targets.mjs';

/** The issues' targets (#4; #14 for the ceiling), checked against this run's numbers. */
const TARGETS = {
  actionPerRaw: { loopback: 1.3, rtt20: 1.3, ceiling: 0.4 },
  rclonePerAction: { loopback: 1.5, rtt20: 10 },
  rss20kPer1k: 1.3,
};

/**
 * @typedef {{ tool: string, uploads: number, seconds: number[], cpuSeconds: number[],
 *   maxRssKb?: number[] }} ToolTimes
 * @typedef {{ name: 'loopback' | 'rtt20' | 'ceiling', delayMs: number, rawConcurrency: number,
 *   calibration: { concurrency: number, seconds: number }[], tools: ToolTimes[] }} Profile
 */

/**
 * Medians and ratios of one profile. A tool run on fewer uploads than the action (rclone
 * with --rclone-uploads) is compared by rate: its time is scaled to the action's uploads.
 * @param {Profile} profile
 */
function summariseProfile(profile) {
  const action = profile.tools.find((t) => t.tool === 'action');
  if (!action) throw new Error('no action times');
  const actionSeconds = median(action.seconds);
  const tools = profile.tools.map((t) => {
    const seconds = median(t.seconds);
    const perSecond = t.uploads / seconds;
    return {
      ...t,
      median: seconds,
      cpuMedian: median(t.cpuSeconds),
      rssMedianKb: t.maxRssKb ? median(t.maxRssKb) : undefined,
      perSecond,
      perAction: action.uploads / perSecond / actionSeconds,
      scaled: t.uploads !== action.uploads,
    };
  });
  const ratio = (/** @type {string} */ name) => tools.find((t) => t.tool === name)?.perAction;
  const actionPerRaw = 1 / (ratio('raw') ?? NaN);
  const targets = [target('action/raw', actionPerRaw, '≤', TARGETS.actionPerRaw[profile.name])];
  if (profile.name !== 'ceiling') {
    const rclonePerAction = ratio('rclone') ?? NaN;
    targets.push(
      target('rclone/action', rclonePerAction, '≥', TARGETS.rclonePerAction[profile.name]),
    );
  }
  return { ...profile, uploads: action.uploads, tools, targets };
}

/**
 * @param {{ uploads: number, maxRssKb?: number, seconds: number }[] | undefined} runs
 */
function summariseMemory(runs) {
  if (!runs) return undefined;
  const rss = (/** @type {number} */ uploads) => runs.find((r) => r.uploads === uploads)?.maxRssKb;
  const ratio = (rss(20_000) ?? NaN) / (rss(1_000) ?? NaN);
  return { runs, targets: [target('rss20k/rss1k', ratio, '≤', TARGETS.rss20kPer1k)] };
}

/**
 * @param {{ machine: Record<string, unknown>, options: { uploads: number, rounds: number },
 *   startup?: Record<'bare' | 'invalidInput' | 'emptyBucket', number[]>,
 *   profiles: (Profile | import('./load.mjs').LoadProfile | import('./fleet.mjs').FleetProfile)[],
 *   memory?: { uploads: number, maxRssKb?: number, seconds: number }[],
 *   others: { tool: string, skipped: string }[] } & { options: { json: boolean } }} results
 */
export function printReport(results) {
  const summary = {
    machine: results.machine,
    uploads: results.options.uploads,
    rounds: results.options.rounds,
    startup:
      results.startup &&
      Object.fromEntries(
        Object.entries(results.startup).map(([name, runs]) => [
          name,
          { median: median(runs), runs },
        ]),
      ),
    profiles: results.profiles.map((p) =>
      !('kind' in p)
        ? summariseProfile(p)
        : p.kind === 'fleet'
          ? summariseFleet(p)
          : summariseLoad(p),
    ),
    memory: summariseMemory(results.memory),
    others: results.others,
  };
  if (results.options.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    console.log(renderText(summary));
  }
}

const s = (/** @type {number} */ seconds) => seconds.toFixed(2);
const mib = (/** @type {number | undefined} */ kib) =>
  kib === undefined ? '?' : `${(kib / 1024).toFixed(1)} MiB`;

/**
 * The ceiling profile: the client's own limit, against a store that costs nothing.
 * @param {any} profile
 */
function renderCeiling(profile) {
  const lines = [
    `profile ceiling (${profile.uploads} uploads from a zero-cost stand-in: listings from memory, aborts answer 204)`,
    `  tool          median s   uploads/s   tool/action   CPU ms/upload   peak RSS     runs (s)`,
  ];
  for (const t of profile.tools) {
    lines.push(
      `  ${t.tool.padEnd(12)} ${s(t.median).padStart(9)} ${t.perSecond.toFixed(0).padStart(11)} ${t.perAction.toFixed(2).padStart(13)} ${((t.cpuMedian * 1000) / t.uploads).toFixed(2).padStart(15)} ${mib(t.rssMedianKb).padStart(10)}   ${t.seconds.map(s).join(' ')}`,
    );
  }
  lines.push(
    `  each in a fresh Node 24 process, start-up included, ${profile.rawConcurrency} requests in flight; CPU: user + system of that process`,
    '  raw: bench/raw-client.mjs, @aws-sdk/client-s3 with cacheMiddleware, kept-alive sockets, standard retries',
    '  hand-signed: bench/hand-signed-client.mjs, node:http and SigV4 by hand with node:crypto, no retries',
    `  action: node dist/index.js as the runner runs it, concurrency: ${profile.rawConcurrency} (report file, summary, lifecycle read included)`,
    ...renderTargets(profile.targets),
  );
  return lines;
}

/** @param {any} summary */
function renderText(summary) {
  const { machine } = summary;
  const onRgw = summary.profiles.some((/** @type {any} */ p) =>
    ['loopback', 'rtt20'].includes(p.name),
  );
  const lines = [
    `s3-multipart-cleanup benchmark, ${machine.date}`,
    `machine: ${machine.cpus} CPUs, load ${machine.loadBefore} at start, ${machine.loadAfter} at end`,
    `         bench Node ${machine.benchNode}, action Node ${machine.actionNode}` +
      (onRgw ? `, Ceph ${machine.ceph}, ${machine.rclone}` : ''),
    onRgw
      ? `${summary.uploads} stale uploads per timed run on RGW (max-age 1s, fresh bucket each), ${summary.rounds} rounds, tools interleaved; medians`
      : `${summary.rounds} rounds, tools interleaved; medians`,
    '',
  ];

  if (summary.startup) {
    const { bare, invalidInput, emptyBucket } = summary.startup;
    const runs = bare.runs.length;
    lines.push(
      `start-up of the action (medians of ${runs} whole-process runs, nothing to abort)`,
      `  bare node (node -e 0)            ${s(bare.median)} s`,
      `  dist/index.js, invalid input     ${s(invalidInput.median)} s   (+${s(invalidInput.median - bare.median)} s: loading the bundle)`,
      `  dist/index.js, empty bucket      ${s(emptyBucket.median)} s   (+${s(emptyBucket.median - invalidInput.median)} s: S3 client and one listing)`,
      '',
    );
  }

  for (const profile of summary.profiles) {
    if (profile.name === 'ceiling') {
      lines.push(...renderCeiling(profile), '');
      continue;
    }
    if (profile.kind === 'load') {
      lines.push(...renderLoad(profile), '');
      continue;
    }
    if (profile.kind === 'fleet') {
      lines.push(...renderFleet(profile), '');
      continue;
    }
    const how =
      profile.name === 'rtt20'
        ? `through a local proxy adding ${profile.delayMs} ms to every request`
        : 'straight to RGW';
    lines.push(
      `profile ${profile.name} (${how})`,
      `  tool     median s   uploads/s   tool/action   CPU s   CPU ms/upload   runs (s)`,
    );
    for (const t of profile.tools) {
      const mark = t.scaled ? '*' : ' ';
      lines.push(
        `  ${t.tool.padEnd(7)} ${s(t.median).padStart(9)} ${t.perSecond.toFixed(0).padStart(11)} ${t.perAction.toFixed(2).padStart(12)}${mark} ${s(t.cpuMedian).padStart(7)} ${((t.cpuMedian * 1000) / t.uploads).toFixed(2).padStart(15)}   ${t.seconds.map(s).join(' ')}`,
      );
    }
    const scaled = profile.tools.filter((/** @type {any} */ t) => t.scaled);
    for (const t of scaled) {
      lines.push(
        `  * ${t.tool} ran on ${t.uploads} uploads (--rclone-uploads); its ratio compares uploads/s, i.e. its time scaled to ${profile.uploads}`,
      );
    }
    const calibration = profile.calibration.length
      ? `best of ${profile.calibration.map((/** @type {any} */ c) => `${c.concurrency}: ${s(c.seconds)} s`).join(', ')}`
      : 'given by --raw-concurrency';
    lines.push(
      `  CPU: user + system time of the tool's own process (not RGW's); the 2 cores are shared with RGW`,
      `  raw: @aws-sdk/client-s3 in the benchmark's warm process, concurrency ${profile.rawConcurrency} (${calibration})`,
      `  action: node dist/index.js as the runner runs it, default concurrency (${summary.machine.actionConcurrency} in action.yml)`,
      ...renderTargets(profile.targets),
      '',
    );
  }

  if (summary.memory) {
    lines.push('memory (the action, loopback; peak RSS from GNU time %M)');
    for (const run of summary.memory.runs) {
      const what =
        run.uploads === 0 ? 'empty bucket' : `${run.uploads.toLocaleString('en')} uploads`;
      lines.push(`  ${what.padEnd(15)} ${mib(run.maxRssKb).padStart(10)}   (${s(run.seconds)} s)`);
    }
    lines.push(...renderTargets(summary.memory.targets), '');
  }

  if (summary.others.length > 0) lines.push('not run');
  for (const other of summary.others) lines.push(`  ${other.tool}: ${other.skipped}`);
  return lines.join('\n');
}
