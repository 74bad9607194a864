import { describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readme } from '../support/readme.js';
import { projectRoot } from '../support/runner.js';

// Dependabot moves the actions of .github/workflows to their new majors, but never those of
// examples/ or the README, which users copy. These tests keep the examples in step with the
// workflows: an example may not name an older major of an action than a workflow does.
const THIS_ACTION = 's3-multipart-cleanup/s3-multipart-cleanup';

interface Pin {
  file: string;
  action: string;
  ref: string;
  major: number | undefined;
}

// A step's `uses: owner/repo[/path]@ref`, with the version a full-SHA pin gives in its comment
// (`@<sha> # v1.2.3`, as GitHub's hardening guide and Dependabot write it).
const USES = /^[ \t]*(?:-[ \t]+)?uses:[ \t]*['"]?([^\s'"#]+)['"]?(?:[ \t]+#[ \t]*(\S+))?/gm;

function majorOf(ref: string, comment: string | undefined): number | undefined {
  const version = /^[0-9a-f]{40}$/.test(ref) ? comment : ref;
  const major = version?.match(/^v?(\d+)(?:\.\d+){0,2}$/)?.[1];
  return major === undefined ? undefined : Number(major);
}

function pinsIn(file: string, text: string): Pin[] {
  return [...text.matchAll(USES)]
    .filter(([, uses]) => uses.includes('@') && !uses.startsWith('./'))
    .map(([, uses, comment]) => {
      const [action, ref] = uses.split('@');
      return { file, action, ref, major: majorOf(ref, comment) };
    });
}

async function pinsOfYamlFiles(directory: string): Promise<Pin[]> {
  const names = (await readdir(join(projectRoot, directory))).filter((n) => n.endsWith('.yml'));
  const texts = await Promise.all(
    names.map((name) => readFile(join(projectRoot, directory, name), 'utf8')),
  );
  return names.flatMap((name, i) => pinsIn(`${directory}/${name}`, texts[i]));
}

/** The examples' pins of an action that a workflow pins at a newer major. */
function olderThanWorkflows(examples: Pin[], workflows: Pin[]): string[] {
  return examples.flatMap((pin) => {
    const newest = Math.max(
      ...workflows.filter((w) => w.action === pin.action).map((w) => w.major ?? -1),
    );
    return pin.major !== undefined && pin.major < newest
      ? [`${pin.file}: ${pin.action}@${pin.ref}, but .github/workflows use v${newest}`]
      : [];
  });
}

const workflowPins = await pinsOfYamlFiles('.github/workflows');
const examplePins = [...(await pinsOfYamlFiles('examples')), ...pinsIn('README.md', readme)];
const packageVersion = (
  JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;

describe('the actions that examples/ and README pin', () => {
  it('are found, each at a major version', () => {
    expect(examplePins.length).toBeGreaterThan(10);
    const unversioned = examplePins.filter((pin) => pin.major === undefined);
    expect(unversioned.map((pin) => `${pin.file}: ${pin.action}@${pin.ref}`)).toEqual([]);
  });

  it('are no older a major than .github/workflows pin', () => {
    expect(olderThanWorkflows(examplePins, workflowPins)).toEqual([]);
  });

  it('would be caught a major behind (the check above can fail)', () => {
    const behind = pinsIn('example.yml', '      - uses: actions/checkout@v4\n');
    expect(olderThanWorkflows(behind, workflowPins)).toEqual([
      expect.stringContaining('example.yml: actions/checkout@v4, but .github/workflows use v'),
    ]);
  });

  it('are pinned in .github/workflows too, so that Dependabot keeps their majors current', () => {
    const inWorkflows = new Set(workflowPins.map((pin) => pin.action));
    const untracked = new Set(
      examplePins
        .map((pin) => pin.action)
        .filter((action) => action !== THIS_ACTION && !inWorkflows.has(action)),
    );
    // No workflow here can assume an AWS role, so none runs it: RELEASING.md has its major
    // checked by hand before each release.
    expect([...untracked]).toEqual(['aws-actions/configure-aws-credentials']);
  });

  it(`name this action at package.json's major`, () => {
    const major = Number(packageVersion.split('.')[0]);
    const own = examplePins.filter((pin) => pin.action === THIS_ACTION);
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((pin) => pin.major !== major).map((pin) => pin.file)).toEqual([]);
  });
});
