import type { LifecycleRule } from '@aws-sdk/client-s3';

// Lifecycle rules the tests of add-abort-rule write and expect, in one place. The action's
// own rule is written out here, not built with its code, so that a test of it stays a check.

/** A bucket owner's expiration rule, in S3's Filter form or the legacy one. */
export const expireLogs = (legacy = false): LifecycleRule => ({
  ID: 'expire-logs',
  Status: 'Enabled',
  ...(legacy ? { Prefix: 'logs/' } : { Filter: { Prefix: 'logs/' } }),
  Expiration: { Days: 30 },
});

/** The rule the action adds with `add-abort-rule: 7` for `prefix` ('' for the whole bucket). */
export const ourAbortRule = (prefix: string, legacy = false): LifecycleRule => ({
  ID: `s3-multipart-cleanup: abort incomplete uploads under ${prefix === '' ? 'the whole bucket' : prefix}`,
  Status: 'Enabled',
  ...(legacy ? { Prefix: prefix } : { Filter: { Prefix: prefix } }),
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
});
