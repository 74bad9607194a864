import { afterEach, beforeEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * For each test: a runner's own temporary directory in RUNNER_TEMP, as every runner sets
 * one, removed after the test. The report file goes there, rather than piling up in the
 * machine's /tmp. A test that sets RUNNER_TEMP itself wins.
 */
export function useRunnerTemp(): void {
  let directory: string;
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.RUNNER_TEMP;
    directory = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    process.env.RUNNER_TEMP = directory;
  });
  afterEach(() => {
    // As it was: a CI runner has a RUNNER_TEMP of its own.
    if (before === undefined) delete process.env.RUNNER_TEMP;
    else process.env.RUNNER_TEMP = before;
    rmSync(directory, { recursive: true, force: true });
  });
}
