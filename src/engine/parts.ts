import { ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Target, Upload, UploadSize } from './types.js';

/**
 * Counts the parts of an upload and their bytes, following every page of ListParts.
 * Parts still being uploaded may land after this count; it is what the store held.
 */
export async function measureUpload(
  client: S3Client,
  target: Target,
  upload: Upload,
): Promise<UploadSize> {
  const size: UploadSize = { parts: 0, bytes: 0 };
  let marker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListPartsCommand({
        Bucket: target.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
      }),
    );
    for (const part of page.Parts ?? []) {
      size.parts += 1;
      size.bytes += part.Size ?? 0;
    }
    if (!page.IsTruncated) return size;
    const next = page.NextPartNumberMarker;
    if (!next || next === marker) {
      throw new Error(
        'the store said more parts follow but its part-number marker does not advance',
      );
    }
    marker = next;
  }
}
