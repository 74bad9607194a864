import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLifecycle, type LifecycleBucket } from '../../src/engine/lifecycle.js';
import { unknownElementsOf } from '../../src/engine/lifecycle-xml.js';
import { addAbortRules, changedRules, type ProtectOptions } from '../../src/engine/protect.js';
import { s3Error } from '../support/s3-errors.js';
import { expireLogs, ourAbortRule } from '../support/lifecycle-fixtures.js';

let s3: ReturnType<typeof mockClient>;
let waits: number[];
const bucket = (listing: LifecycleBucket['listing'] = 'standard'): LifecycleBucket => ({
  bucket: 'b',
  client: new S3Client({ region: 'us-east-1' }),
  listing,
});
const options = (more: Partial<ProtectOptions> = {}): ProtectOptions => ({
  days: 7,
  dryRun: false,
  wait: async (ms) => void waits.push(ms),
  ...more,
});
const puts = () =>
  s3.commandCalls(PutBucketLifecycleConfigurationCommand).map(({ args }) => args[0].input);

beforeEach(() => {
  s3 = mockClient(S3Client);
  waits = [];
});
afterEach(() => s3.restore());

describe('addAbortRules', () => {
  it('reads the configuration, writes it whole with the new rule after the others, reads it back', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({
        Rules: [expireLogs()],
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      })
      .resolves({ Rules: [expireLogs(), ourAbortRule('ci/')] });
    const protection = await addAbortRules(bucket(), ['ci/'], options());
    expect(protection).toEqual({
      state: 'added',
      rules: [ourAbortRule('ci/')],
      confirmed: true,
      disabled: [],
    });
    expect(puts()).toEqual([
      {
        Bucket: 'b',
        LifecycleConfiguration: { Rules: [expireLogs(), ourAbortRule('ci/')] },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      },
    ]);
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).toHaveLength(2);
  });

  it('writes nothing when the run stops between its read and its write', async () => {
    const stop = new AbortController();
    s3.on(GetBucketLifecycleConfigurationCommand).callsFake(() => {
      stop.abort();
      return { Rules: [expireLogs()] };
    });
    expect(await addAbortRules(bucket(), ['ci/'], options({ signal: stop.signal }))).toEqual({
      state: 'failed',
      reason: 'not written: the run was stopped first',
      disabled: [],
    });
    expect(puts()).toEqual([]);
  });

  it('counts a rule written but not read back as added, unconfirmed, and writes nothing more', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [expireLogs()] })
      .rejects(s3Error('InternalError', 500));
    expect(await addAbortRules(bucket(), ['ci/'], options())).toEqual({
      state: 'added',
      rules: [ourAbortRule('ci/')],
      confirmed: false,
      disabled: [],
    });
    expect(puts()).toHaveLength(1);
    expect(s3.commandCalls(DeleteBucketLifecycleCommand)).toEqual([]);
  });

  it('writes nothing when the rule is there by the time of the write', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [ourAbortRule('')] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toEqual({
      state: 'nothing-to-add',
      disabled: [],
    });
    expect(puts()).toEqual([]);
  });

  it('adds to a bucket with no configuration', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .rejectsOnce(s3Error('NoSuchLifecycleConfiguration', 404))
      .resolves({ Rules: [ourAbortRule('')] });
    expect(await addAbortRules(bucket(), [''], options())).toMatchObject({
      state: 'added',
      confirmed: true,
    });
    expect(puts()[0]?.LifecycleConfiguration).toEqual({ Rules: [ourAbortRule('')] });
  });

  it.each<[string, Error, string, LifecycleBucket['listing']]>([
    [
      'a denied read',
      s3Error('AccessDenied', 403),
      'could not read its rules: AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::b',
      'standard',
    ],
    [
      "a denied read on a directory bucket, naming the directory bucket's own action",
      s3Error('AccessDenied', 403),
      "could not read its rules: AccessDenied: the credentials need s3express:GetLifecycleConfiguration on the directory bucket's ARN, arn:aws:s3express:REGION:ACCOUNT:bucket/b",
      'directory',
    ],
    [
      'a store without lifecycle rules',
      s3Error('NotImplemented', 501),
      'could not read its rules: the store keeps no lifecycle rules (it answered NotImplemented)',
      'standard',
    ],
  ])('writes nothing after %s', async (_, error, reason, listing) => {
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(error);
    expect(await addAbortRules(bucket(listing), ['ci/'], options())).toEqual({
      state: 'failed',
      reason,
      disabled: [],
    });
    expect(puts()).toEqual([]);
  });

  it("writes nothing after Swift's empty answer", async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({});
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('the store keeps no lifecycle rules'),
    });
    expect(puts()).toEqual([]);
  });

  it('names the missing permission when the write is denied', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [expireLogs()] });
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(s3Error('AccessDenied', 403));
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: 'AccessDenied: the credentials need s3:PutLifecycleConfiguration on arn:aws:s3:::b',
    });
    expect(await addAbortRules(bucket('directory'), ['ci/'], options())).toMatchObject({
      reason: expect.stringContaining('s3express:PutLifecycleConfiguration'),
    });
  });

  it('shows the rules a dry run would add, and writes nothing', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [expireLogs()] });
    expect(await addAbortRules(bucket(), ['ci/', 'tmp/'], options({ dryRun: true }))).toEqual({
      state: 'would-add',
      rules: [ourAbortRule('ci/'), ourAbortRule('tmp/')],
      disabled: [],
    });
    expect(puts()).toEqual([]);
  });

  it('neither reads nor writes once the run is stopped', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await addAbortRules(bucket(), ['ci/'], options({ signal: stop.signal }))).toMatchObject({
      state: 'failed',
      reason: 'not written: the run was stopped first',
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it("writes back the configuration as it was, in S3's schema, when a rule changed", async () => {
    const tagged: LifecycleRule = {
      ID: 'tagged',
      Status: 'Enabled',
      Filter: {
        Prefix: 'logs/',
        And: {
          Tags: [
            { Key: 'a', Value: '1' },
            { Key: 'b', Value: '2' },
          ],
        },
      },
      Expiration: { Days: 30 },
    };
    const lostItsPrefix = { ...tagged, Filter: { And: tagged.Filter!.And } };
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [tagged] })
      .resolves({ Rules: [lostItsPrefix, ourAbortRule('ci/')] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toEqual({
      state: 'failed',
      reason:
        'written, but read back rule "tagged" changed its meaning; the configuration as it was was written back',
      disabled: [],
    });
    const canonical = {
      ...tagged,
      Filter: { And: { Prefix: 'logs/', Tags: tagged.Filter!.And!.Tags } },
    };
    expect(puts().map((put) => put.LifecycleConfiguration?.Rules)).toEqual([
      [canonical, ourAbortRule('ci/')],
      [canonical],
    ]);
  });

  it('writes back the default minimum size for transitions with the rules, which S3 resets without it', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({
        Rules: [expireLogs()],
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      })
      .resolves({ Rules: [{ ...expireLogs(), Status: 'Disabled' }, ourAbortRule('ci/')] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('the configuration as it was was written back'),
    });
    expect(puts()).toEqual([
      {
        Bucket: 'b',
        LifecycleConfiguration: { Rules: [expireLogs(), ourAbortRule('ci/')] },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      },
      {
        Bucket: 'b',
        LifecycleConfiguration: { Rules: [expireLogs()] },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      },
    ]);
  });

  it('waits for every new rule to show, not the first: a store showing one of two is not yet done', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolvesOnce({ Rules: [expireLogs(), ourAbortRule('ci/')] })
      .resolves({ Rules: [expireLogs(), ourAbortRule('ci/'), ourAbortRule('tmp/')] });
    expect(await addAbortRules(bucket(), ['ci/', 'tmp/'], options())).toEqual({
      state: 'added',
      rules: [ourAbortRule('ci/'), ourAbortRule('tmp/')],
      confirmed: true,
      disabled: [],
    });
    expect(puts()).toHaveLength(1);
    expect(s3.commandCalls(DeleteBucketLifecycleCommand)).toEqual([]);
    expect(waits).toEqual([250]);
  });

  it('deletes the configuration it created when its own rule read back otherwise', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .rejectsOnce(s3Error('NoSuchLifecycleConfiguration', 404))
      .resolves({ Rules: [{ ...ourAbortRule('ci/'), Filter: { Prefix: '' } }] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining(`rule "${ourAbortRule('ci/').ID}" changed its meaning`),
    });
    expect(s3.commandCalls(DeleteBucketLifecycleCommand)).toHaveLength(1);
  });

  it('says to check by hand when writing back fails too', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolves({ Rules: [ourAbortRule('ci/')] });
    s3.on(PutBucketLifecycleConfigurationCommand)
      .resolvesOnce({})
      .rejects(s3Error('InternalError', 500, 'We encountered an internal error'));
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      reason:
        'written, but read back rule "expire-logs" is missing; writing back the configuration as it was failed too (InternalError, HTTP 500: We encountered an internal error): check the bucket\'s lifecycle rules by hand',
    });
  });

  it('waits a few seconds for a store that shows the new configuration late', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolves({ Rules: [expireLogs(), ourAbortRule('ci/')] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'added',
      confirmed: true,
    });
    expect(waits).toEqual([250, 500]);
  });

  it('says so when the store never shows it, and leaves the rules it does show alone', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [expireLogs()] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'added',
      confirmed: false,
    });
    expect(waits.reduce((a, b) => a + b)).toBeLessThanOrEqual(5_000);
    expect(puts()).toHaveLength(1);
  });

  it('writes nothing back over a change it did not make', async () => {
    const theirs: LifecycleRule = {
      ID: 'theirs',
      Status: 'Enabled',
      Filter: { Prefix: 'x/' },
      Expiration: { Days: 1 },
    };
    s3.on(GetBucketLifecycleConfigurationCommand)
      .resolvesOnce({ Rules: [expireLogs()] })
      .resolves({ Rules: [theirs] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/another writer may have changed the configuration meanwhile/),
    });
    expect(puts()).toHaveLength(1);
  });

  it('leaves a disabled rule alone and adds no second one', async () => {
    const disabled: LifecycleRule = { ...ourAbortRule('ci/'), Status: 'Disabled' };
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [disabled] });
    expect(await addAbortRules(bucket(), ['ci/'], options())).toEqual({
      state: 'nothing-to-add',
      disabled: [{ prefix: 'ci/', id: ourAbortRule('ci/').ID }],
    });
    expect(puts()).toEqual([]);
  });
});

