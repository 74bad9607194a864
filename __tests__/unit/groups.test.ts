import { describe, expect, it } from '@jest/globals';
import { GroupTally, groupOf } from '../../src/report/groups.js';

describe('groupOf', () => {
  it.each([
    ['ci/', 'ci/run-7/a/b.bin', 'ci/run-7/'],
    ['ci/', 'ci/run-7/', 'ci/run-7/'],
    ['ci/', 'ci/top.bin', 'ci/'],
    ['ci/', 'ci/', 'ci/'],
    ['ci/run', 'ci/run-7/a', 'ci/run-7/'],
    ['ci/run', 'ci/run', 'ci/run'],
    ['', 'a/b/c', 'a/'],
    ['', 'top', ''],
    ['', '/leading', '/'],
    ['ci/', 'ci//double', 'ci//'],
  ])('puts a key under prefix %j into group %j → %j', (prefix, key, group) => {
    expect(groupOf(prefix, key)).toBe(group);
  });
});

describe('GroupTally', () => {
  const at = (iso: string) => new Date(iso);

  it('counts uploads and bytes per bucket and group, and keeps the oldest', () => {
    const tally = new GroupTally();
    tally.add('a', 'ci/x/', at('2026-01-02T00:00:00Z'), 10);
    tally.add('a', 'ci/x/', at('2026-01-01T00:00:00Z'), 5);
    tally.add('b', 'ci/x/', undefined);
    expect(tally.largest(10, 'uploads')).toEqual([
      { bucket: 'a', group: 'ci/x/', uploads: 2, bytes: 15, oldest: at('2026-01-01T00:00:00Z') },
      { bucket: 'b', group: 'ci/x/', uploads: 1, bytes: 0, oldest: undefined },
    ]);
  });

  it('ranks by the measure asked for, then by count, then the oldest first', () => {
    const tally = new GroupTally();
    tally.add('b', 'few-big/', at('2026-01-05T00:00:00Z'), 100);
    for (const day of ['03', '04'])
      tally.add('b', 'many-small/', at(`2026-01-${day}T00:00:00Z`), 1);
    tally.add('b', 'old/', at('2026-01-01T00:00:00Z'), 1);
    tally.add('b', 'young/', at('2026-01-09T00:00:00Z'), 1);
    const names = (by: 'bytes' | 'uploads') => tally.largest(3, by).map((g) => g.group);
    expect(names('uploads')).toEqual(['many-small/', 'old/', 'few-big/']);
    expect(names('bytes')).toEqual(['few-big/', 'many-small/', 'old/']);
  });

  it('keeps at most its limit of groups, and counts the rest together', () => {
    const tally = new GroupTally(2);
    for (const group of ['a/', 'b/', 'c/', 'a/', 'd/']) tally.add('x', group, undefined, 1);
    expect(tally.size).toBe(2);
    expect(tally.largest(5, 'uploads').map((g) => `${g.group} ${g.uploads}`)).toEqual([
      'a/ 2',
      'b/ 1',
    ]);
    expect(tally.other).toMatchObject({ uploads: 2, bytes: 2 });
  });

  it('knows the oldest upload of all, in the groups beyond the cap too', () => {
    const tally = new GroupTally(1);
    expect(tally.oldest).toBeUndefined();
    tally.add('x', 'a/', at('2026-01-05T00:00:00Z'));
    tally.add('x', 'a/', undefined);
    tally.add('y', 'b/', at('2026-01-02T00:00:00Z'));
    expect(tally.oldest).toEqual(at('2026-01-02T00:00:00Z'));
    tally.add('x', 'a/', at('2026-01-01T00:00:00Z'));
    expect(tally.oldest).toEqual(at('2026-01-01T00:00:00Z'));
  });
});
