import { describe, expect, it } from '@jest/globals';
import { excludeMatcher } from '../../src/engine/exclude.js';

describe('excludeMatcher', () => {
  it('matches nothing without patterns', () => {
    expect(excludeMatcher([])).toBeUndefined();
  });

  it.each([
    ['**/keep-*', 'keep-1', true],
    ['**/keep-*', 'ci/run-1/keep-me.bin', true],
    ['**/keep-*', 'ci/run-1/do-not-keep', false],
    ['ci/pinned/**', 'ci/pinned/a/b/c', true],
    ['ci/pinned/**', 'ci/pinned', true],
    ['ci/pinned/**', 'ci/pinned-not/a', false],
    ['ci/*/fixture.bin', 'ci/run-1/fixture.bin', true],
    ['ci/*/fixture.bin', 'ci/run-1/sub/fixture.bin', false],
    ['**/.cache/**', 'ci/.cache/x', true],
    ['*.tmp', 'a/b.tmp', false], // a pattern without `/` still matches the whole key
    ['ci/[ab].bin', 'ci/a.bin', true],
    ['ci/{x,y}/**', 'ci/y/z', true],
  ])('%s matches %j: %s', (pattern, key, expected) => {
    expect(excludeMatcher([pattern])?.(key)).toBe(expected);
  });

  it('matches when any pattern does', () => {
    const isExcluded = excludeMatcher(['**/keep-*', 'ci/pinned/**']);
    expect(['ci/pinned/x', 'a/keep-b', 'ci/other'].map((key) => isExcluded?.(key))).toEqual([
      true,
      true,
      false,
    ]);
  });
});
