import { describe, expect, it } from '@jest/globals';
import type { Runner } from '../../src/runner/runner.js';
import { TargetLog, writeInOrder } from '../../src/steps/target-log.js';

/** A runner that records its log lines and groups, in the order they are written. */
function recordingRunner() {
  const lines: string[] = [];
  const runner = {
    info: (message: string) => lines.push(message),
    debug: (message: string) => lines.push(`debug: ${message}`),
    error: (message: string) => lines.push(`error: ${message}`),
    group: async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      lines.push(`::group::${name}`);
      try {
        return await work();
      } finally {
        lines.push('::endgroup::');
      }
    },
  } as unknown as Runner;
  return { lines, runner };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('writeInOrder', () => {
  it('writes each target in its group, in the input’s order, the first one as it goes', async () => {
    const { lines, runner } = recordingRunner();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new TargetLog(name, runner));
    const written = writeInOrder([a, b, c], runner);

    // c and b finish before a: held until a is written.
    c.info('c: 1');
    c.error('c: listing failed');
    c.end();
    b.info('b: 1');
    a.info('a: 1');
    await tick();
    expect(lines).toEqual(['::group::a', 'a: 1']);
    b.debug('b: 2');
    a.info('a: 2');
    await tick();
    expect(lines.at(-1)).toBe('a: 2');
    a.end();
    await tick();
    // b is now the first unfinished target: written as it goes.
    b.info('b: 3');
    b.end();
    await written;

    expect(lines).toEqual([
      '::group::a',
      'a: 1',
      'a: 2',
      '::endgroup::',
      '::group::b',
      'b: 1',
      'debug: b: 2',
      'b: 3',
      '::endgroup::',
      '::group::c',
      'c: 1',
      'error: c: listing failed',
      '::endgroup::',
    ]);
  });

  it('closes every group when the targets end, whatever order they end in', async () => {
    const { lines, runner } = recordingRunner();
    const logs = Array.from({ length: 50 }, (_, i) => new TargetLog(`t${i}`, runner));
    const written = writeInOrder(logs, runner);
    for (const log of [...logs].reverse()) log.end();
    await written;
    expect(lines.filter((line) => line.startsWith('::group::'))).toEqual(
      logs.map((log) => `::group::${log.title}`),
    );
    expect(lines.filter((line) => line === '::endgroup::')).toHaveLength(50);
  });
});
