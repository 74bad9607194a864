import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AbortMultipartUploadCommand,
  GetBucketLifecycleConfigurationCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Input } from '../../src/config/constants.js';
import { readFile } from 'node:fs/promises';
import { mockedRun, SECRET } from '../support/mocked-run.js';
import { s3Error } from '../support/s3-errors.js';
import { listed } from '../support/uploads.js';

const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
const young = new Date(Date.now() - 3600 * 1000);
const { run, fake, mocked } = await mockedRun();
let s3: ReturnType<typeof mockClient>;
beforeEach(() => {
  s3 = mocked.s3;
});

/** The main step: it starts with no saved state. */
async function runAction(inputs: Record<string, string>) {
  fake.useInputs({ bucket: 'test-bucket', 'max-age': '1d', ...inputs }, {});
  await run();
  return fake;
}

describe('run', () => {
  it('refuses bad input before any request, naming the input', async () => {
    const fake = await runAction({ 'max-age': '7 days', concurrency: '0' });
    expect(fake.core.setFailed).toHaveBeenCalledWith(
      'Invalid input; nothing was listed or aborted.\n' +
        'max-age: "7 days" is not a duration; use e.g. 7d, 36h, 90m, 1d12h or P7D (0 means any age)\n' +
        'concurrency: "0" is neither auto nor a whole number from 1 to 256; use e.g. auto, or 32',
    );
    expect(s3.calls()).toHaveLength(0);
    expect(fake.outputs()).toMatchObject({
      'aborted-count': '0',
      'matched-count': '0',
      'found-count': '0',
      'failed-count': '0',
      'gone-count': '0',
    });
    expect(fake.summaryText()).toContain('Invalid input; nothing was listed or aborted.');
  });

  // One bad form of every input: each is refused with its name, before any request.
  const badForms: Record<Input, string> = {
    [Input.Bucket]: 's3://test-bucket/ci/',
    [Input.Prefix]: 'p'.repeat(1025),
    [Input.MaxAge]: '3 days',
    [Input.DryRun]: 'yes',
    [Input.Region]: 'eu west 1',
    [Input.Endpoint]: 's3.example.com',
    [Input.ForcePathStyle]: 'on',
    [Input.Concurrency]: '0',
    [Input.FailOnError]: 'no',
    [Input.Timeout]: '0',
    [Input.When]: 'later',
    [Input.Exclude]: '/ci/pinned/**',
    [Input.InitiatedBy]: 'ci bot',
    [Input.ReportBytes]: 'sure',
    [Input.Limit]: '-1',
    [Input.CheckLifecycle]: 'perhaps',
    [Input.AddAbortRule]: '12h',
    [Input.StoragePrice]: '$0.023',
  };
  it.each(Object.entries(badForms))('refuses a bad %s before any request', async (name, value) => {
    const fake = await runAction({ [name]: value });
    const message = fake.core.setFailed.mock.calls[0]?.[0] as string;
    expect(message).toMatch(
      // The input's name, then what is wrong and a valid example.
      new RegExp(
        `^Invalid input; nothing was listed or aborted\\.\\n${name}: .*(e\\.g\\.|use true) `,
      ),
    );
    expect(s3.calls()).toHaveLength(0);
    expect(fake.outputs()['aborted-count']).toBe('0');
  });

  it('aborts the stale uploads of every bucket and prefix, and reports them', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('ci/a', '1', old), listed('ci/b', '2', young)],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ bucket: 'one, two', prefix: 'ci/' });
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(fake.outputs()).toMatchObject({
      'aborted-count': '2',
      'matched-count': '2',
      'found-count': '4',
      'failed-count': '0',
      'gone-count': '0',
    });
    const aborted = s3.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input);
    expect(aborted).toEqual([
      { Bucket: 'one', Key: 'ci/a', UploadId: '1' },
      { Bucket: 'two', Key: 'ci/a', UploadId: '1' },
    ]);
    expect(fake.core.group.mock.calls.map(([name]) => name)).toEqual([
      'Cleaning s3://one/ci/',
      'Cleaning s3://two/ci/',
    ]);
    expect(fake.core.info).toHaveBeenCalledWith(
      'Total: found 4, stale 2, aborted 2, already gone 0, failed 0',
    );
    expect(fake.summaryText()).toContain('[CI \\#42](https://github.com/octo/repo/actions/runs/7)');
    expect(fake.summaryText()).toContain('✅ **Aborted 2 stale uploads**');
    expect(fake.logged()).toMatch(/^Aborts in flight: settled on \d+ \(concurrency: auto\)\.$/m);
    expect(fake.summaryText()).toMatch(/· \d+ aborts in flight \(concurrency auto\)/);
  });

  it('takes timeout: 30d, longer than a timer holds, and is not stopped by it', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('a', '1', old)] });
    // The abort takes a while, as on a real store: long enough for a misfiring timer.
    s3.on(AbortMultipartUploadCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return {};
    });
    const fake = await runAction({ timeout: '30d' });
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '1', 'failed-count': '0' });
    expect(fake.summaryText()).toContain('✅ **Aborted 1 stale upload**');
  });

  it('aborts nothing in a dry run, and says so', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('a', '1', old)] });
    const fake = await runAction({ 'dry-run': 'true' });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '0', 'matched-count': '1' });
    expect(fake.core.info).toHaveBeenCalledWith(
      'Total: found 1, stale 1, aborted 0, already gone 0, failed 0 (dry run: nothing aborted)',
    );
    // It sent no abort: it has no number in flight to tell of.
    expect(fake.logged()).not.toContain('Aborts in flight');
    expect(fake.summaryText()).not.toContain('in flight');
  });

  it('fails the step after reporting when an abort fails, unless fail-on-error is false', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('a', '1', old), listed('b', '2', old)],
    });
    s3.on(AbortMultipartUploadCommand, { Key: 'a' })
      .rejects(s3Error('AccessDenied', 403))
      .on(AbortMultipartUploadCommand, { Key: 'b' })
      .resolves({});
    const failing = await runAction({});
    expect(failing.outputs()).toMatchObject({ 'aborted-count': '1', 'failed-count': '1' });
    expect(failing.core.setFailed).toHaveBeenCalledWith(
      '1 of 2 aborts failed (see the log and the job summary)',
    );
    expect(failing.summaryText()).toContain('s3:AbortMultipartUpload');

    const lenient = await runAction({ 'fail-on-error': 'false' });
    expect(lenient.core.setFailed).not.toHaveBeenCalled();
    expect(lenient.core.warning).toHaveBeenCalledWith(
      '1 of 2 aborts failed (see the log and the job summary); not failing the step because fail-on-error is false',
    );
  });

  it('goes on with the next target when one listing fails', async () => {
    s3.on(ListMultipartUploadsCommand, { Bucket: 'missing' })
      .rejects(s3Error('NoSuchBucket', 404))
      .on(ListMultipartUploadsCommand, { Bucket: 'present' })
      .resolves({ Uploads: [listed('a', '1', old)] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ bucket: 'missing\npresent' });
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '1', 'failed-count': '1' });
    expect(fake.core.error).toHaveBeenCalledWith(
      'Listing s3://missing (whole bucket) failed: NoSuchBucket: bucket "missing" does not exist (check the bucket name, region and endpoint)',
    );
    expect(fake.core.setFailed).toHaveBeenCalledWith(
      '1 listing failed (see the log and the job summary)',
    );
  });

  it('never lets a secret through, even when a store echoes it', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('a', '1', old)] });
    s3.on(AbortMultipartUploadCommand).rejects(
      s3Error('InvalidRequest', 400, `bad signature for ${SECRET}`),
    );
    const fake = await runAction({});
    expect(fake.logged()).toContain('InvalidRequest, HTTP 400: bad signature for ***');
    expect(fake.logged()).not.toContain(SECRET);
    expect(fake.summaryText()).not.toContain(SECRET);
    expect(JSON.stringify(fake.outputs())).not.toContain(SECRET);
  });

  it('logs each key on one line, so a key cannot forge a workflow command', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('x\n::error::forged', '1', old)],
    });
    s3.on(AbortMultipartUploadCommand).rejects(s3Error('InternalError', 500));
    const fake = await runAction({});
    expect(fake.logged()).toContain(
      'failed: "x␊::error::forged" upload 1 (age 3d): InternalError, HTTP 500',
    );
    expect(fake.logged()).not.toMatch(/\n::error::forged/);
  });
});