describe('changedRules', () => {
  it('finds rules by ID, or by meaning when they have none', () => {
    const noId: LifecycleRule = { Status: 'Enabled', Prefix: 'a/', Expiration: { Days: 1 } };
    expect(
      changedRules(
        [expireLogs(), noId],
        [{ ...noId, Filter: { Prefix: 'a/' }, Prefix: undefined }, expireLogs()],
      ),
    ).toEqual([]);
    expect(changedRules([expireLogs(), noId], [expireLogs()])).toEqual([
      'a rule without an ID is missing',
    ]);
    expect(changedRules([expireLogs()], [{ ...expireLogs(), Status: 'Disabled' }])).toEqual([
      'rule "expire-logs" changed its meaning',
    ]);
  });

  it('finds a rule without an ID in no rule that has one, even of the same meaning', () => {
    const noId: LifecycleRule = { Status: 'Enabled', Prefix: 'a/', Expiration: { Days: 1 } };
    expect(changedRules([noId], [{ ...noId, ID: 'given' }])).toEqual([
      'a rule without an ID is missing',
    ]);
  });
});

describe('unknownElementsOf', () => {
  it.each([
    [
      '<LifecycleConfiguration><Rule><ID>a</ID><Prefix></Prefix><Status>Enabled</Status></Rule></LifecycleConfiguration>',
      [],
    ],
    [
      '<?xml version="1.0"?><LifecycleConfiguration xmlns="x"><Rule><Filter/></Rule></LifecycleConfiguration>',
      [],
    ],
    [
      '<LifecycleConfiguration><Rule><Filter><NewCondition>1</NewCondition></Filter><Zeta/><Alpha/></Rule></LifecycleConfiguration>',
      ['Alpha', 'NewCondition', 'Zeta'],
    ],
    // Element names are case-sensitive, and may have a namespace prefix: neither is known.
    [
      '<LifecycleConfiguration><Rule><ID>a</ID><status>Enabled</status><ext/></Rule></LifecycleConfiguration>',
      ['ext', 'status'],
    ],
    [
      '<LifecycleConfiguration xmlns:x="urn:x"><Rule><ID>a</ID><x:Ext>1</x:Ext><x:ID>b</x:ID></Rule></LifecycleConfiguration>',
      ['x:Ext', 'x:ID'],
    ],
  ])('%s', (xml, unknown) => {
    expect(unknownElementsOf(xml)).toEqual(unknown);
  });
});

