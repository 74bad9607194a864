import { describe, expect, it } from '@jest/globals';
import type { LifecycleRule, LifecycleRuleFilter, Tag } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import {
  abortRuleId,
  isLegacy,
  MAX_RULES,
  planAbortRules,
  type AbortRulePlan,
} from '../../src/engine/abort-rule-plan.js';
import { canonicalRule, meaningOf } from '../../src/engine/lifecycle-rules.js';
import { collapsePrefixes } from '../../src/config/inputs.js';
import { expireLogs } from '../support/lifecycle-fixtures.js';

const abortRule = (prefix: string, days: number, id: string): LifecycleRule => ({
  ID: id,
  Status: 'Enabled',
  Filter: { Prefix: prefix },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
});
const ourId = (prefix: string) => abortRuleId(prefix);

describe('planAbortRules', () => {
  it('adds one rule per uncovered prefix after the rules there are, which stay as they were', () => {
    const plan = planAbortRules({ rules: [expireLogs()] }, ['ci/', 'tmp/'], 7);
    expect(plan.configuration).toEqual({
      rules: [
        expireLogs(),
        abortRule('ci/', 7, 's3-multipart-cleanup: abort incomplete uploads under ci/'),
        abortRule('tmp/', 7, 's3-multipart-cleanup: abort incomplete uploads under tmp/'),
      ],
    });
    expect(plan.added.map((rule) => rule.Filter?.Prefix)).toEqual(['ci/', 'tmp/']);
    expect(plan.before).toEqual({ rules: [expireLogs()] });
  });

  it('adds a whole-bucket rule for the empty prefix, to a bucket with no configuration', () => {
    expect(planAbortRules({ rules: [] }, [''], 3).configuration).toEqual({
      rules: [
        abortRule('', 3, 's3-multipart-cleanup: abort incomplete uploads under the whole bucket'),
      ],
    });
  });

  it('adds nothing for a prefix a rule covers, and writes nothing when all are covered', () => {
    const covering = abortRule('ci/', 2, 'mine');
    expect(planAbortRules({ rules: [covering] }, ['ci/run-1/'], 7)).toEqual({
      added: [],
      disabled: [],
    });
    const plan = planAbortRules({ rules: [covering] }, ['ci/', 'tmp/'], 7);
    expect(plan.added.map((rule) => rule.Filter?.Prefix)).toEqual(['tmp/']);
  });

  it('keeps the default minimum size for transitions, which S3 resets when a PUT leaves it out', () => {
    const plan = planAbortRules(
      { rules: [expireLogs()], transitionDefaultMinimumObjectSize: 'varies_by_storage_class' },
      ['ci/'],
      7,
    );
    expect(plan.configuration?.transitionDefaultMinimumObjectSize).toBe('varies_by_storage_class');
    expect(plan.before?.transitionDefaultMinimumObjectSize).toBe('varies_by_storage_class');
  });

  it('writes a configuration in the legacy form with its new rules in that form', () => {
    const legacy: LifecycleRule = {
      ID: 'old',
      Status: 'Enabled',
      Prefix: 'old/',
      Expiration: { Days: 9 },
    };
    const plan = planAbortRules({ rules: [legacy] }, ['ci/'], 7);
    expect(plan.added).toEqual([
      {
        ID: ourId('ci/'),
        Status: 'Enabled',
        Prefix: 'ci/',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    expect(plan.configuration?.rules.every(isLegacy)).toBe(true);
  });

  it('writes its rules in the Filter form where the store keeps both forms (Ceph RGW takes a mix)', () => {
    // S3 refuses a mix, so a configuration read as one comes from a store that takes it:
    // the legacy form is kept only where every rule is in it.
    const legacy: LifecycleRule = {
      ID: 'old',
      Status: 'Enabled',
      Prefix: 'old/',
      Expiration: { Days: 9 },
    };
    const plan = planAbortRules({ rules: [legacy, expireLogs()] }, ['ci/'], 7);
    expect(plan.added).toEqual([abortRule('ci/', 7, ourId('ci/'))]);
    expect(plan.configuration?.rules).toEqual([legacy, expireLogs(), ...plan.added]);
  });

  it("writes RGW's answer for a prefix and two tags in S3's schema, keeping its prefix", () => {
    const tags: Tag[] = [
      { Key: 'team', Value: 'a' },
      { Key: 'tier', Value: 'b' },
    ];
    const asRgwAnswers: LifecycleRule = {
      ID: 'logs-tagged',
      Status: 'Enabled',
      Filter: { Prefix: 'logs/', And: { Tags: tags } },
      Expiration: { Days: 30 },
    };
    const plan = planAbortRules({ rules: [asRgwAnswers] }, ['ci/'], 7);
    expect(plan.configuration?.rules[0]).toEqual({
      ...asRgwAnswers,
      Filter: { And: { Prefix: 'logs/', Tags: tags } },
    });
  });

  it("writes RGW's answer for a prefix and one tag as an And", () => {
    const rule: LifecycleRule = {
      ID: 'x',
      Status: 'Enabled',
      Filter: { Prefix: 'x/', Tag: { Key: 'k', Value: 'v' } },
      Expiration: { Days: 1 },
    };
    expect(planAbortRules({ rules: [rule] }, ['ci/'], 7).configuration?.rules[0].Filter).toEqual({
      And: { Prefix: 'x/', Tags: [{ Key: 'k', Value: 'v' }] },
    });
  });

  it.each<[string, LifecycleRule, RegExp]>([
    [
      'a rule with both a Filter and the legacy Prefix',
      {
        ID: 'both',
        Status: 'Enabled',
        Prefix: 'a/',
        Filter: { Prefix: 'b/' },
        Expiration: { Days: 1 },
      },
      /rule "both" has both a Filter and the legacy Prefix/,
    ],
    [
      'a filter that gives its prefix twice',
      {
        ID: 'twice',
        Status: 'Enabled',
        Filter: { Prefix: 'a/', And: { Prefix: 'b/', Tags: [{ Key: 'k', Value: 'v' }] } },
        Expiration: { Days: 1 },
      },
      /rule "twice" gives its filter's Prefix twice/,
    ],
    [
      'a tag the SDK could not read (two Tag elements outside And)',
      { ID: 'tags', Status: 'Enabled', Filter: { Tag: {} as Tag }, Expiration: { Days: 1 } },
      /rule "tags" has a tag in its filter that could not be read whole/,
    ],
  ])('refuses to write back %s', (_, rule, reason) => {
    const plan = planAbortRules({ rules: [rule] }, ['ci/'], 7);
    expect(plan.configuration).toBeUndefined();
    expect(plan.refused).toMatch(reason);
  });

  it(`refuses to go past ${MAX_RULES} rules, and fills up to them`, () => {
    const rules = Array.from({ length: MAX_RULES - 1 }, (_, i) => ({
      ...expireLogs(),
      ID: `r${i}`,
    }));
    expect(planAbortRules({ rules }, ['ci/'], 7).configuration?.rules).toHaveLength(MAX_RULES);
    const full = planAbortRules({ rules }, ['ci/', 'tmp/'], 7);
    expect(full.configuration).toBeUndefined();
    expect(full.refused).toBe(
      "the bucket has 999 lifecycle rules, and 2 more would pass S3's limit of 1,000",
    );
  });

  it('adds no rule beside a disabled one that would cover the prefix, even one of its own', () => {
    const disabled: LifecycleRule = { ...abortRule('ci/', 7, ourId('ci/')), Status: 'Disabled' };
    expect(planAbortRules({ rules: [disabled] }, ['ci/'], 7)).toEqual({
      added: [],
      disabled: [{ prefix: 'ci/', id: ourId('ci/') }],
    });
    const partly = planAbortRules({ rules: [disabled] }, ['ci/', 'tmp/'], 7);
    expect(partly.added.map((rule) => rule.Filter?.Prefix)).toEqual(['tmp/']);
    expect(partly.configuration?.rules[0]).toBe(disabled);
  });

  it('gives each new rule an ID no other rule has', () => {
    const taken = { ...expireLogs(), ID: ourId('ci/') };
    const plan = planAbortRules(
      { rules: [taken, { ...expireLogs(), ID: `${ourId('ci/')} (2)` }] },
      ['ci/'],
      7,
    );
    expect(plan.added[0].ID).toBe(`${ourId('ci/')} (3)`);
  });

  it('keeps an ID within 255 bytes of UTF-8, cut between characters', () => {
    const id = abortRuleId(`ci/${'é'.repeat(300)}`);
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(id)).toBeGreaterThanOrEqual(254);
    expect(id).not.toContain('\uFFFD');
    const taken = planAbortRules(
      { rules: [{ ...expireLogs(), ID: id }] },
      [`ci/${'é'.repeat(300)}`],
      7,
    ).added[0].ID!;
    expect(Buffer.byteLength(taken)).toBeLessThanOrEqual(255);
    expect(taken.endsWith(' (2)')).toBe(true);
  });

  it('gives two long prefixes whose IDs are cut to the same 255 bytes two IDs', () => {
    // Past 255 bytes the prefixes differ only in what the cut drops: one ID would make S3
    // refuse the whole PUT (two rules with one ID).
    const long = `ci/${'x'.repeat(300)}`;
    const plan = planAbortRules({ rules: [] }, [`${long}/a/`, `${long}/b/`], 7);
    const ids = plan.added.map((rule) => rule.ID!);
    expect(ids[0]).toBe(abortRuleId(`${long}/a/`));
    expect(ids[0]).toBe(abortRuleId(`${long}/b/`));
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids.map((id) => Buffer.byteLength(id) <= 255)).toEqual([true, true]);
  });
});

describe('meaningOf', () => {
  it('is the same for the forms that mean the same, and differs where the meaning does', () => {
    const tag = { Key: 'k', Value: 'v' };
    const base: LifecycleRule = { Status: 'Enabled', Expiration: { Days: 1 } };
    const same = (
      [
        { ...base, Prefix: 'a/' },
        { ...base, Filter: { Prefix: 'a/' } },
        { ...base, Filter: { And: { Prefix: 'a/' } } },
      ] as LifecycleRule[]
    ).map(meaningOf);
    expect(new Set(same).size).toBe(1);
    expect(meaningOf({ ...base, Filter: { Prefix: 'a/', Tag: tag } })).toBe(
      meaningOf({ ...base, Filter: { And: { Prefix: 'a/', Tags: [tag] } } }),
    );
    const different = (
      [
        { ...base, Filter: { Prefix: 'a/' } },
        { ...base, Filter: { And: { Tags: [tag] } } },
        { ...base, Filter: { Prefix: 'a/', And: { Tags: [tag] } } },
        { ...base, Filter: { Prefix: 'a/' }, Status: 'Disabled' },
        { ...base, Filter: { Prefix: 'a/' }, Expiration: { Days: 2 } },
        { ...base, Filter: { Prefix: 'a/', ObjectSizeGreaterThan: 5 } },
        { ...base, Filter: { Prefix: 'a/' }, NoncurrentVersionExpiration: { NoncurrentDays: 3 } },
      ] as LifecycleRule[]
    ).map(meaningOf);
    expect(new Set(different).size).toBe(different.length);
  });

  // Each pair differs in one part only, which a store could drop or change unseen: RGW drops
  // NewerNoncurrentVersions at a PUT, and without a size bound a rule reaches more objects.
  const base: LifecycleRule = { ID: 'r', Status: 'Enabled', Expiration: { Days: 1 } };
  const tags = (...pairs: [string, string][]): LifecycleRule => ({
    ...base,
    Filter: { And: { Prefix: 'a/', Tags: pairs.map(([Key, Value]) => ({ Key, Value })) } },
  });
  it.each<[string, LifecycleRule, LifecycleRule]>([
    ['a tag of another value', tags(['k', 'v']), tags(['k', 'w'])],
    ['a tag of another key', tags(['k', 'v']), tags(['j', 'v'])],
    // A multiset, as written: a read-back with a tag once where it was written twice (or
    // the other way round) is not what was written, and is taken as a change.
    [
      'a tag given twice, and once',
      tags(['k', 'v'], ['k', 'v'], ['j', 'w']),
      tags(['k', 'v'], ['j', 'w']),
    ],
    [
      'ObjectSizeLessThan',
      { ...base, Filter: { And: { Prefix: 'a/', ObjectSizeLessThan: 5 } } },
      { ...base, Filter: { Prefix: 'a/' } },
    ],
    [
      'ObjectSizeLessThan, alone in the filter',
      { ...base, Filter: { ObjectSizeLessThan: 5 } },
      { ...base, Filter: { ObjectSizeLessThan: 6 } },
    ],
    [
      "NewerNoncurrentVersions of the noncurrent versions' expiration",
      { ...base, NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 } },
      { ...base, NoncurrentVersionExpiration: { NoncurrentDays: 3 } },
    ],
    [
      "NewerNoncurrentVersions of a noncurrent versions' transition",
      {
        ...base,
        NoncurrentVersionTransitions: [
          { NoncurrentDays: 3, NewerNoncurrentVersions: 2, StorageClass: 'GLACIER' },
        ],
      },
      { ...base, NoncurrentVersionTransitions: [{ NoncurrentDays: 3, StorageClass: 'GLACIER' }] },
    ],
  ])('tells apart two rules that differ in %s', (_, one, other) => {
    expect(meaningOf(one)).not.toBe(meaningOf(other));
  });

  it('is the same for tags in another order, as RGW sorts them', () => {
    expect(meaningOf(tags(['k', 'v'], ['j', 'w']))).toBe(meaningOf(tags(['j', 'w'], ['k', 'v'])));
  });
});

