import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../support/runner.js';

// `npm run demo` without its setup: the demo's body (scripts/demo.mjs), which runs dist/
// against the local RGW, the one store it uses.
jest.setTimeout(120_000);

const kept: string[] = [];
afterAll(() => {
  for (const path of kept) rmSync(path, { recursive: true, force: true });
});

describe('the demo', () => {
  it('keeps the report file whose path it prints, and prints no ::save-state line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/demo.mjs'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    const report = stdout.match(/^report-path +(\S+)$/m)?.[1];
    expect(report).toBeDefined();
    kept.push(dirname(report!));
    expect(stdout).toContain(`The report file stays at ${report}.`);
    expect(existsSync(report!)).toBe(true);
    const lines = readFileSync(report!, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(21);
    expect(JSON.parse(lines[0])).toMatchObject({ result: 'aborted' });
    // The post step's state goes to GITHUB_STATE, as on a runner, not to the log.
    expect(stdout).not.toMatch(/^::save-state/m);
    expect(existsSync(join(dirname(report!), 'state'))).toBe(false);
  });
});