describe('buckets by pattern', () => {
  it('cleans every bucket a pattern matches, each once, and says what each matched', async () => {
    s3.on(ListBucketsCommand).resolves({
      Buckets: ['ci-a', 'ci-b', 'cj-x', 'other'].map((Name) => ({ Name })),
    });
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('k', '1', old)] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ bucket: 'ci-b\nci-*\nci-none-*', 'check-lifecycle': 'false' });
    expect(s3.commandCalls(ListBucketsCommand).map((call) => call.args[0].input)).toEqual([
      { Prefix: 'ci-', MaxBuckets: 10_000, ContinuationToken: undefined },
    ]);
    const aborted = s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.Bucket);
    expect(aborted).toEqual(['ci-b', 'ci-a']);
    expect(fake.core.info).toHaveBeenCalledWith(
      'Bucket pattern ci-* matched 2 buckets: ci-a, ci-b.',
    );
    expect(fake.core.info).toHaveBeenCalledWith('Bucket pattern ci-none-* matched no bucket.');
    expect(fake.summaryText()).toContain('`ci-none-*` matched no bucket.');
    expect(fake.core.setFailed).not.toHaveBeenCalled();
  });
});

describe('the cost of the leak', () => {
  it("shows it at S3 Standard's price on Amazon S3, unless told otherwise", async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('k', '1', old)] });
    s3.on(ListPartsCommand).resolves({ Parts: [{ PartNumber: 1, Size: 50 * 2 ** 30 }] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const onS3 = await runAction({ 'report-bytes': 'true', 'check-lifecycle': 'false' });
    expect(onS3.summaryText()).toContain(
      "freeing 50.0 GiB in 1 part, which cost $1.15 a month at $0.023 per GB-month (Amazon S3 Standard's list price in us-east-1, the default of storage-price).",
    );
    const hidden = await runAction({
      'report-bytes': 'true',
      'check-lifecycle': 'false',
      'storage-price': '0',
    });
    expect(hidden.summaryText()).toContain('freeing 50.0 GiB in 1 part.');
  });
});

