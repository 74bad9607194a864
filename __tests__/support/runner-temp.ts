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
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    process.env.RUNNER_TEMP = directory;
  });
  afterEach(() => {
    delete process.env.RUNNER_TEMP;
    rmSync(directory, { recursive: true, force: true });
  });
}
