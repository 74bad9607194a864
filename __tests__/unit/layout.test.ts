import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../support/runner.js';

// src/'s rooms, as CONTRIBUTING's layout names them, and the way data flows between them:
// engine -> report -> steps -> main.ts, with config/ and runner/ beside them. A room may use
// only those it is given here; the entry points stay alone at src/'s root.
const mayUse: Record<string, string[]> = {
  engine: [],
  config: ['engine'],
  runner: ['config', 'engine'],
  report: ['config', 'engine', 'runner'],
  steps: ['config', 'engine', 'runner', 'report'],
  'main.ts': ['config', 'engine', 'runner', 'report', 'steps'],
  'index.ts': ['main.ts'],
};

const src = join(projectRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [relative(src, join(dir, entry.name))]
        : [],
  );
}

/** The modules of src/ a file imports, by their path under src/ (`report/report.ts`). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(src, file), 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => normalize(join(dirname(file), name)).replace(/\.js$/, '.ts'));
}

/** A file's room: its first folder under src/, or the file itself at the root. */
const roomOf = (file: string) => file.split('/')[0];

/** Each import that leaves its room for one it may not use: `from -> to`. */
function wrongWays(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([file, imports]) =>
    imports
      .filter((target) => roomOf(target) !== roomOf(file))
      .filter((target) => !(mayUse[roomOf(file)] ?? []).includes(roomOf(target)))
      .map((target) => `${file} -> ${target}`),
  );
}

/** The import cycles between modules, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') {
        found.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      } else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const graph = new Map(sourceFiles(src).map((file) => [file, importsOf(file)]));

describe("src/'s layout", () => {
  it('has only its rooms and the two entry points at its root', () => {
    expect([...new Set([...graph.keys()].map(roomOf))].sort()).toEqual(Object.keys(mayUse).sort());
  });

  it('sends data one way: no room imports one it may not use', () => {
    expect(wrongWays(graph)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  // The checks above can fail: on made-up graphs with the faults they look for.
  it.each([
    ['the engine reaching into the report', 'engine/list.ts', 'report/report.ts', 1, 0],
    ['the report reaching into a step', 'report/outputs.ts', 'steps/finish.ts', 1, 0],
    ['config reaching into the report', 'config/inputs.ts', 'report/cost.ts', 1, 0],
    ['two modules of a room importing each other', 'report/cost.ts', 'report/groups.ts', 0, 1],
  ])('would catch %s', (_fault, from, to, wrong, cycle) => {
    const made = new Map<string, string[]>([
      ['report/groups.ts', ['report/cost.ts']],
      ['report/cost.ts', []],
      [from, [to]],
    ]);
    expect(wrongWays(made)).toHaveLength(wrong);
    expect(cycles(made)).toHaveLength(cycle);
  });
});
