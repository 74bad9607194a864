import { describe, expect, it, jest } from '@jest/globals';
import { GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import {
  idsOf,
  storeCredentials,
  storeInputs,
  useStore,
  remainingUploads,
  seedUploads,
  store,
  uploadPart,
  type SeededUpload,
} from '../support/store.js';
import { useFaultProxy } from '../support/fault-proxy.js';
import { readmeExamples } from '../support/readme.js';
import { runAction } from '../support/runner.js';

jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const startProxy = useFaultProxy();
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

// The examples' max-age, written out here rather than read by the code under test.
const HOUR_MS = 3600_000;
const MAX_AGE_MS: Record<string, number> = {
  '0': 0,
  '6h': 6 * HOUR_MS,
  '24h': 24 * HOUR_MS,
  '2d': 48 * HOUR_MS,
};

/** The prefix and the days of each rule of the bucket that aborts incomplete uploads. */
async function abortRulesOf(bucket: string): Promise<Array<[string, number]>> {
  const { Rules = [] } = await seeder.send(
    new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }),
  );
  return Rules.filter((rule) => rule.AbortIncompleteMultipartUpload).map((rule) => [
    rule.Filter?.Prefix ?? rule.Prefix ?? '',
    rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation!,
  ]);
}

/** A key that an exclude pattern of the examples matches: `**` and `*` filled in. */
const keyMatching = (pattern: string) =>
  pattern.replace(/\*\*/g, 'deep/kept').replace(/\*/g, 'kept');

/**
 * The local buckets for an entry of an example's `bucket`: a name becomes a new bucket; a
 * pattern becomes one of this run's own (ListBuckets answers the buckets of suites running
 * meanwhile too), with two buckets it matches and one that starts like them but is not
 * matched as a whole name.
 */
