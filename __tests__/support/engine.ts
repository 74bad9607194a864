import { expect } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { abortSenderFor } from '../../src/engine/abort/senders.js';
import { cleanTarget, type CleanupPlan } from '../../src/engine/cleanup.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import { AbortTraffic, type ConcurrencySetting } from '../../src/engine/traffic/traffic.js';
import type { CleanupEvent, Target } from '../../src/engine/types.js';
import { remainingUploads, seedUploads, sleep, store, type SeededUpload } from './store.js';

/**
 * The engine's own client, built the way the action builds it (credentials from the
 * environment), against the store or, given an endpoint, a proxy in front of it.
 */
export function engineClient(concurrency = 16, endpoint = store.endpoint): S3Client {
  process.env.AWS_ACCESS_KEY_ID = store.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = store.secretAccessKey;
  return createS3Client({ ...store, endpoint, concurrency });
}

/**
 * Seeds `old` uploads, then `young` ones, and returns a cutoff between the two as the
 * store's own clock recorded them.
 */
export async function seedOldAndYoung(
  seeder: S3Client,
  bucket: string,
  oldKeys: string[],
  youngKeys: string[],
): Promise<{ old: SeededUpload[]; young: SeededUpload[]; cutoff: Date }> {
  const initiatedTimes = async () =>
    (await remainingUploads(seeder, bucket)).map((u) => u.initiated?.getTime() ?? NaN);
  const old = await seedUploads(seeder, bucket, oldKeys);
  const cutoff = new Date(Math.max(...(await initiatedTimes())));
  await sleep(1100); // Swift rounds Initiated up to the second
  const young = await seedUploads(seeder, bucket, youngKeys);
  // Guard the test itself: every young upload must really be younger than the cutoff.
  const all = await initiatedTimes();
  expect(all.filter((time) => time > cutoff.getTime())).toHaveLength(young.length);
  return { old, young, cutoff };
}

/** A plan as a test gives it: the traffic and the abort sender are made as the action makes them. */
export type TestPlan = Omit<CleanupPlan, 'traffic' | 'sendAbort'> &
  Partial<Pick<CleanupPlan, 'sendAbort'>> & { concurrency: ConcurrencySetting };

/**
 * Cleans a target with the engine as the action runs it: aborts on the path the action
 * takes for the bucket (abortSenderFor: the lean path, on these stores), unless the plan
 * brings its own sender.
 */
export async function clean(
  client: S3Client,
  target: Target,
  { concurrency, ...plan }: TestPlan,
): Promise<CleanupEvent[]> {
  const sendAbort = plan.sendAbort ?? (await abortSenderFor(client, target.bucket));
  const traffic = AbortTraffic.for(concurrency, plan.stop);
  const events: CleanupEvent[] = [];
  for await (const event of cleanTarget(client, target, { ...plan, sendAbort, traffic })) {
    events.push(event);
  }
  return events;
}

/** Each upload's outcome as `key#uploadId result`, sorted. */
export const resultsOf = (events: CleanupEvent[]): string[] =>
  events
    .flatMap((e) =>
      e.kind === 'upload' ? [`${e.upload.key}#${e.upload.uploadId} ${e.result}`] : [],
    )
    .sort();

export const withResult = (uploads: SeededUpload[], result: string): string[] =>
  uploads.map((u) => `${u.key}#${u.uploadId} ${result}`);
