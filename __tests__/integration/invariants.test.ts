import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { collapsePrefixes } from '../../src/config/inputs.js';
import { clean, engineClient } from '../support/engine.js';
import {
  idsOf,
  remainingUploads,
  seedUploads,
  useStore,
  type ListedUpload,
} from '../support/store.js';

// The contract, checked on the real store for generated cases: the action aborts exactly the
// uploads whose key starts with one of the prefixes and that were initiated at or before the
// cutoff, by the store's clock, and nothing else. A failure prints fast-check's seed and the
// smallest case it found; rerun it by putting them in `runs` below.
jest.setTimeout(300_000);

const { seeder, newBucket } = useStore();
const runs = { seed: 20261122, numRuns: 20 };

// Characters that make keys and prefixes collide in interesting ways: separators, a prefix
// that is a key (`a`, `a/`, `ab`, `a/b`), characters S3 percent-encodes or XML escapes, and
// multi-byte ones that sort differently as UTF-8 and UTF-16.
const character = fc.constantFrom('a', 'b', '/', '-', '+', '%', ' ', '&', '~', 'é', '日', '🙂');
const text = (maxLength: number) =>
  fc.array(character, { minLength: 1, maxLength }).map((chars) => chars.join(''));
const key = fc.oneof(text(6), fc.constantFrom('a', 'a/', 'ab', 'a/b', 'a/b/c'));

const scenario = fc.record({
  keys: fc.array(key, { minLength: 1, maxLength: 10 }),
  prefixes: fc.array(fc.oneof(text(3), fc.constant('')), { maxLength: 3 }),
  // Which upload's Initiated the cutoff falls on (from none to all), and a nudge around it.
  cutoffAt: fc.nat(),
  nudgeMs: fc.constantFrom(-1, 0, 1),
});

/** The contract as README states it, written independently of the code under test. */
const contractSelects = (upload: ListedUpload, prefixes: string[], cutoff: Date) =>
  (prefixes.length === 0 || prefixes.some((prefix) => upload.key.startsWith(prefix))) &&
  upload.initiated !== undefined &&
  upload.initiated.getTime() <= cutoff.getTime();

describe('invariants on the real store', () => {
  it('aborts exactly the uploads the contract selects', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ keys, prefixes, cutoffAt, nudgeMs }) => {
        const bucket = await newBucket('invariant');
        await seedUploads(seeder, bucket, keys);
        const before = await remainingUploads(seeder, bucket);
        const times = [...new Set(before.map((u) => u.initiated?.getTime() ?? 0))].sort();
        const index = cutoffAt % (times.length + 1);
        // index 0: before every upload; otherwise at the index-th distinct Initiated.
        const cutoff = new Date((index === 0 ? times[0] - 1000 : times[index - 1]) + nudgeMs);
        const targets = collapsePrefixes(prefixes);

        const aborted: ListedUpload[] = [];
        const client = engineClient(8);
        for (const prefix of targets) {
          for (const event of await clean(
            client,
            { bucket, prefix },
            { cutoff, dryRun: false, concurrency: 8 },
          )) {
            if (event.kind === 'listing-failed') throw new Error(event.error);
            if (event.result === 'aborted') aborted.push({ ...event.upload });
          }
        }
        client.destroy();

        const expected = before.filter((u) => contractSelects(u, prefixes, cutoff));
        expect(idsOf(aborted)).toEqual(idsOf(expected));
        const kept = before.filter((u) => !contractSelects(u, prefixes, cutoff));
        expect(idsOf(await remainingUploads(seeder, bucket))).toEqual(idsOf(kept));
      }),
      runs,
    );
  });
});
