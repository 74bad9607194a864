import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { node24, projectRoot } from '../support/runner.js';

// `npm run release:check -- vX.Y.Z` in temporary git repositories made here: a small action
// with this repository's release check, action.yml, build script and check-dist, and a
// one-line src/ so that the fresh build of dist/ takes seconds. Each case clones it, breaks
// one condition, and expects that condition alone to fail, by name.
const run = promisify(execFile);
const VERSION = '1.2.3';
const COPIED = [
  '.gitignore',
  'action.yml',
  'package.json',
  'tsconfig.json',
  'scripts/action-metadata.mjs',
  'scripts/check-dist.sh',
  'scripts/release-check.mjs',
];
const CHANGELOG = `# Changelog

## [Unreleased]

## [${VERSION}] - 2026-01-31

### Added

- Everything.

[Unreleased]: https://example.com/compare/v${VERSION}...HEAD
[${VERSION}]: https://example.com/releases/tag/v${VERSION}
`;
const TAG_CHECK = "the tag is vX.Y.Z and package.json's version";
const CHANGELOG_CHECK = `CHANGELOG.md has a section for ${VERSION}`;
const ACTION_CHECK = 'action.yml is valid action metadata';
const TREE_CHECK = 'the working tree is clean';
const DIST_CHECK = 'dist/ is a fresh build';

// Commits as nobody in particular, whatever the machine's git configuration says.
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, ...args: string[]) => run('git', args, { cwd, env: gitEnv });

// This repository's packages, for the build. A symlink is no directory to .gitignore's
// `node_modules/`, so the repository's own exclude file keeps it out of `git status`.
async function linkNodeModules(dir: string): Promise<void> {
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, '.git', 'info', 'exclude'), '/node_modules\n');
}

let work: string;
let fixture: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'release-check-'));
  fixture = join(work, 'fixture');
  for (const file of COPIED) await cp(join(projectRoot, file), join(fixture, file));
  const manifest = JSON.parse(await readFile(join(fixture, 'package.json'), 'utf8'));
  await writeFile(
    join(fixture, 'package.json'),
    `${JSON.stringify({ ...manifest, version: VERSION }, null, 2)}\n`,
  );
  await writeFile(join(fixture, 'CHANGELOG.md'), CHANGELOG);
  await mkdir(join(fixture, 'src'));
  await writeFile(join(fixture, 'src', 'index.ts'), "console.log('cleaned');\n");
  await git(fixture, 'init', '--quiet', '--initial-branch=main');
  await linkNodeModules(fixture);
  await run('npm', ['run', 'build'], { cwd: fixture });
  await git(fixture, 'add', '--all');
  await git(fixture, 'commit', '--quiet', '--message', 'An action ready for release');
}, 60_000);

afterAll(() => rm(work, { recursive: true, force: true }));

/** A clone of the fixture, changed by `change` (which may commit or leave the tree dirty). */
async function repositoryWith(name: string, change: (dir: string) => Promise<void>) {
  const dir = join(work, name);
  await git(work, 'clone', '--quiet', fixture, dir);
  await linkNodeModules(dir);
  await change(dir);
  return dir;
}

async function commitAll(dir: string, message: string): Promise<void> {
  await git(dir, 'commit', '--quiet', '--all', '--message', message);
}

interface CheckResult {
  title: string;
  passed: boolean;
  problems: string[];
}

