import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { node24, projectRoot } from '../support/runner.js';

// `npm run lint` checks action.yml with scripts/check-action.mjs: GitHub's own schema of
// action metadata, and the Marketplace's limits.
const actionYml = await readFile(join(projectRoot, 'action.yml'), 'utf8');
const work = await mkdtemp(join(tmpdir(), 'action-metadata-'));
afterAll(() => rm(work, { recursive: true, force: true }));

async function check(text: string): Promise<{ code: number; stderr: string }> {
  const file = join(work, `action-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, text);
  try {
    await promisify(execFile)(node24, [join(projectRoot, 'scripts/check-action.mjs'), file], {
      cwd: projectRoot,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

/** action.yml with another top-level description, on one line. */
function withDescription(description: string): string {
  const replaced = actionYml.replace(/^description: >-\n(?: {2}.*\n)+/m, () => {
    return `description: ${JSON.stringify(description)}\n`;
  });
  expect(replaced).not.toBe(actionYml);
  return replaced;
}

describe('the check of action.yml in npm run lint', () => {
  it("passes the repository's action.yml", async () => {
    expect(await check(actionYml)).toEqual({ code: 0, stderr: '' });
  });

  it('passes a description of 124 characters', async () => {
    expect(await check(withDescription('x'.repeat(124)))).toEqual({ code: 0, stderr: '' });
  });

  it('fails a description of 125 characters or more, for the Marketplace', async () => {
    for (const length of [125, 229]) {
      const { code, stderr } = await check(withDescription('é'.repeat(length)));
      expect(code).toBe(1);
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `: description is ${length} characters; the Marketplace takes fewer than 125$`,
          ),
        ),
      ]);
    }
  });

  it.each([
    ['an icon GitHub excludes', 'icon: trash-2', 'icon: coffee', "Unexpected value 'coffee'"],
    ['a colour GitHub does not offer', 'color: orange', 'color: pink', "Unexpected value 'pink'"],
    [
      'a runtime GitHub does not have',
      'using: node24',
      'using: node22',
      "Unexpected value 'node22'",
    ],
    ['a misspelt key', 'post-if:', 'post_if:', "Unexpected value 'post_if'"],
    ['no branding', /^branding:\n(?: {2}.*\n)+/m, '', 'branding needs an icon and a color'],
  ])('fails %s', async (_, from, to, message) => {
    const broken = actionYml.replace(from, to);
    expect(broken).not.toBe(actionYml);
    const { code, stderr } = await check(broken);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });
});
