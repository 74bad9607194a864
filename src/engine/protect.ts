import {
  DeleteBucketLifecycleCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { setTimeout } from 'node:timers/promises';
import { planAbortRules } from './abort-rule-plan.js';
import { describeS3Error } from './errors.js';
import { readLifecycle, type LifecycleBucket } from './lifecycle.js';
import {
  describeRule,
  meaningOf,
  type DisabledRule,
  type LifecycleConfiguration,
} from './lifecycle-rules.js';

/**
 * What the run did to a bucket's lifecycle configuration, asked to add the missing abort
 * rules (add-abort-rule). `added`: written and read back; `confirmed` false when the store
 * still showed the configuration from before the write after waiting for it. `would-add`:
 * the rules a dry run would write. `nothing-to-add`: by the time of the write, every prefix
 * was covered, or would be by a rule that is disabled. `failed`: nothing is added, and why.
 * `disabled`: prefixes left uncovered because a disabled rule would cover them.
 */
export type Protection = { disabled: DisabledRule[] } & (
  | { state: 'added'; rules: LifecycleRule[]; confirmed: boolean }
  | { state: 'would-add'; rules: LifecycleRule[] }
  | { state: 'nothing-to-add' }
  | { state: 'failed'; reason: string }
);

export interface ProtectOptions {
  /** Days after its start that the rule aborts an incomplete upload. */
  days: number;
  dryRun: boolean;
  /** The run's stop: no write starts after it. */
  signal?: AbortSignal;
  /** How long to wait for the store to show the new configuration (default 5 s). */
  readBackMs?: number;
  wait?: (ms: number) => Promise<void>;
}

const READ_BACK_MS = 5_000;
const FIRST_READ_BACK_DELAY_MS = 250;

/**
 * Adds a rule aborting incomplete uploads under each uncovered prefix, as a small transaction
 * of its own, since S3 has none: read the configuration just before writing (so that the
 * window for another writer is one round trip), merge, write the whole of it, read it back
 * and compare every rule's meaning, and write back the configuration as it was if any rule
 * changed. Never throws.
 */
export async function addAbortRules(
  bucket: LifecycleBucket,
  prefixes: string[],
  options: ProtectOptions,
): Promise<Protection> {
  const { signal } = options;
  if (signal?.aborted) return failed('not written: the run was stopped first');
  const current = await readLifecycle(bucket, signal);
  if (current.state === 'unknown') return failed(`could not read its rules: ${current.reason}`);
  const plan = planAbortRules(current.configuration, prefixes, options.days);
  const { disabled } = plan;
  if (plan.refused !== undefined) return failed(plan.refused, disabled);
  if (plan.configuration === undefined) return { state: 'nothing-to-add', disabled };
  if (current.unknownElements.length > 0) {
    return failed(
      `its configuration holds elements the AWS SDK does not know (${current.unknownElements.join(', ')}): written back, they would be lost`,
      disabled,
    );
  }
  if (options.dryRun) return { state: 'would-add', rules: plan.added, disabled };
  if (signal?.aborted) return failed('not written: the run was stopped first', disabled);
  try {
    await put(bucket, plan.configuration, signal);
  } catch (error) {
    return failed(whyNotWritten(error, bucket), disabled);
  }
  const protection = await verify(bucket, plan.configuration, plan.before!, plan.added, options);
  return { ...protection, disabled };
}

/** Reads the configuration back and compares it with what was written. */
async function verify(
  bucket: LifecycleBucket,
  written: LifecycleConfiguration,
  before: LifecycleConfiguration,
  added: LifecycleRule[],
  options: ProtectOptions,
): Promise<Protection> {
  const { rules, shown } = await readBack(bucket, added, options);
  const unconfirmed: Protection = { state: 'added', rules: added, confirmed: false, disabled: [] };
  // Written, but not to be checked now: the next run's check reads it again.
  if (rules === undefined) return unconfirmed;
  // Until the store shows the new rules, only the old ones can be compared.
  const changed = changedRules(shown ? written.rules : before.rules, rules);
  if (changed.length === 0) return shown ? { ...unconfirmed, confirmed: true } : unconfirmed;
  if (!shown) {
    return failed(
      `the store accepted the new rules but does not show them, and ${changed.join('; ')}: another writer may have changed the configuration meanwhile, so it was left as it is`,
    );
  }
  const restored = await restore(bucket, before, options.signal);
  return failed(
    `written, but read back ${changed.join('; ')}; ${restored ?? 'the configuration as it was was written back'}`,
  );
}

/** The rules as the store shows them after the write, waiting a while for the new ones. */
async function readBack(
  bucket: LifecycleBucket,
  added: LifecycleRule[],
  { readBackMs = READ_BACK_MS, signal, wait = stoppableSleep(signal) }: ProtectOptions,
): Promise<{ rules: LifecycleRule[] | undefined; shown: boolean }> {
  let waited = 0;
  for (let delay = FIRST_READ_BACK_DELAY_MS; ; delay *= 2) {
    const read = await readLifecycle(bucket, signal);
    const rules = read.state === 'read' ? read.configuration.rules : undefined;
    const shown = added.every((rule) => rules?.some((r) => r.ID === rule.ID));
    if (shown || waited + delay > readBackMs || signal?.aborted) return { rules, shown };
    await wait(delay);
    waited += delay;
  }
}

/**
 * How the rules read back differ from the rules expected: one phrase per rule lost or
 * changed. A rule is found by its ID, or, without one, by its meaning.
 */
export function changedRules(expected: LifecycleRule[], actual: LifecycleRule[]): string[] {
  const unmatched = [...actual];
  const changes: string[] = [];
  for (const rule of expected) {
    const meaning = meaningOf(rule);
    const index = unmatched.findIndex((r) =>
      rule.ID === undefined ? r.ID === undefined && meaningOf(r) === meaning : r.ID === rule.ID,
    );
    if (index === -1) {
      changes.push(`${describeRule(rule)} is missing`);
      continue;
    }
    const [found] = unmatched.splice(index, 1);
    if (meaningOf(found) !== meaning) changes.push(`${describeRule(rule)} changed its meaning`);
  }
  return changes;
}

/** Writes back the configuration as it was; undefined when that worked, else what to do. */
async function restore(
  bucket: LifecycleBucket,
  before: LifecycleConfiguration,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  try {
    if (before.rules.length === 0) {
      await bucket.client.send(new DeleteBucketLifecycleCommand({ Bucket: bucket.bucket }), {
        abortSignal: signal,
      });
    } else {
      await put(bucket, before, signal);
    }
    return undefined;
  } catch (error) {
    return `writing back the configuration as it was failed too (${whyNotWritten(error, bucket)}): check the bucket's lifecycle rules by hand`;
  }
}

async function put(
  { client, bucket }: LifecycleBucket,
  configuration: LifecycleConfiguration,
  signal: AbortSignal | undefined,
): Promise<void> {
  const command = new PutBucketLifecycleConfigurationCommand({
    Bucket: bucket,
    LifecycleConfiguration: { Rules: configuration.rules },
    TransitionDefaultMinimumObjectSize: configuration.transitionDefaultMinimumObjectSize,
  });
  await client.send(command, { abortSignal: signal });
}

function whyNotWritten(error: unknown, { bucket, listing }: LifecycleBucket): string {
  const directory = listing === 'directory';
  return describeS3Error(error, 'put-lifecycle', { bucket, prefix: '', directory });
}

function failed(reason: string, disabled: DisabledRule[] = []): Protection {
  return { state: 'failed', reason, disabled };
}

/** A wait that ends early at the run's stop. */
function stoppableSleep(signal: AbortSignal | undefined) {
  return (ms: number) => setTimeout(ms, undefined, { signal }).catch(() => undefined);
}
