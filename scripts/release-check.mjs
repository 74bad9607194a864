// The single gate of a release: `npm run release:check -- vX.Y.Z` on the commit to be tagged,
// before the release is drafted (RELEASING.md) and again by the release workflow on the
// tagged commit before it moves the major tag. CI has already run the tests on that commit;
// this checks what makes it a release, and exits 1 naming each thing that is wrong. The
// fresh build of dist/ takes most of its time (10-20 s).
//
//   node scripts/release-check.mjs vX.Y.Z
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionMetadataProblems } from './action-metadata.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const read = (name) => readFileSync(join(root, name), 'utf8');

const tag = process.argv[2] ?? '';
const packageVersion = JSON.parse(read('package.json')).version;
const version = TAG.test(tag) ? tag.slice(1) : packageVersion;
const commit = git('rev-parse', '--short', 'HEAD').trim();
const uncommitted = git('status', '--porcelain').split('\n').filter(Boolean);

/** Each condition of a release, with what is wrong with it (nothing when it holds). */
const checks = [
  { title: `the tag is vX.Y.Z and package.json's version`, problems: tagProblems },
  { title: `CHANGELOG.md has a section for ${version}`, problems: changelogProblems },
  { title: 'action.yml is valid action metadata', problems: actionProblems },
  { title: 'the working tree is clean', problems: () => uncommitted.map((line) => line.trim()) },
  { title: `dist/ is a fresh build of ${commit}`, problems: distProblems },
];

function tagProblems() {
  if (!tag) return ['no tag given: npm run release:check -- vX.Y.Z'];
  if (!TAG.test(tag)) return [`"${tag}" is not of the form vX.Y.Z, e.g. v${packageVersion}`];
  if (version !== packageVersion) {
    return [
      `${tag} is not package.json's version, ${packageVersion}: bump it with ` +
        `npm version ${version} --no-git-tag-version, or tag v${packageVersion}`,
    ];
  }
  return [];
}

// Headings such as `### Added` say nothing by themselves, nor do the link definitions at the
// file's end, which the last section runs into.
const saysSomething = (/** @type {string} */ line) =>
  line.trim() !== '' && !/^#{3,6}\s/.test(line) && !/^\[[^\]]+\]:\s/.test(line);

// Keep a Changelog: `## [1.2.3] - 2026-01-31`, then what changed, up to the next section.
function changelogProblems() {
  if (!existsSync(join(root, 'CHANGELOG.md'))) return ['there is no CHANGELOG.md'];
  const sections = read('CHANGELOG.md').split(/^## /m);
  const section = sections.find((text) => text.startsWith(`[${version}]`));
  if (section === undefined) return [`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD"`];
  const said = section.split('\n').slice(1).filter(saysSomething);
  return said.length > 0 ? [] : [`CHANGELOG.md's section for ${version} says nothing`];
}

function actionProblems() {
  return actionMetadataProblems(read('action.yml'));
}

// Built in place, so only from a clean tree: then the working tree is the checked-out commit
// (ignored files aside), and dist/ is built from exactly what is tagged. A copy of the commit
// elsewhere would not do: ncc names modules by their path, so dist/ would differ.
function distProblems() {
  if (uncommitted.length > 0) {
    return ['not checked: the build needs a clean working tree, to build the commit alone'];
  }
  const checkDist = spawnSync('bash', [join(root, 'scripts', 'check-dist.sh')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (checkDist.status === 0) return [];
  return checkDist.stderr.split('\n').filter((line) => line.trim());
}

let failed = 0;
console.log(`Release check of ${tag || '(no tag)'} at ${commit}`);
for (const check of checks) {
  const problems = check.problems();
  console.log(`${problems.length === 0 ? '✓' : '✗'} ${check.title}`);
  for (const problem of problems) console.log(`    ${problem}`);
  if (problems.length > 0) failed += 1;
}
if (failed > 0) {
  console.log(`${tag || 'This commit'} cannot be released: ${failed} of ${checks.length} failed.`);
  process.exit(1);
}
console.log(`${tag} can be released.`);
