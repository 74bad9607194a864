import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './runner.js';

export const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

/** The `with:` of every step in the YAML examples of README's Quick start that uses this action. */
export function readmeExamples(): { title: string; inputs: Record<string, unknown> }[] {
  const examples: { title: string; inputs: Record<string, unknown> }[] = [];
  const quickStart = readme.split('\n## Quick start\n')[1]?.split('\n## ')[0] ?? '';
  const blocks = quickStart.matchAll(/^### (.+)\n[\s\S]*?```yaml\n([\s\S]*?)```/gm);
  for (const [, title, yaml] of blocks) {
    const steps: Record<string, unknown>[] = [];
    collectSteps(parse(yaml), steps);
    for (const step of steps) {
      examples.push({ title, inputs: step.with as Record<string, unknown> });
    }
  }
  return examples;
}

function collectSteps(node: unknown, steps: Record<string, unknown>[]): void {
  if (Array.isArray(node)) {
    node.forEach((item) => collectSteps(item, steps));
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (
      typeof record.uses === 'string' &&
      record.uses.startsWith('s3-multipart-cleanup/s3-multipart-cleanup@')
    ) {
      steps.push(record);
    }
    Object.values(record).forEach((value) => collectSteps(value, steps));
  }
}

/** A Markdown table under `## heading`, as rows of cells with the backticks removed. */
export function readmeTable(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s:-]+\|/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}
