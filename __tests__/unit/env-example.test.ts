import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { projectRoot, readActionYml } from '../support/runner.js';

// .env.example is what a user copies to .env for `npm run local-action`. local-action reads
// an input from INPUT_ and its name in capitals, hyphens kept, and quietly uses the default
// for any other spelling; and a variable in the file wins over the user's shell.
const read = (file: string) => readFile(join(projectRoot, file), 'utf8');

describe('.env.example', () => {
  it('names only inputs of action.yml, as local-action spells them', async () => {
    const { inputs } = await readActionYml();
    const known = Object.keys(inputs).map((name) => `INPUT_${name.toUpperCase()}`);
    const named = Object.keys(parseEnv(await read('.env.example'))).filter((name) =>
      name.startsWith('INPUT_'),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !known.includes(name))).toEqual([]);
  });

  it('is a dry run of one bucket that writes its summary to a file', async () => {
    const env = parseEnv(await read('.env.example'));
    expect(env['INPUT_DRY-RUN']).toBe('true');
    expect(env.INPUT_BUCKET).toMatch(/^[a-z0-9.-]+$/);
    expect(env.GITHUB_STEP_SUMMARY).toBeTruthy();
  });

  it('sets no credentials, which would override those of the shell', async () => {
    const env = parseEnv(await read('.env.example'));
    expect(Object.keys(env).filter((name) => /^AWS_|SECRET|TOKEN|PASSWORD/i.test(name))).toEqual(
      [],
    );
  });

  it('is not git-ignored, while the .env made from it and the summary it names are', async () => {
    const ignored = (await read('.gitignore')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'local-action-summary.md']));
    expect(parseEnv(await read('.env.example')).GITHUB_STEP_SUMMARY).toBe(
      'local-action-summary.md',
    );
    expect(ignored.some((pattern) => pattern.startsWith('.env') && pattern !== '.env')).toBe(false);
  });
});