describe("the buckets' lifecycle rules", () => {
  beforeEach(() => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('ci/a', '1', old)] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'covered' })
      .resolves({
        Rules: [{ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } }],
      })
      .on(GetBucketLifecycleConfigurationCommand, { Bucket: 'bare' })
      .rejects(s3Error('NoSuchLifecycleConfiguration', 404))
      .on(GetBucketLifecycleConfigurationCommand, { Bucket: 'private' })
      .rejects(s3Error('AccessDenied', 403));
  });

  it('reads each bucket once, names those without a rule, and never fails the step for it', async () => {
    const fake = await runAction({ bucket: 'covered\nbare\nprivate', prefix: 'ci/\ntmp/' });
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).toHaveLength(3);
    expect(fake.outputs()['buckets-without-abort-rule']).toBe('bare');
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(fake.core.warning).not.toHaveBeenCalled();
    expect(fake.core.info).toHaveBeenCalledWith(
      's3://bare: no lifecycle rule aborts incomplete uploads under ci/, tmp/; the job summary shows one to add.',
    );
    expect(fake.core.info).toHaveBeenCalledWith(
      's3://private: could not tell whether a lifecycle rule aborts incomplete uploads: AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::private.',
    );
    expect(fake.summaryText()).toContain('### Do the buckets clean up by themselves?');
  });

  it('adds the missing rule when asked, after the cleanup, and fails for a bucket it could not', async () => {
    let cleaned = false;
    s3.on(AbortMultipartUploadCommand).callsFake(() => {
      cleaned = true;
      return {};
    });
    // Once written, the rule reads back; the first read of each bucket finds none.
    const written: Record<string, unknown[]> = {};
    s3.on(PutBucketLifecycleConfigurationCommand).callsFake((input) => {
      expect(cleaned).toBe(true);
      written[input.Bucket] = input.LifecycleConfiguration.Rules;
      return {};
    });
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'bare' }).callsFake(() => {
      if (written.bare) return { Rules: written.bare };
      throw s3Error('NoSuchLifecycleConfiguration', 404);
    });
    const fake = await runAction({
      bucket: 'covered\nbare\nprivate',
      prefix: 'ci/',
      'add-abort-rule': '7d',
    });
    expect(Object.keys(written)).toEqual(['bare']);
    expect(fake.outputs()).toMatchObject({
      'abort-rule-added': 'bare',
      'buckets-without-abort-rule': '',
      'aborted-count': '3',
    });
    expect(fake.core.info).toHaveBeenCalledWith(
      's3://bare: added a lifecycle rule aborting incomplete uploads 7 days after they start, under "ci/".',
    );
    // Not also the line of a bucket without one, which the run has just added.
    expect(fake.logged()).not.toContain('s3://bare: no lifecycle rule aborts');
    expect(fake.core.setFailed).toHaveBeenCalledWith(
      'The abort rule could not be added to 1 bucket (see the log and the job summary)\n' +
        's3://private: could not read its rules: AccessDenied: the credentials need s3:GetLifecycleConfiguration on arn:aws:s3:::private',
    );
    expect(fake.summaryText()).toContain('🧹 `bare`: this run added a lifecycle rule');
  });

  it('merges into the rules it reads just before the write, whatever the check found earlier', async () => {
    // The check finds no configuration; by the time of the write the owner has added two
    // rules, one of which covers tmp/. The write keeps both and adds a rule for ci/ only.
    const theirs: LifecycleRule[] = [
      { ID: 'theirs', Status: 'Enabled', Prefix: 'x/', Expiration: { Days: 1 } },
      {
        ID: 'their-tmp',
        Status: 'Enabled',
        Prefix: 'tmp/',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
      },
    ];
    let reads = 0;
    let written: LifecycleRule[] | undefined;
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'changing' }).callsFake(() => {
      reads += 1;
      if (reads === 1) throw s3Error('NoSuchLifecycleConfiguration', 404);
      return { Rules: written ?? theirs };
    });
    s3.on(PutBucketLifecycleConfigurationCommand).callsFake((input) => {
      written = input.LifecycleConfiguration.Rules;
      return {};
    });
    const fake = await runAction({
      bucket: 'changing',
      prefix: 'ci/\ntmp/',
      'add-abort-rule': '7',
    });
    expect(written).toEqual([
      ...theirs,
      {
        ID: 's3-multipart-cleanup: abort incomplete uploads under ci/',
        Status: 'Enabled',
        Prefix: 'ci/',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    expect(fake.outputs()).toMatchObject({
      'abort-rule-added': 'changing',
      'buckets-without-abort-rule': '',
    });
    expect(fake.core.setFailed).not.toHaveBeenCalled();
  });

  it('names a bucket whose only covering rule is disabled among those without one', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'paused' }).resolves({
      Rules: [
        {
          ID: 'paused',
          Status: 'Disabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
        },
      ],
    });
    const fake = await runAction({
      bucket: 'paused\ncovered',
      prefix: 'ci/',
      'add-abort-rule': '7',
    });
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)).toHaveLength(0);
    expect(fake.outputs()).toMatchObject({
      'abort-rule-added': '',
      'buckets-without-abort-rule': 'paused',
    });
  });

  it('never lets a secret through in why a lifecycle read or write failed', async () => {
    const TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';
    process.env.AWS_SESSION_TOKEN = TOKEN;
    // The check reads no configuration; the read before the write, or the write, fails
    // with an answer that echoes the token or the key.
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'read-fails' })
      .rejectsOnce(s3Error('NoSuchLifecycleConfiguration', 404))
      .rejects(s3Error('InvalidToken', 400, `token ${TOKEN} is malformed`));
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(
      s3Error('InvalidRequest', 400, `bad signature for ${SECRET}`),
    );
    const fake = await runAction({ bucket: 'read-fails\nbare', 'add-abort-rule': '7' });
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)).toHaveLength(1);
    const failure = String(fake.core.setFailed.mock.calls[0]?.[0]);
    expect(failure).toContain(
      's3://read-fails: could not read its rules: InvalidToken, HTTP 400: token *** is malformed',
    );
    expect(failure).toContain('s3://bare: InvalidRequest, HTTP 400: bad signature for ***');
    for (const secret of [SECRET, TOKEN]) {
      expect(fake.logged()).not.toContain(secret);
      expect(fake.summaryText()).not.toContain(secret);
      expect(JSON.stringify(fake.outputs())).not.toContain(secret);
    }
    expect(fake.summaryText()).toContain('bad signature for ***');
    expect(fake.summaryText()).toContain('token *** is malformed');
  });

  it('says what it did to each bucket in the order of the buckets, whichever finished first', async () => {
    const slowly = (ms: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      throw s3Error('NoSuchLifecycleConfiguration', 404);
    };
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: 'slow' })
      .callsFake(slowly(60))
      .on(GetBucketLifecycleConfigurationCommand, { Bucket: 'fast' })
      .callsFake(slowly(0));
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(s3Error('AccessDenied', 403));
    const fake = await runAction({ bucket: 'slow\nfast', 'add-abort-rule': '7' });
    const lines = fake.core.error.mock.calls.map(([line]) => String(line));
    expect(lines.map((line) => /^s3:\/\/(\w+)/.exec(line)?.[1])).toEqual(['slow', 'fast']);
  });

  it('only warns about a rule it could not add with fail-on-error false, and names the permission', async () => {
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(s3Error('AccessDenied', 403));
    const fake = await runAction({
      bucket: 'bare',
      'add-abort-rule': '7',
      'fail-on-error': 'false',
    });
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(fake.core.warning).toHaveBeenCalledWith(
      'The abort rule could not be added to 1 bucket (see the log and the job summary)\n' +
        's3://bare: AccessDenied: the credentials need s3:PutLifecycleConfiguration on arn:aws:s3:::bare; not failing the step because fail-on-error is false',
    );
    expect(fake.outputs()).toMatchObject({
      'abort-rule-added': '',
      'buckets-without-abort-rule': 'bare',
    });
  });

  it('writes nothing in a dry run, and shows the rule it would add', async () => {
    const fake = await runAction({ bucket: 'bare', 'add-abort-rule': '7', 'dry-run': 'true' });
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)).toHaveLength(0);
    expect(fake.outputs()).toMatchObject({
      'abort-rule-added': '',
      'buckets-without-abort-rule': 'bare',
    });
    expect(fake.summaryText()).toContain('Dry run: this run would add the rule below');
  });

  it('reads nothing with check-lifecycle false', async () => {
    const fake = await runAction({ bucket: 'bare', 'check-lifecycle': 'false' });
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).toHaveLength(0);
    expect(fake.outputs()['buckets-without-abort-rule']).toBe('');
    expect(fake.summaryText()).not.toContain('clean up by themselves');
  });
});

