// Medians and the issues' targets, shared by the reports of every profile.

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * @typedef {{ name: string, value: number, relation: '≤' | '≥', limit: number,
 *   met: boolean }} Target
 */

/**
 * @param {string} name
 * @param {number} value
 * @param {'≤' | '≥'} relation
 * @param {number} limit
 * @returns {Target}
 */
export function target(name, value, relation, limit) {
  const met = relation === '≤' ? value <= limit : value >= limit;
  return { name, value, relation, limit, met };
}

/**
 * One line a target: its name, this run's value, the target and whether it was met.
 * @param {Target[]} targets
 * @param {number} [width] of the name column
 */
export const renderTargets = (targets, width = 14) =>
  targets.map(
    (t) =>
      `  ${t.name.padEnd(width)} ${t.value.toFixed(2).padStart(6)}   target ${t.relation} ${t.limit}   ${t.met ? 'met' : 'MISSED'}`,
  );