// Properties, for configurations of rules of every shape the SDK models, and the shapes
// Ceph RGW answers outside S3's schema. The meaning of a filter is checked against a model
// of S3's semantics written here, independently of the code under test: which objects a rule
// applies to. A failure prints fast-check's seed and the smallest case it found.
const runs = { seed: 20261202, numRuns: 400 };

const prefixText = fc
  .array(fc.constantFrom('a', 'b', '/', 'é'), { maxLength: 3 })
  .map((chars) => chars.join(''));
const tag = fc.record({ Key: fc.constantFrom('k1', 'k2', 'k3'), Value: fc.constantFrom('x', 'y') });
const size = fc.constantFrom(0, 100, 1000);
const filter: fc.Arbitrary<LifecycleRuleFilter> = fc.oneof(
  fc.constant({}),
  prefixText.map((Prefix) => ({ Prefix })),
  tag.map((Tag) => ({ Tag })),
  size.map((ObjectSizeGreaterThan) => ({ ObjectSizeGreaterThan })),
  size.map((ObjectSizeLessThan) => ({ ObjectSizeLessThan })),
  fc
    .record(
      {
        Prefix: prefixText,
        Tags: fc.array(tag, { minLength: 1, maxLength: 3 }),
        ObjectSizeGreaterThan: size,
        ObjectSizeLessThan: size,
      },
      { requiredKeys: [] },
    )
    .map((And) => ({ And })),
  // Ceph RGW's answers: a prefix beside a tag, or beside an And of tags.
  fc.record({ Prefix: prefixText, Tag: tag }),
  fc.record({
    Prefix: prefixText,
    And: fc.record({ Tags: fc.array(tag, { minLength: 2, maxLength: 3 }) }),
  }),
  // A filter no store should answer: its prefix twice, maybe with two values.
  fc.record({ Prefix: prefixText, And: fc.record({ Prefix: prefixText, Tags: fc.array(tag) }) }),
);
const where = fc.oneof(
  { weight: 4, arbitrary: filter.map((Filter) => ({ Filter })) },
  { weight: 1, arbitrary: prefixText.map((Prefix) => ({ Prefix })) },
);
const day = fc.integer({ min: 1, max: 400 });
const date = fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2030, 0, 1 + d)));
const actions = fc.record(
  {
    Expiration: fc.oneof(
      day.map((Days) => ({ Days })),
      date.map((Date) => ({ Date })),
      fc.constant({ ExpiredObjectDeleteMarker: true }),
    ),
    Transitions: fc.array(
      fc.record({
        Days: day,
        StorageClass: fc.constantFrom('STANDARD_IA' as const, 'GLACIER' as const),
      }),
      { maxLength: 2 },
    ),
    NoncurrentVersionTransitions: fc.array(
      fc.record({ NoncurrentDays: day, StorageClass: fc.constant('GLACIER' as const) }),
      { maxLength: 1 },
    ),
    NoncurrentVersionExpiration: fc.record(
      { NoncurrentDays: day, NewerNoncurrentVersions: fc.integer({ min: 1, max: 5 }) },
      { requiredKeys: ['NoncurrentDays'] },
    ),
    AbortIncompleteMultipartUpload: day.map((DaysAfterInitiation) => ({ DaysAfterInitiation })),
  },
  { requiredKeys: [] },
);
const rule: fc.Arbitrary<LifecycleRule> = fc
  .record({
    id: fc.option(fc.constantFrom('r1', 'r2', 'r3', 'r4', ourId('a'), ourId('')), {
      nil: undefined,
    }),
    status: fc.constantFrom('Enabled' as const, 'Disabled' as const),
    where,
    actions,
  })
  .map(({ id, status, where, actions }) => ({
    ...(id === undefined ? {} : { ID: id }),
    Status: status,
    ...where,
    ...actions,
  }));