describe('a cancelled step', () => {
  it('stops on SIGINT, reports what it did, and fails even with fail-on-error false', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('a', '1', old), listed('b', '2', old)],
    });
    let aborts = 0;
    s3.on(AbortMultipartUploadCommand).callsFake(async () => {
      aborts += 1;
      if (aborts === 1) return {};
      // The second abort is in flight when the runner cancels the job: the SDK then rejects
      // it, as the stop signal it was given fires.
      process.emit('SIGINT');
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    const fake = await runAction({ 'fail-on-error': 'false', concurrency: '1' });
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '1', 'failed-count': '1' });
    expect(fake.core.setFailed).toHaveBeenCalledWith(
      'Stopped: the job was cancelled (the runner sent SIGINT); 1 of 2 aborts failed (see the log and the job summary)',
    );
    expect(fake.summaryText()).toContain(
      '❌ **Stopped: the job was cancelled (the runner sent SIGINT); 1 of 2 aborts failed.**',
    );
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

describe('when: post', () => {
  beforeEach(() => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('ci/a', '1', old)] });
    s3.on(AbortMultipartUploadCommand).resolves({});
  });

  it('only checks the inputs in the main step, and records that the post step cleans up', async () => {
    fake.useInputs({ bucket: 'b', when: 'post', 'max-age': '0' }, {});
    await run();
    expect(s3.calls()).toHaveLength(0);
    expect(fake.core.saveState.mock.calls).toEqual([
      ['is-post', 'true'],
      ['cleanup-in-post', 'true'],
    ]);
    expect(fake.core.setFailed).not.toHaveBeenCalled();
    expect(fake.core.info).toHaveBeenCalledWith(
      "The inputs are valid. The cleanup runs when the job ends, in this action's post step (when: post).",
    );
  });

  it('cleans up in the post step that the main step asked for', async () => {
    fake.useInputs(
      { bucket: 'b', when: 'post', 'max-age': '0' },
      { 'is-post': 'true', 'cleanup-in-post': 'true' },
    );
    await run();
    expect(fake.core.saveState).not.toHaveBeenCalled();
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(fake.outputs()['aborted-count']).toBe('1');
    expect(fake.summaryText()).toContain('✅ **Aborted 1 stale upload**');
  });

  it('does nothing in the post step of a run that cleaned up at once', async () => {
    fake.useInputs({ bucket: 'b', 'max-age': '0' }, { 'is-post': 'true' });
    await run();
    expect(s3.calls()).toHaveLength(0);
    expect(fake.core.setOutput).not.toHaveBeenCalled();
  });

  it('still refuses bad input in the main step, and leaves the post step nothing to do', async () => {
    fake.useInputs({ bucket: 'b', when: 'post', 'max-age': 'soon' }, {});
    await run();
    expect(fake.core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^Invalid input/));
    expect(fake.core.saveState.mock.calls).toEqual([['is-post', 'true']]);
  });
});

