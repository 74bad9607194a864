import { untoldInitiatorsNote } from '../log-lines.js';
import type { RunReport } from '../report.js';
import { codeSpan, truncate } from '../../runner/text.js';
import { plural } from './markdown.js';
import type { RunDescription } from '../run-description.js';

/** The initiators named among those `initiated-by` left alone. */
export const TOP_INITIATORS = 5;
/** The buckets whose store cannot tell initiators apart named one by one. */
export const MAX_UNTOLD_BUCKETS = 10;
/** Enough of an initiator to tell it; an ARN rarely runs longer. */
const MAX_INITIATOR_CHARS = 200;

/**
 * What `initiated-by` did, when given: the stale uploads it left alone and by whom, and the
 * buckets where it cannot hold because the store does not tell initiators apart.
 */
export function initiatorsSection(report: RunReport, run: RunDescription): string {
  if (!run.initiatedBy) return '';
  const { foreign } = report.totals;
  const untold = report.initiators.untold;
  const lines = [
    foreign > 0 ? leftAloneLine(report) : '',
    ...untold
      .slice(0, MAX_UNTOLD_BUCKETS)
      .map((bucket) => `⚠️ ${untoldInitiatorsNote(bucket, codeSpan, initiatorSpan)}`),
    untold.length > MAX_UNTOLD_BUCKETS
      ? `⚠️ And ${plural(untold.length - MAX_UNTOLD_BUCKETS, 'more bucket')} of the same kind.`
      : '',
  ];
  return lines.filter(Boolean).join('\n\n');
}

function leftAloneLine(report: RunReport): string {
  const { foreign } = report.totals;
  const top = report.initiators.mostFrequent(TOP_INITIATORS);
  const shown = top.reduce((sum, { count }) => sum + count, 0);
  const names = top.map(
    ({ initiator, count }) =>
      `${initiator === undefined ? '*no initiator named*' : initiatorSpan(initiator)} (${count})`,
  );
  const rest = foreign - shown;
  if (rest > 0) names.push(`${plural(rest, 'upload')} of others`);
  return `👤 **${plural(foreign, 'stale upload')} left alone:** \`initiated-by\` names none of their initiators. Started by ${names.join(', ')}.`;
}

function initiatorSpan(initiator: string): string {
  return codeSpan(truncate(initiator, MAX_INITIATOR_CHARS));
}
