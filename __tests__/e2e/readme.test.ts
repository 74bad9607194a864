import { describe, expect, it, jest } from '@jest/globals';
import {
  idsOf,
  storeCredentials,
  storeInputs,
  useStore,
  remainingUploads,
  seedUploads,
  sleep,
  type SeededUpload,
} from '../support/store.js';
import { readmeExamples } from '../support/readme.js';
import { runAction } from '../support/runner.js';

jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const examples = readmeExamples();

/** Values for the workflow expressions the examples use, as the runner would supply them. */
function evaluate(value: unknown): string {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (expression === 'github.run_id') return '4242'; // runAction's GITHUB_RUN_ID
    throw new Error(`README example uses an expression the test cannot evaluate: ${expression}`);
  });
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

describe('the README examples', () => {
  it('are all found: four quick starts, each using the action once', () => {
    expect(examples.map((example) => example.title)).toEqual([
      '1. Clean up after the tests of this run, even when they fail',
      '2. A nightly sweep of the test buckets',
      '3. With credentials from OIDC (aws-actions/configure-aws-credentials)',
      '4. A self-hosted S3-compatible store',
    ]);
  });

  it.each(examples)('run as written: $title', async ({ inputs: written }) => {
    const inputs = Object.fromEntries(
      Object.entries(written).map(([name, value]) => [name, evaluate(value)]),
    );
    const prefixes = lines(inputs.prefix ?? '');
    // Each bucket of the example becomes a real bucket on the local server, seeded with an
    // upload under each prefix (older than the run) and one outside them.
    const selected: SeededUpload[] = [];
    const outside: SeededUpload[] = [];
    const localBuckets: string[] = [];
    const remainingAll = async () => {
      const remaining: SeededUpload[] = [];
      for (const bucket of localBuckets)
        remaining.push(...(await remainingUploads(seeder, bucket)));
      return remaining;
    };
    for (let i = 0; i < lines(inputs.bucket).length; i += 1) {
      const bucket = await newBucket('readme');
      localBuckets.push(bucket);
      selected.push(
        ...(await seedUploads(
          seeder,
          bucket,
          (prefixes.length ? prefixes : ['']).map((p) => `${p}left-behind.bin`),
        )),
      );
      if (prefixes.length)
        outside.push(...(await seedUploads(seeder, bucket, ['elsewhere/keep.bin'])));
    }

    // With max-age 0, an upload is stale once it is older than the run, by the store's clock
    // as its Date header tells it (whole seconds), and by its Initiated (Swift rounds it up).
    if (inputs['max-age'] === '0') await sleep(2100);
    const stepInputs = { ...inputs, bucket: localBuckets.join('\n'), ...storeInputs };
    const abortsNow = inputs['max-age'] === '0' && inputs['dry-run'] !== 'true';
    const expectedLeft = idsOf(abortsNow ? outside : [...selected, ...outside]);
    // As the runner does: the main step, then at the end of the job the post step.
    const main = await runAction(stepInputs, storeCredentials);
    const afterMain = idsOf(await remainingAll());
    const post = await runAction(stepInputs, storeCredentials, {
      entry: 'post',
      state: main.state,
    });
    // With when: post, the main step only checks the inputs, and the post step cleans up.
    const inPost = inputs.when === 'post';
    const cleanup = inPost ? post : main;

    expect([main.exitCode, post.exitCode]).toEqual([0, 0]);
    expect(afterMain).toEqual(inPost ? idsOf([...selected, ...outside]) : expectedLeft);
    expect(cleanup.outputs['found-count']).toBe(
      String(selected.length + (prefixes.length ? 0 : outside.length)),
    );
    expect(idsOf(await remainingAll())).toEqual(expectedLeft);
    expect(cleanup.outputs['aborted-count']).toBe(String(abortsNow ? selected.length : 0));
  });
});
