import { describe, expect, it } from '@jest/globals';
import { startOrder } from '../../src/steps/clean-targets.js';

// Targets are bucket-major (a/c, a/d, b/c, b/d, …); they start prefix-major, so every bucket
// has a target under way early, and a throttling bucket listed last is not left to run alone.
describe('startOrder', () => {
  it.each<[string, number, number, number[]]>([
    ['no targets', 0, 1, []],
    ['one prefix: the input order', 3, 1, [0, 1, 2]],
    ['two buckets, two prefixes', 4, 2, [0, 2, 1, 3]],
    ['three buckets, two prefixes', 6, 2, [0, 2, 4, 1, 3, 5]],
    ['two buckets, three prefixes', 6, 3, [0, 3, 1, 4, 2, 5]],
    ['one bucket: the input order', 3, 3, [0, 1, 2]],
  ])('%s', (_, targets, perBucket, expected) => {
    expect(startOrder(targets, perBucket)).toEqual(expected);
  });

  it('starts each of 50 buckets’ first target among the first 64, the last bucket’s too', () => {
    const order = startOrder(100, 2);
    expect(order.slice(0, 64)).toContain(98);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });
});
