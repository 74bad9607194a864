import { describe, expect, it, jest } from '@jest/globals';
import { useFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { runAction } from '../support/runner.js';
import {
  idsOf,
  remainingUploads,
  seedStaleUploads,
  seedUploads,
  storeCredentials,
  storeInputs,
  useStore,
  type SeededUpload,
} from '../support/store.js';

// dist/index.js as the runner runs it, against the real store through the fault proxy.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();

const through = (faultProxy: FaultProxy) => ({ ...storeInputs, endpoint: faultProxy.endpoint });

describe('dist/index.js when the store misbehaves', () => {
  it('reports denied aborts everywhere, aborts nothing and fails the step', async () => {
    const bucket = await newBucket('e2e-denied');
    const seeded = await seedStaleUploads(seeder, bucket, ['ci/a', 'ci/b', 'ci/c']);
    const proxy = await startProxy((request) =>
      request.operation === 'abort' ? { status: 403, code: 'AccessDenied' } : 'forward',
    );
    const run = await runAction(
      { bucket, prefix: 'ci/', 'max-age': '0', ...through(proxy) },
      storeCredentials,
    );

    const denied = `AccessDenied: the credentials need s3:AbortMultipartUpload on arn:aws:s3:::${bucket}/*`;
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      'aborted-count': '0',
      'matched-count': '3',
      'found-count': '3',
      'failed-count': '3',
      'gone-count': '0',
    });
    expect(run.stdout).toContain('::error::3 of 3 aborts failed (see the log and the job summary)');
    expect(run.stdout).toContain(denied);
    expect(run.summary).toContain('❌ **3 of 3 aborts failed.** Aborted 0 stale uploads;');
    expect(run.summary).toContain('s3:AbortMultipartUpload');
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(seeded));
  });

  it('never aborts an upload initiated after the run started, even with max-age 0', async () => {
    const bucket = await newBucket('e2e-newcomers');
    const before = await seedStaleUploads(seeder, bucket, ['ci/left-behind', 'ci/shared']);
    const newcomers: SeededUpload[] = [];
    // While the action lists, a test job still running starts uploads under the prefix.
    const proxy = await startProxy(async (request): Promise<Fault> => {
      if (request.operation === 'list' && newcomers.length === 0) {
        newcomers.push(...(await seedUploads(seeder, bucket, ['ci/new', 'ci/shared'])));
      }
      return 'forward';
    });
    const run = await runAction(
      { bucket, prefix: 'ci/', 'max-age': '0', ...through(proxy) },
      storeCredentials,
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'found-count': '4', 'aborted-count': '2' });
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(newcomers));
    expect(before).toHaveLength(2);
  });

  it('stops at its timeout when the store stops answering, reports, and fails', async () => {
    const bucket = await newBucket('e2e-timeout');
    const seeded = await seedStaleUploads(seeder, bucket, ['a', 'b', 'c', 'd']);
    // The listing answers; every abort hangs.
    const proxy = await startProxy((request) =>
      request.operation === 'abort' ? 'hang' : 'forward',
    );
    const started = Date.now();
    const run = await runAction(
      { bucket, 'max-age': '0', concurrency: '2', timeout: '3s', ...through(proxy) },
      storeCredentials,
    );

    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      'aborted-count': '0',
      'matched-count': '2',
      'found-count': '2',
      'failed-count': '3',
      'gone-count': '0',
    });
    const stopped =
      'Stopped: the run reached its timeout (timeout: 3s); 2 of 2 aborts failed, 1 listing failed';
    expect(run.stdout).toContain(`::error::${stopped} (see the log and the job summary)`);
    expect(run.summary).toContain(`❌ **${stopped}.**`);
    expect(run.summary).toContain('before the store answered this abort');
    expect(proxy.log.filter((entry) => entry.operation === 'abort')).toHaveLength(2);
    expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(seeded));
  });
});
