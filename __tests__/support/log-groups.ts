/** A group of the step's log, as GitHub folds it: its title and the lines inside it. */
export interface LogGroup {
  title: string;
  lines: string[];
}

/**
 * The step's log read as GitHub reads its ::group:: and ::endgroup:: commands, which can
 * neither nest nor be left open: the groups in order, the lines outside any group, and what
 * GitHub could not fold as written (a group opened inside another, a close with none open).
 */
export function logGroups(stdout: string): {
  groups: LogGroup[];
  outside: string[];
  malformed: string[];
} {
  const groups: LogGroup[] = [];
  const outside: string[] = [];
  const malformed: string[] = [];
  let open: LogGroup | undefined;
  for (const [i, line] of stdout.split('\n').entries()) {
    if (line.startsWith('::group::')) {
      if (open) malformed.push(`line ${i + 1}: ${line} inside the group ${open.title}`);
      open = { title: line.slice('::group::'.length), lines: [] };
      groups.push(open);
    } else if (line === '::endgroup::') {
      if (!open) malformed.push(`line ${i + 1}: ::endgroup:: with no group open`);
      open = undefined;
    } else {
      (open?.lines ?? outside).push(line);
    }
  }
  if (open) malformed.push(`the group ${open.title} is never closed`);
  return { groups, outside, malformed };
}
