import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * How far the store's clock is ahead of this machine's (negative: behind), from the Date
 * header of a small listing of `bucket`; undefined when the store did not answer with one.
 *
 * Uploads' `Initiated` is the store's time, so ages must be measured by the store's clock: a
 * runner whose clock runs an hour fast would otherwise see every upload as an hour older.
 * The header has whole seconds and is read when the answer arrives, so the estimate is never
 * ahead of the true offset: the cutoff errs towards keeping an upload, not aborting it.
 */
export async function measureClockOffset(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const command = new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 1 });
  let offsetMs: number | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> }).headers;
      const storeTime = Date.parse(headers?.date ?? '');
      if (!Number.isNaN(storeTime)) offsetMs = storeTime - Date.now();
      return result;
    },
    { step: 'deserialize', name: 'storeClock' },
  );
  try {
    await client.send(command, { abortSignal: signal });
  } catch {
    // The listing itself will report what is wrong with this bucket.
  }
  return offsetMs;
}