describe('readLifecycle, over the wire', () => {
  let server: Server;
  let body: string;
  beforeEach(async () => {
    s3.restore();
    server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The bucket, on the server that answers `body` to every request. */
  const served = (): LifecycleBucket => {
    const { port } = server.address() as AddressInfo;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret-key-at-all' },
    });
    return { bucket: 'b', client, listing: 'standard' };
  };

  it('names the elements of the answer that the SDK would drop', async () => {
    body =
      '<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a/</Prefix><Ratio>2</Ratio></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>';
    expect(await readLifecycle(served())).toMatchObject({
      state: 'read',
      configuration: { rules: [{ ID: 'r', Filter: { Prefix: 'a/' } }] },
      unknownElements: ['Ratio'],
    });
  });

  it.each([
    ['in lower case', '<pause/>', 'pause'],
    ['with a namespace prefix', '<x:Ext xmlns:x="urn:x">1</x:Ext>', 'x:Ext'],
  ])('refuses to write back an element unknown to the SDK %s', async (_, element, name) => {
    body = `<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>${element}</Rule></LifecycleConfiguration>`;
    expect(await addAbortRules(served(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason: `its configuration holds elements the AWS SDK does not know (${name}): written back, they would be lost`,
    });
  });

  it('refuses to write such a configuration back', async () => {
    body =
      '<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><Pause/></Rule></LifecycleConfiguration>';
    expect(await addAbortRules(served(), ['ci/'], options())).toMatchObject({
      state: 'failed',
      reason:
        'its configuration holds elements the AWS SDK does not know (Pause): written back, they would be lost',
    });
  });
});
