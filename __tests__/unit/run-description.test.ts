import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/inputs.js';
import { describeRun, runLabel, type WorkflowRun } from '../../src/report/run-description.js';

const on = (workflow: Partial<WorkflowRun>): WorkflowRun => ({
  serverUrl: 'https://github.com',
  repository: 'octo/repo',
  runId: 7,
  workflow: 'CI',
  runNumber: 42,
  ...workflow,
});

describe('runLabel', () => {
  it.each([
    ['on a runner', on({}), 'CI #42'],
    // @actions/github parses unset GITHUB_RUN_NUMBER / GITHUB_WORKFLOW into NaN and undefined.
    ['without a run number', on({ runNumber: NaN }), 'CI 7'],
    [
      'without a workflow name',
      on({ workflow: undefined as unknown as string }),
      'Workflow run #42',
    ],
    ['with an empty workflow name', on({ workflow: ' ' }), 'Workflow run #42'],
    [
      'with neither',
      on({ workflow: undefined as unknown as string, runNumber: NaN }),
      'Workflow run 7',
    ],
  ])('%s', (_, workflow, label) => {
    expect(runLabel(workflow)).toBe(label);
    expect(runLabel(workflow)).not.toMatch(/undefined|NaN/);
  });
});

describe('describeRun', () => {
  const config = parseConfig((name) => (name === 'bucket' ? 'b' : ''), {});
  const describe_ = (workflow: WorkflowRun) => describeRun(new Date(0), 0, config, workflow);

  it('links the run when the runner names it', () => {
    expect(describe_(on({})).run).toEqual({
      label: 'CI #42',
      url: 'https://github.com/octo/repo/actions/runs/7',
    });
  });

  it('links no run without a run id, as the link would lead nowhere', () => {
    expect(describe_(on({ runId: NaN })).run).toBeUndefined();
    expect(describe_(on({ runId: NaN })).repository?.name).toBe('octo/repo');
  });

  it('says "undefined #NaN" nowhere when only the run id is set', () => {
    const run = describe_(on({ workflow: undefined as unknown as string, runNumber: NaN }));
    expect(run.run?.label).toBe('Workflow run 7');
  });
});
