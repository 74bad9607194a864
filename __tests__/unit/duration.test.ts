import { describe, expect, it } from '@jest/globals';
import { formatAge, parseDuration } from '../../src/config/duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['45s', 45 * S],
    ['30m', 30 * M],
    ['6h', 6 * H],
    ['7d', 7 * D],
    ['2w', 14 * D],
    ['1d12h', 36 * H],
    ['1w2d3h4m5s', 9 * D + 3 * H + 4 * M + 5 * S],
    ['0s', 0],
    [' 24h ', 24 * H],
    ['P7D', 7 * D],
    ['PT36H', 36 * H],
    ['P1DT12H', 36 * H],
    ['P2W', 14 * D],
    ['PT90M', 90 * M],
    ['PT0S', 0],
    ['p1dt1h', 25 * H],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    '7 days',
    '7',
    '-1h',
    '1.5h',
    '7D',
    '1h1d',
    '1h1h',
    'h',
    'P',
    'PT',
    'P1DT',
    'P1M',
    'P1Y',
    'P-1D',
    'PT1.5H',
    '1d 12h',
    '∞',
    '99999999999999999w',
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [-5 * S, '0s'],
    [12 * S, '12s'],
    [5 * M + 2 * S, '5m 2s'],
    [3 * D + 4 * H + 5 * M, '3d 4h'],
    [3 * D + 5 * M, '3d'],
    [2 * H, '2h'],
    [400 * D, '400d'],
  ])('shows %d ms as %j', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