describe('the report file', () => {
  it('has one JSON line per stale upload, under RUNNER_TEMP', async () => {
    // useRunnerTemp's, removed after the test.
    const directory = process.env.RUNNER_TEMP!;
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('ci/a', '1', old), listed('ci/b', '2', young), listed('ci/keep', '3', old)],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ prefix: 'ci/', exclude: '**/keep' });
    const path = fake.outputs()['report-path'];
    expect(path.startsWith(`${directory}/`)).toBe(true);
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ageSeconds = (lines[0].ageSeconds as number) ?? 0;
    expect(Math.abs(ageSeconds - 3 * 24 * 3600)).toBeLessThan(60);
    expect(lines).toEqual([
      {
        bucket: 'test-bucket',
        key: 'ci/a',
        uploadId: '1',
        initiated: old.toISOString(),
        ageSeconds,
        initiator: null,
        result: 'aborted',
      },
      {
        bucket: 'test-bucket',
        key: 'ci/keep',
        uploadId: '3',
        initiated: old.toISOString(),
        ageSeconds,
        initiator: null,
        result: 'excluded',
      },
    ]);
    expect(fake.outputs()['excluded-count']).toBe('1');
  });

  it('cleans up all the same when RUNNER_TEMP cannot be written to', async () => {
    process.env.RUNNER_TEMP = '/proc/no-such-directory';
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [listed('ci/a', '1', old)] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ prefix: 'ci/' });
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '1', 'report-path': '' });
    expect(fake.core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/^Could not create the report file \(.*\); report-path stays empty\.$/),
    );
    expect(fake.core.setFailed).not.toHaveBeenCalled();
  });

  it('says once, without debug logging, why sizes could not be measured', async () => {
    delete process.env.RUNNER_DEBUG;
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [listed('ci/a', '1', old), listed('ci/b', '2', old)],
    });
    s3.on(ListPartsCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ prefix: 'ci/', 'report-bytes': 'true' });
    expect(fake.outputs()).toMatchObject({ 'aborted-count': '2', 'bytes-freed': '0' });
    expect(fake.core.warning.mock.calls).toEqual([
      [
        'Could not measure the size of 2 uploads (they were handled all the same): AccessDenied: the credentials need s3:ListMultipartUploadParts on arn:aws:s3:::test-bucket/*',
      ],
    ]);
  });
});

describe('a prefix beginning with /', () => {
  const slashNotice = (fake: Awaited<ReturnType<typeof mockedRun>>['fake']) =>
    fake.core.notice.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('"/'));

  it('gets a notice when it finds nothing, as S3 keys rarely begin with /', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    const fake = await runAction({ prefix: '/ci/\nci/other/' });
    expect(slashNotice(fake)).toEqual([
      'Nothing was found in s3://test-bucket under prefix "/ci/": S3 keys rarely begin with "/" (the key of s3://test-bucket/ci/a.bin is "ci/a.bin"). If the uploads are under "ci/", write prefix: ci/, without the leading /.',
    ]);
    expect(fake.core.setFailed).not.toHaveBeenCalled();
  });

  it('gets none when it finds uploads, or when its listing failed (that has its own error)', async () => {
    s3.on(ListMultipartUploadsCommand, { Prefix: '/found/' })
      .resolves({ Uploads: [listed('/found/a', '1', young)] })
      .on(ListMultipartUploadsCommand, { Prefix: '/denied/' })
      .rejects(s3Error('AccessDenied', 403));
    const fake = await runAction({ prefix: '/found/\n/denied/' });
    expect(fake.core.notice).not.toHaveBeenCalled();
  });
});