/** Runs the release check as `npm run release:check -- <tag>` does, and reads its report. */
async function releaseCheck(dir: string, tag: string) {
  const script = join(dir, 'scripts', 'release-check.mjs');
  const { code, stdout } = await run(node24, [script, tag], { cwd: dir, env: gitEnv }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  const checks: CheckResult[] = [];
  for (const line of stdout.split('\n')) {
    const check = line.match(/^([✓✗]) (.*)$/);
    // The title of the dist/ check ends with the commit: ` of 1a2b3c4`.
    const title = check?.[2].replace(/ of [0-9a-f]{7,}$/, '');
    if (title) checks.push({ title, passed: check?.[1] === '✓', problems: [] });
    else if (line.startsWith('    ')) checks.at(-1)?.problems.push(line.trim());
  }
  return { code, stdout, checks };
}

const unchanged = async () => {};

interface BrokenCase {
  broken: string;
  tag: string;
  change: (dir: string) => Promise<void>;
  /** The checks that fail, in order, each with what it must say. */
  problems: Record<string, string[]>;
}

describe('npm run release:check', () => {
  it('passes a commit ready for release, and says so', async () => {
    const dir = await repositoryWith('ready', unchanged);
    const result = await releaseCheck(dir, `v${VERSION}`);
    expect(result.checks).toEqual(
      [TAG_CHECK, CHANGELOG_CHECK, ACTION_CHECK, TREE_CHECK, DIST_CHECK].map((title) => ({
        title,
        passed: true,
        problems: [],
      })),
    );
    expect(result.stdout).toContain(`v${VERSION} can be released.`);
    expect(result.code).toBe(0);
  }, 60_000);

  // Each broken condition fails the check by itself, with the others still passing.
  it.concurrent.each<BrokenCase>([
    {
      broken: 'a tag not of the form vX.Y.Z',
      tag: VERSION,
      change: unchanged,
      problems: { [TAG_CHECK]: [`"${VERSION}" is not of the form vX.Y.Z, e.g. v${VERSION}`] },
    },
    {
      broken: "a tag other than package.json's version",
      tag: 'v1.2.4',
      change: unchanged,
      // The CHANGELOG.md is checked for the tag's version, which it has no section for either.
      problems: {
        [TAG_CHECK]: [`v1.2.4 is not package.json's version, ${VERSION}: bump it with npm version`],
        'CHANGELOG.md has a section for 1.2.4': ['CHANGELOG.md has no "## [1.2.4] - YYYY-MM-DD"'],
      },
    },
    {
      broken: 'a CHANGELOG.md that only mentions the version',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(
          join(dir, 'CHANGELOG.md'),
          `# Changelog\n\n## [Unreleased]\n\n- To be ${VERSION}.\n\n## [1.2.2] - 2026-01-01\n\n- Less.\n`,
        );
        await commitAll(dir, `CHANGELOG.md without ${VERSION}`);
      },
      problems: { [CHANGELOG_CHECK]: [`CHANGELOG.md has no "## [${VERSION}] - YYYY-MM-DD"`] },
    },
    {
      broken: 'a CHANGELOG.md whose section for the version is empty',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(
          join(dir, 'CHANGELOG.md'),
          `# Changelog\n\n## [Unreleased]\n\n## [${VERSION}] - 2026-01-31\n\n## [1.2.2] - 2026-01-01\n\n- Less.\n`,
        );
        await commitAll(dir, `An empty section for ${VERSION}`);
      },
      problems: { [CHANGELOG_CHECK]: [`CHANGELOG.md's section for ${VERSION} says nothing`] },
    },
    {
      broken: 'a CHANGELOG.md whose last section, for the version, has only a heading and links',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(join(dir, 'CHANGELOG.md'), CHANGELOG.replace('- Everything.\n\n', ''));
        await commitAll(dir, `Nothing under ${VERSION}'s heading`);
      },
      problems: { [CHANGELOG_CHECK]: [`CHANGELOG.md's section for ${VERSION} says nothing`] },
    },
    {
      broken: 'an action.yml whose description is 125 characters',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        const actionYml = await readFile(join(dir, 'action.yml'), 'utf8');
        const long = `description: ${'x'.repeat(125)}\n`;
        await writeFile(
          join(dir, 'action.yml'),
          actionYml.replace(/^description: >-\n(?: {2}.*\n)+/m, long),
        );
        await commitAll(dir, 'A longer description');
      },
      problems: {
        [ACTION_CHECK]: ['action.yml: description is 125 characters; the Marketplace takes fewer'],
      },
    },
    {
      broken: 'a change to src/ committed without dist/',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(join(dir, 'src', 'index.ts'), "console.log('cleaned again');\n");
        await commitAll(dir, 'Change src/ and forget dist/');
      },
      problems: { [DIST_CHECK]: ['dist/ does not match a fresh build of src/', 'dist/index.js'] },
    },
    {
      broken: 'a file in dist/ that the build does not make',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(join(dir, 'dist', 'stale.js'), "console.log('left behind');\n");
        await git(dir, 'add', 'dist/stale.js');
        await commitAll(dir, 'Leave a file in dist/');
      },
      problems: { [DIST_CHECK]: ['dist/ does not match a fresh build of src/', 'D dist/stale.js'] },
    },
    {
      broken: 'uncommitted and untracked files',
      tag: `v${VERSION}`,
      change: async (dir: string) => {
        await writeFile(join(dir, 'src', 'index.ts'), "console.log('not committed');\n");
        await writeFile(join(dir, 'notes.txt'), 'not tracked\n');
      },
      problems: {
        [TREE_CHECK]: ['M src/index.ts', '?? notes.txt'],
        [DIST_CHECK]: ['not checked: the build needs a clean working tree'],
      },
    },
  ])(
    'fails $broken',
    async ({ broken, tag, change, problems }) => {
      const dir = await repositoryWith(broken.replace(/\W+/g, '-'), change);
      const result = await releaseCheck(dir, tag);
      const failed = result.checks
        .filter((check) => !check.passed)
        .map((check) => [check.title, check.problems] as const);
      expect(failed.map(([title]) => title)).toEqual(Object.keys(problems));
      for (const [title, said] of failed) {
        for (const problem of problems[title]) {
          expect(said).toContainEqual(expect.stringContaining(problem));
        }
      }
      expect(result.code).toBe(1);
    },
    60_000,
  );
});