const configuration = fc.record({
  rules: fc.uniqueArray(rule, {
    maxLength: 6,
    selector: (r) => r.ID ?? Symbol('no ID'),
  }),
  minimumSize: fc.option(
    fc.constantFrom('varies_by_storage_class' as const, 'all_storage_classes_128K' as const),
    { nil: undefined },
  ),
});
const prefixes = fc.array(prefixText, { maxLength: 3 }).map(collapsePrefixes);
const object = fc.record({
  key: prefixText,
  tags: fc.dictionary(fc.constantFrom('k1', 'k2', 'k3'), fc.constantFrom('x', 'y')),
  size: fc.constantFrom(0, 50, 100, 500, 1000, 2000),
});

/** Whether a rule applies to an object, as S3 defines it: every condition of its filter holds. */
function appliesTo(
  rule: LifecycleRule,
  obj: { key: string; tags: Record<string, string>; size: number },
) {
  const { Filter: f = {}, Prefix: legacy } = rule;
  const prefix = legacy ?? f.Prefix ?? f.And?.Prefix ?? '';
  const tags = [...(f.Tag ? [f.Tag] : []), ...(f.And?.Tags ?? [])];
  const above = f.ObjectSizeGreaterThan ?? f.And?.ObjectSizeGreaterThan;
  const below = f.ObjectSizeLessThan ?? f.And?.ObjectSizeLessThan;
  return (
    obj.key.startsWith(prefix) &&
    tags.every((t) => obj.tags[t.Key!] === t.Value) &&
    (above === undefined || obj.size > above) &&
    (below === undefined || obj.size < below)
  );
}

