import type { MultipartUpload } from '@aws-sdk/client-s3';

/** A listing entry as a store returns it (keys percent-encoded, as asked with encoding-type=url). */
export function listed(
  key: string,
  uploadId: string,
  initiated = new Date('2026-01-01T00:00:00Z'),
): MultipartUpload {
  return { Key: encodeURIComponent(key), UploadId: uploadId, Initiated: initiated };
}