async function localBuckets(
  entry: string,
  newBucket: (label: string, options?: { exact?: boolean }) => Promise<string>,
): Promise<{ entry: string; matched: string[]; unmatched: string[] }> {
  if (!/[*?[]/.test(entry)) {
    const bucket = await newBucket('readme');
    return { entry: bucket, matched: [bucket], unmatched: [] };
  }
  if (/[?[]/.test(entry)) throw new Error(`teach the test the pattern ${entry}`);
  const local = `rd${randomBytes(3).toString('hex')}-${entry}`;
  const filled = (filler: string) => local.replace(/\*/g, filler);
  const create = (name: string) => newBucket(name, { exact: true });
  return {
    entry: local,
    matched: await Promise.all([filled('run1'), filled('run2')].map(create)),
    unmatched: [await create(`${filled('run3')}-old`)],
  };
}

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
    const maxAgeMs = MAX_AGE_MS[inputs['max-age'] ?? '24h'];
    if (maxAgeMs === undefined) throw new Error(`add max-age ${inputs['max-age']} to MAX_AGE_MS`);
    const prefixes = lines(inputs.prefix ?? '');
    const excludes = (inputs.exclude ?? '').split('\n').filter(Boolean);
    const dryRun = inputs['dry-run'] === 'true';
    const reportBytes = inputs['report-bytes'] === 'true';
    const ruleDays = inputs['add-abort-rule'] ? Number.parseInt(inputs['add-abort-rule']) : 0;
    // A rule asked for on a store that keeps none (Swift) cannot be added: the step fails.
    const ruleFails = ruleDays > 0 && !store.lifecycleRules;

    // Each bucket of the example becomes a real bucket on the local store, seeded with an
    // upload under each prefix, one for each exclude pattern, and one outside the prefixes;
    // each holds a part of its own size.
    // A bucket that a pattern does not match gets the same, all of it out of reach.
    const selected: SeededUpload[] = [];
    const excluded: SeededUpload[] = [];
    const outside: SeededUpload[] = [];
    const unmatched: SeededUpload[] = [];
    const bytesOf = new Map<SeededUpload, number>();
    const seed = async (bucket: string, keys: string[], into: SeededUpload[]) => {
      for (const upload of await seedUploads(seeder, bucket, keys)) {
        bytesOf.set(upload, 1000 + 37 * bytesOf.size);
        await uploadPart(seeder, bucket, upload, bytesOf.get(upload)!);
        into.push(upload);
      }
    };
    const keptByPattern = excludes.map(keyMatching);
    if (!keptByPattern.every((key) => prefixes.some((p) => key.startsWith(p)))) {
      throw new Error(`an exclude pattern of the example is outside its prefixes: ${excludes}`);
    }
    const seedBucket = async (bucket: string, inReach: boolean) => {
      const keys = (prefixes.length ? prefixes : ['']).map((p) => `${p}left-behind.bin`);
      await seed(bucket, keys, inReach ? selected : unmatched);
      await seed(bucket, keptByPattern, inReach ? excluded : unmatched);
      if (prefixes.length)
        await seed(bucket, ['elsewhere/keep.bin'], inReach ? outside : unmatched);
    };
    const entries: string[] = [];
    const buckets: string[] = [];
    const cleaned: string[] = [];
    for (const entry of lines(inputs.bucket)) {
      const local = await localBuckets(entry, newBucket);
      entries.push(local.entry);
      for (const bucket of local.matched) await seedBucket(bucket, true);
      cleaned.push(...local.matched);
      for (const bucket of local.unmatched) await seedBucket(bucket, false);
      buckets.push(...local.matched, ...local.unmatched);
    }
    const everything = idsOf([...selected, ...excluded, ...outside, ...unmatched]);
    const remainingAll = async () => {
      const remaining: SeededUpload[] = [];
      for (const bucket of buckets) remaining.push(...(await remainingUploads(seeder, bucket)));
      return idsOf(remaining);
    };

    // The uploads are seconds old. A proxy moves the store's clock, as the action reads it
    // (the Date header), to a minute short of max-age past now, then a minute beyond it.
    const proxy = await startProxy();
    const stepInputs = {
      ...inputs,
      bucket: entries.join('\n'),
      ...storeInputs,
      endpoint: proxy.endpoint,
    };
    const inPost = inputs.when === 'post';
    // As the runner does: the main step, then at the end of the job the post step. With
    // when: post, the main step only checks the inputs, and the post step cleans up.
    const runJob = async () => {
      const main = await runAction(stepInputs, storeCredentials);
      const afterMain = await remainingAll();
      const post = await runAction(stepInputs, storeCredentials, {
        entry: 'post',
        state: main.state,
      });
      const cleaning = inPost ? post : main;
      expect([main.exitCode, post.exitCode]).toEqual(
        inPost ? [0, ruleFails ? 1 : 0] : [ruleFails ? 1 : 0, 0],
      );
      const unprotected =
        /The abort rule could not be added to .*could not read its rules: the store keeps no lifecycle rules/;
      expect(unprotected.test(cleaning.stdout)).toBe(ruleFails);
      // With when: post the main step touches nothing; else the post step does nothing.
      expect(afterMain).toEqual(inPost ? everything : await remainingAll());
      return (inPost ? post : main).outputs;
    };
    const found = String(
      selected.length + excluded.length + (prefixes.length ? 0 : outside.length),
    );

    proxy.storeClockAheadMs = maxAgeMs - 60_000;
    const tooYoung = await runJob();
    // The first job adds the rule the example asks for, one per prefix; the next adds none.
    const added = ruleDays > 0 && store.lifecycleRules && !dryRun;
    expect(lines(tooYoung['abort-rule-added']).sort()).toEqual(added ? [...cleaned].sort() : []);
    for (const bucket of added ? cleaned : []) {
      expect(await abortRulesOf(bucket)).toEqual(
        (prefixes.length ? prefixes : ['']).map((prefix) => [prefix, ruleDays]),
      );
    }
    expect(tooYoung).toMatchObject({
      'found-count': found,
      'matched-count': '0',
      'excluded-count': '0',
      'aborted-count': '0',
    });
    expect(await remainingAll()).toEqual(everything);

    proxy.storeClockAheadMs = maxAgeMs + 60_000;
    const stale = await runJob();
    const sum = (uploads: SeededUpload[]) =>
      uploads.reduce((total, upload) => total + bytesOf.get(upload)!, 0);
    expect(stale).toMatchObject({
      'abort-rule-added': '',
      'found-count': found,
      'matched-count': String(selected.length),
      'excluded-count': String(excluded.length),
      'aborted-count': String(dryRun ? 0 : selected.length),
      'failed-count': '0',
      'bytes-freed': String(reportBytes ? sum(selected) : 0),
      'parts-freed': String(reportBytes ? selected.length : 0),
    });
    expect(await remainingAll()).toEqual(
      dryRun ? everything : idsOf([...excluded, ...outside, ...unmatched]),
    );
  });
});
