import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type MultipartUpload,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { readFile } from 'node:fs/promises';
import { mockedRun, SECRET } from '../support/mocked-run.js';
import { renderAsGitHub as renderGfm } from '../support/github-markdown.js';
import { listed } from '../support/uploads.js';

const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
const { run, fake, mocked } = await mockedRun();
let s3: ReturnType<typeof mockClient>;
beforeEach(() => {
  s3 = mocked.s3;
});

async function runAction(inputs: Record<string, string>) {
  fake.useInputs(
    { bucket: 'test-bucket', 'max-age': '1d', 'check-lifecycle': 'false', ...inputs },
    {},
  );
  await run();
  return fake;
}

// Amazon S3's answer: the account's canonical ID owns every upload; the initiator is the
// IAM user's or the role session's ARN.
const OWNER = { ID: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' };
const ROLE = 'arn:aws:sts::123456789012:assumed-role/ci-integration-tests';
const by = (upload: MultipartUpload, initiator?: string): MultipartUpload => ({
  ...upload,
  Owner: OWNER,
  ...(initiator !== undefined && { Initiator: { ID: initiator, DisplayName: 'x' } }),
});

const abortedKeys = () =>
  s3.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.Key);

describe('initiated-by', () => {
  it('aborts only the uploads of the initiators it names, and counts the others as foreign', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        by(listed('ci/a', '1', old), `${ROLE}/GitHubActions`),
        by(listed('ci/b', '2', old), `${ROLE}/other-session`),
        by(listed('ci/c', '3', old), 'arn:aws:iam::123456789012:user/data-pipeline'),
        by(
          listed('ci/d', '4', old),
          'arn:aws:sts::123456789012:assumed-role/ci-integration-tests-2/x',
        ),
        by(listed('ci/e', '5', old)),
        by(listed('ci/f', '6', old), ''),
        by(listed('ci/g', '7', old), 'arn:aws:iam::123456789012:user/data-pipeline'),
      ],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ prefix: 'ci/', 'initiated-by': `${ROLE}/*` });
    expect(abortedKeys().sort()).toEqual(['ci/a', 'ci/b']);
    expect(fake.outputs()).toMatchObject({
      'aborted-count': '2',
      'foreign-count': '5',
      'matched-count': '2',
    });
    const lines = (await readFile(fake.outputs()['report-path'], 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; initiator: string | null; result: string });
    expect(lines.map(({ key, initiator, result }) => [key, initiator, result]).sort()).toEqual([
      ['ci/a', `${ROLE}/GitHubActions`, 'aborted'],
      ['ci/b', `${ROLE}/other-session`, 'aborted'],
      ['ci/c', 'arn:aws:iam::123456789012:user/data-pipeline', 'foreign'],
      ['ci/d', 'arn:aws:sts::123456789012:assumed-role/ci-integration-tests-2/x', 'foreign'],
      ['ci/e', null, 'foreign'],
      ['ci/f', null, 'foreign'],
      ['ci/g', 'arn:aws:iam::123456789012:user/data-pipeline', 'foreign'],
    ]);
    const html = renderGfm(fake.summaryText());
    expect(html).toContain(
      '<strong>5 stale uploads left alone:</strong> <code>initiated-by</code> names none of their initiators. Started by <em>no initiator named</em> (2), <code>arn:aws:iam::123456789012:user/data-pipeline</code> (2), <code>arn:aws:sts::123456789012:assumed-role/ci-integration-tests-2/x</code> (1).',
    );
    // Amazon S3 tells initiators apart: no warning that the guard cannot hold.
    expect(fake.core.notice).not.toHaveBeenCalled();
    expect(html).not.toContain('cannot tell');
  });

  it("aborts anyone's stale uploads when empty, as before", async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        by(listed('a', '1', old), 'arn:aws:iam::123456789012:user/x'),
        by(listed('b', '2', old)),
      ],
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({});
    expect(abortedKeys().sort()).toEqual(['a', 'b']);
    expect(fake.outputs()['foreign-count']).toBe('0');
    expect(renderGfm(fake.summaryText())).not.toContain('left alone');
  });

  it.each([
    [
      'names one ID as initiator and owner of every upload (Ceph RGW 16, Swift)',
      { ID: 'local-s3' },
      'local-s3',
      'The store named "local-s3" as the initiator and owner of all 2 uploads it listed',
    ],
    [
      'names no initiator (MinIO, versitygw)',
      undefined,
      undefined,
      'The store named no initiator for any of the 2 uploads it listed',
    ],
  ])('says the guard cannot hold where the store %s', async (_, owner, initiator, said) => {
    const upload = (key: string, id: string): MultipartUpload => ({
      ...listed(key, id, old),
      ...(owner && { Owner: owner }),
      ...(initiator && { Initiator: { ID: initiator } }),
    });
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [upload('a', '1'), upload('b', '2')] });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const fake = await runAction({ 'initiated-by': 'local-s3' });
    const notices = fake.core.notice.mock.calls.map(([message]) => String(message));
    expect(notices).toEqual([
      expect.stringContaining(
        `s3://test-bucket: initiated-by cannot tell who started an upload here. ${said}`,
      ),
    ]);
    expect(renderGfm(fake.summaryText())).toContain(
      '<code>test-bucket</code>: initiated-by cannot tell who started an upload here.',
    );
    // What the store answered decides: the requester's ID matches, so both go; none matches nothing.
    expect(abortedKeys()).toHaveLength(initiator ? 2 : 0);
  });

  it('shows an initiator as literal text, and never a secret it echoes', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        by(listed('a', '1', old), '<img src=x onerror=alert(1)>**bold**|'),
        by(listed('b', '2', old), `arn:aws:iam::1:user/${SECRET}`),
      ],
    });
    const fake = await runAction({ 'initiated-by': 'arn:aws:iam::1:user/ci' });
    const summary = fake.summaryText();
    expect(summary).not.toContain(SECRET);
    const html = renderGfm(summary);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<strong>bold');
    expect(html).toContain('<code>arn:aws:iam::1:user/***</code> (1)');
  });

  it('refuses a pattern with a space, which no initiator holds, before any request', async () => {
    const fake = await runAction({ 'initiated-by': 'ci bot' });
    expect(fake.core.setFailed).toHaveBeenCalledWith(
      'Invalid input; nothing was listed or aborted.\n' +
        'initiated-by: "ci bot" holds a space, which no initiator ID does, so it can never match; give one pattern a line, e.g. arn:aws:sts::123456789012:assumed-role/ci-integration-tests/*',
    );
    expect(s3.calls()).toHaveLength(0);
  });
});