/** S3's largest object, and so the largest upload: 5 TiB. */
const LARGEST_UPLOAD = 5 * 1024 ** 4;

/**
 * Whether a rule, as S3 defines it, aborts every incomplete upload under `prefix`: it is
 * enabled, waits a number of days, and applies to each upload there. An upload has no tags
 * (S3 refuses an abort rule with a tag filter for that reason) and may be of any size up to
 * S3's largest; a key under `prefix` starts with it, and `prefix` itself is the shortest.
 */
function abortsEveryUploadUnder(rule: LifecycleRule, prefix: string, enabled = true): boolean {
  if ((rule.Status === 'Enabled') !== enabled) return false;
  if (typeof rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== 'number') return false;
  return [0, LARGEST_UPLOAD].every((size) => appliesTo(rule, { key: prefix, tags: {}, size }));
}

/** The asked prefixes that no enabled rule covers, by the model above. */
const uncoveredByModel = (rules: LifecycleRule[], asked: string[]) =>
  asked.filter((prefix) => !rules.some((rule) => abortsEveryUploadUnder(rule, prefix)));

/** A rule without its filter: its ID, status and actions. */
function withoutFilter(rule: LifecycleRule): LifecycleRule {
  const rest = { ...rule };
  delete rest.Filter;
  delete rest.Prefix;
  return rest;
}

