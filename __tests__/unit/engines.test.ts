import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { projectRoot } from '../support/runner.js';

// package.json's `engines` names the Node on which `npm ci` installs the tooling without an
// EBADENGINE warning: a range that every locked package accepts. CI runs on Node 24 and would
// not notice an update that needs a newer Node than `engines` says; this test does.
interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}
const readJson = async (name: string) =>
  JSON.parse(await readFile(join(projectRoot, name), 'utf8'));
const manifest = (await readJson('package.json')) as { engines: { node: string } };
const lock = (await readJson('package-lock.json')) as { packages: Record<string, LockedPackage> };

/** The locked packages that refuse some Node version in `range`, with the range they take. */
function refusing(range: string): string[] {
  return Object.entries(lock.packages).flatMap(([path, locked]) => {
    const needs = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
    if (!path || !needs || semver.subset(range, needs)) return [];
    return [`${path.replace(/^.*node_modules\//, '')}@${locked.version} needs ${needs}`];
  });
}

describe('engines', () => {
  it('is the same in package.json and package-lock.json', () => {
    expect(lock.packages[''].engines).toEqual(manifest.engines);
  });

  it('names only Node versions that every locked package accepts', () => {
    expect(refusing(manifest.engines.node)).toEqual([]);
  });

  it('would catch a range some package refuses (the check above can fail)', () => {
    expect(refusing('>=20')).not.toEqual([]);
  });
});
