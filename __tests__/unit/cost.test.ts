import { describe, expect, it } from '@jest/globals';
import { costNote, formatUsd, monthlyCost } from '../../src/report/cost.js';

const GIB = 2 ** 30;

describe('monthlyCost', () => {
  it.each([
    // S3's pricing page: 100 GB are 107,374,182,400 bytes.
    [107_374_182_400, 0.023, 2.3],
    [GIB, 0.023, 0.023],
    [512 * GIB, 0.0125, 6.4],
    [0, 0.023, 0],
  ])('%d bytes at $%d per GB-month cost $%d a month', (bytes, price, cost) => {
    expect(monthlyCost(bytes, price)).toBeCloseTo(cost, 10);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.0049, 'less than $0.01'],
    [0.005, '$0.01'],
    [2.3, '$2.30'],
    [1234.567, '$1,234.57'],
  ])('%d as %s', (amount, text) => {
    expect(formatUsd(amount)).toBe(text);
  });
});

describe('costNote', () => {
  it('says the price it used, and where it comes from', () => {
    expect(costNote(107_374_182_400, { usdPerGbMonth: 0.023, given: false })).toBe(
      "$2.30 a month at $0.023 per GB-month (Amazon S3 Standard's list price in us-east-1, the default of storage-price)",
    );
    expect(costNote(10 * GIB, { usdPerGbMonth: 1.5, given: true })).toBe(
      '$15.00 a month at $1.50 per GB-month (storage-price)',
    );
  });
});