/** Whether a filter is in S3's own schema: one of Prefix, Tag, a size bound or And, or none. */
const inS3Schema = (r: LifecycleRule) =>
  r.Filter === undefined
    ? r.Prefix !== undefined
    : r.Prefix === undefined && Object.values(r.Filter).filter((v) => v !== undefined).length <= 1;

describe('planAbortRules, for any configuration', () => {
  const plan = (
    {
      rules,
      minimumSize,
    }: {
      rules: LifecycleRule[];
      minimumSize?: 'varies_by_storage_class' | 'all_storage_classes_128K';
    },
    asked: string[],
  ): AbortRulePlan =>
    planAbortRules(
      { rules, ...(minimumSize ? { transitionDefaultMinimumObjectSize: minimumSize } : {}) },
      asked,
      7,
    );

  it("keeps every rule, in order, with the same meaning, in S3's schema", () => {
    fc.assert(
      fc.property(
        configuration,
        prefixes,
        fc.array(object, { minLength: 20, maxLength: 20 }),
        (config, asked, objects) => {
          const { configuration: result, refused } = plan(config, asked);
          fc.pre(result !== undefined);
          expect(refused).toBeUndefined();
          const kept = result!.rules.slice(0, config.rules.length);
          kept.forEach((written, i) => {
            const old = config.rules[i];
            expect(withoutFilter(written)).toEqual(withoutFilter(old));
            expect(objects.map((o) => appliesTo(written, o))).toEqual(
              objects.map((o) => appliesTo(old, o)),
            );
            expect(meaningOf(written)).toBe(meaningOf(old));
            expect(written).toEqual(canonicalRule(old));
            expect(inS3Schema(written)).toBe(true);
          });
          expect(result!.transitionDefaultMinimumObjectSize).toBe(config.minimumSize);
        },
      ),
      runs,
    );
  });

  it('adds rules only for the prefixes no enabled rule covers, and then covers them', () => {
    // The oracle is the model of S3's filters above, not coverage(): the code under test.
    fc.assert(
      fc.property(configuration, prefixes, (config, asked) => {
        const { configuration: result, added, disabled, refused } = plan(config, asked);
        fc.pre(refused === undefined);
        const uncovered = uncoveredByModel(config.rules, asked);
        // The first disabled rule that would cover each uncovered prefix, if any.
        const disabledBefore = uncovered.flatMap((prefix) => {
          const rule = config.rules.find((r) => abortsEveryUploadUnder(r, prefix, false));
          return rule === undefined ? [] : [{ prefix, id: rule.ID }];
        });
        expect(disabled).toEqual(disabledBefore);
        const needed = uncovered.filter((p) => !disabledBefore.some((d) => d.prefix === p));
        expect(added.map((r) => r.Filter?.Prefix ?? r.Prefix)).toEqual(needed);
        const rules = result?.rules ?? config.rules;
        expect(rules.slice(config.rules.length)).toEqual(added);
        expect(uncoveredByModel(rules, asked)).toEqual(disabledBefore.map((d) => d.prefix));
      }),
      runs,
    );
  });

  it('adds nothing to a configuration it cannot write back whole', () => {
    fc.assert(
      fc.property(configuration, prefixes, (config, asked) => {
        const { configuration: result, added, refused } = plan(config, asked);
        fc.pre(refused !== undefined);
        expect([result, added]).toEqual([undefined, []]);
        expect(config.rules.some((r) => 'refused' in canonicalRule(r))).toBe(true);
      }),
      runs,
    );
  });

  it('keeps IDs unique and the configuration in one form', () => {
    fc.assert(
      fc.property(configuration, prefixes, (config, asked) => {
        const { configuration: result } = plan(config, asked);
        fc.pre(result !== undefined);
        const rules = result!.rules;
        const ids = rules.map((r) => r.ID).filter((id) => id !== undefined);
        expect(new Set(ids).size).toBe(ids.length);
        const legacy = config.rules.length > 0 && config.rules.every(isLegacy);
        const filtered = config.rules.every((r) => r.Filter !== undefined);
        expect(!legacy || rules.every(isLegacy)).toBe(true);
        expect(!filtered || rules.every((r) => r.Filter !== undefined)).toBe(true);
      }),
      runs,
    );
  });

  it('writes nothing when every prefix is covered', () => {
    fc.assert(
      fc.property(configuration, prefixes, (config, asked) => {
        const covered = { ...config, rules: [...config.rules, abortRule('', 3, 'everything')] };
        expect(plan(covered, asked)).toEqual({ added: [], disabled: [] });
      }),
      runs,
    );
  });
});
