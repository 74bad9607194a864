import { expect, it } from '@jest/globals';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { mockedRun } from '../support/mocked-run.js';

// The run starts its targets as startOrder says: every bucket's second prefix is listed
// before any bucket's third (the first prefixes' pages are the probes', kept).
const { run, fake, mocked } = await mockedRun();

it('lists the targets of every bucket prefix by prefix, not bucket by bucket', async () => {
  mocked.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
  fake.useInputs(
    { bucket: 'b1\nb2\nb3', prefix: 'c/\nd/\ne/', 'max-age': '1d', 'check-lifecycle': 'false' },
    {},
  );
  await run();
  const listings = mocked.s3
    .commandCalls(ListMultipartUploadsCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Prefix !== 'c/')
    .map((input) => `${input.Bucket}/${input.Prefix}`);
  expect(listings).toEqual(['b1/d/', 'b2/d/', 'b3/d/', 'b1/e/', 'b2/e/', 'b3/e/']);
});
