import { describe, expect, it, jest } from '@jest/globals';
import { once } from 'node:events';
import { useFaultProxy, type Fault } from '../support/fault-proxy.js';
import { runAction } from '../support/runner.js';
import {
  remainingUploads,
  seedStaleUploads,
  sleep,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// A cancelled job, as the runner cancels it: SIGINT to the step's node process, part-way
// through a run slowed down by a proxy that delays every request.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

const UPLOADS = 40;
/** Longer than the 2 s the step has to end in: an abort in flight must be cancelled. */
const ABORT_DELAY_MS = 3000;

async function startSlowCleanup(label: string) {
  const bucket = await newBucket(label);
  const keys = Array.from({ length: UPLOADS }, (_, i) => `ci/run-${i % 7}/part-${i}.bin`);
  const seeded = await seedStaleUploads(seeder, bucket, keys);
  let abortsSeen = 0;
  // Every abort reaches the store only after a delay; the rest goes through at once.
  const proxy = await startProxy(async (request): Promise<Fault> => {
    if (request.operation === 'abort') {
      abortsSeen += 1;
      // Unreferenced: a delay still running when the test ends must not keep jest waiting.
      await new Promise((resolve) => setTimeout(resolve, ABORT_DELAY_MS).unref());
    }
    return 'forward';
  });
  const inputs = {
    ...storeInputs,
    endpoint: proxy.endpoint,
    bucket,
    prefix: 'ci/',
    'max-age': '0',
    concurrency: '4',
  };
  return { bucket, seeded, inputs, abortsSeen: () => abortsSeen };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

describe('dist/index.js when the job is cancelled', () => {
  it('stops on SIGINT, reports the truth, and exits non-zero within 2 s', async () => {
    const { bucket, seeded, inputs, abortsSeen } = await startSlowCleanup('e2e-cancel');
    let signalledAt = 0;
    let exitedAt = 0;
    const run = await runAction(inputs, storeCredentials, {
      whileRunning: async (step) => {
        const exited = once(step, 'exit').then(() => (exitedAt = Date.now()));
        // The first 4 aborts have been answered, the next 4 are in flight.
        await until(() => abortsSeen() >= 8);
        signalledAt = Date.now();
        step.kill('SIGINT');
        await exited;
      },
    });

    expect(exitedAt - signalledAt).toBeLessThan(2000);
    expect(run.exitCode).toBe(1);
    const aborted = Number(run.outputs['aborted-count']);
    const failed = Number(run.outputs['failed-count']);
    // Really gone, by a fresh listing: at least what it says it aborted, at most that plus
    // the aborts cancelled in flight (they may or may not have taken effect).
    const gone = seeded.length - (await remainingUploads(seeder, bucket)).length;
    expect(aborted).toBeGreaterThanOrEqual(4);
    expect(aborted).toBeLessThan(UPLOADS);
    expect(gone).toBeGreaterThanOrEqual(aborted);
    expect(gone).toBeLessThanOrEqual(aborted + failed);

    const cancelled = 'Stopped: the job was cancelled (the runner sent SIGINT)';
    expect(run.stdout).toContain(`::error::${cancelled}; `);
    expect(run.stdout).toMatch(/^Total: found \d+, stale \d+, aborted \d+/m);
    expect(run.summary).toContain(`❌ **${cancelled}; `);
    expect(run.summary).toContain(`Aborted ${aborted} stale upload`);
    // The report file: every line whole, one per upload settled before the run ended.
    const lines = run.report
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { result: string; error?: string });
    expect(lines.filter((line) => line.result === 'aborted')).toHaveLength(aborted);
    const cut = lines.filter((line) => line.result === 'failed');
    expect(cut.length).toBeGreaterThanOrEqual(1);
    expect(cut.length).toBeLessThanOrEqual(failed);
    expect(cut[0].error).toContain('before the store answered this abort');
  });

  it('ends at once on a second signal', async () => {
    const { inputs, abortsSeen } = await startSlowCleanup('e2e-cancel-twice');
    let signalledAt = 0;
    let exitedAt = 0;
    const run = await runAction(inputs, storeCredentials, {
      whileRunning: async (step) => {
        const exited = once(step, 'exit').then(() => (exitedAt = Date.now()));
        await until(() => abortsSeen() >= 4);
        signalledAt = Date.now();
        // Two different signals, as the same one twice may arrive as one; the kernel may
        // deliver them in either order.
        step.kill('SIGINT');
        step.kill('SIGTERM');
        await exited;
      },
    });
    // 128 + the signal's number: ended by the second signal, not by the report after the
    // first (exit code 1), nor by the grace period (5 s).
    expect([130, 143]).toContain(run.exitCode);
    expect(exitedAt - signalledAt).toBeLessThan(2000);
  });
});
