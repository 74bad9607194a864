import type { FaultRule, S3ErrorAnswer } from './fault-proxy.js';

/** How Amazon S3 refuses a request signed for another region (S3-NOTES.md, "Regions"). */
export type WrongRegionAnswer = 'PermanentRedirect' | 'AuthorizationHeaderMalformed';

/**
 * Amazon S3's answer to a request for `bucket`, which lives in `home`, signed for `signedFor`:
 * a 301 naming the bucket's endpoint, or a 400 naming the region; both with the header
 * `x-amz-bucket-region`.
 */
export function wrongRegionAnswer(
  answer: WrongRegionAnswer,
  bucket: string,
  home: string,
  signedFor: string,
): S3ErrorAnswer {
  const headers = { 'x-amz-bucket-region': home };
  if (answer === 'PermanentRedirect') {
    return {
      status: 301,
      code: 'PermanentRedirect',
      message:
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      fields: { Endpoint: `${bucket}.s3.${home}.amazonaws.com`, Bucket: bucket },
      headers,
    };
  }
  return {
    status: 400,
    code: 'AuthorizationHeaderMalformed',
    message: `The authorization header is malformed; the region '${signedFor}' is wrong; expecting '${home}'`,
    fields: { Region: home },
    headers,
  };
}

/**
 * A fault-proxy rule that plays Amazon S3's regions in front of a store that accepts any
 * signing region (Ceph RGW): a request for one of `buckets` signed for another region than
 * the bucket's gets S3's refusal; every other request goes through to the store.
 */
export function regionsOfAmazonS3(
  buckets: Record<string, { home: string; answer: WrongRegionAnswer }>,
): FaultRule {
  return (request) => {
    const bucket = buckets[request.bucket];
    const signedFor = request.signingRegion ?? '';
    if (!bucket || signedFor === bucket.home) return 'forward';
    return wrongRegionAnswer(bucket.answer, request.bucket, bucket.home, signedFor);
  };
}
