import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../support/runner.js';

// .github/workflows/release.yml: actionlint checks it with the other workflows
// (examples.test.ts); this checks the order of its steps, which actionlint cannot judge.
interface Job {
  needs?: string;
  permissions?: Record<string, string>;
  steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
}
const workflow = parse(
  await readFile(join(projectRoot, '.github', 'workflows', 'release.yml'), 'utf8'),
) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const { check, 'move-major-tag': move } = workflow.jobs;

describe('the release workflow', () => {
  it('runs when a release is published, or by hand for a tag', () => {
    expect(workflow.on.release).toEqual({ types: ['published'] });
    expect(workflow.on.workflow_dispatch).toEqual({
      inputs: { tag: expect.objectContaining({ required: true }) },
    });
  });

  it('runs npm run release:check on the tagged commit, with a token that can only read', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(check.permissions).toBeUndefined();
    const checkout = check.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toMatchObject({ ref: 'refs/tags/${{ env.TAG }}' });
    expect(check.steps.at(-1)?.run).toBe('npm run release:check -- "$TAG"');
  });

  it('moves the major tag only after the check passed, and does nothing else', () => {
    expect(move.needs).toBe('check');
    expect(move.permissions).toEqual({ contents: 'write' });
    expect(move.steps).toEqual([
      {
        uses: expect.stringMatching(/^actions\/publish-action@[0-9a-f]{40}$/),
        with: { 'source-tag': '${{ env.TAG }}' },
      },
    ]);
  });
});
