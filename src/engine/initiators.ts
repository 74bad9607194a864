import picomatch from 'picomatch';

/**
 * Whether an upload was started by one of the initiators `initiated-by` names, as glob
 * patterns of Initiator.ID (`arn:aws:sts::123456789012:assumed-role/ci-tests/*`). `/`
 * separates segments as in an ARN's resource path: `*` stays within one, `**` crosses them.
 * An upload whose store names no initiator is no one's it can be shown to be: never matched.
 */
export function initiatorMatcher(
  patterns: string[],
): ((initiator: string | undefined) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const matches = picomatch(patterns, { dot: true });
  return (initiator) => initiator !== undefined && matches(initiator);
}

/**
 * What a bucket's listings showed of its initiators, to tell whether the store tells them
 * apart. Some answer the requester as Initiator and Owner of every upload (Ceph RGW 16,
 * Swift's s3api), so every upload names one ID, the same as its owner: a guard on
 * initiators matches all of them or none there, and protects nothing. Amazon S3 names an
 * upload's owner by its canonical ID and an IAM initiator by an ARN, so they differ.
 */
export class InitiatorEvidence {
  /** Uploads listed with an initiator. */
  named = 0;
  /** Uploads listed with none, or an empty one (MinIO, versitygw). */
  unnamed = 0;
  /** The one ID every named upload gave as both initiator and owner, while there is one. */
  private echoed: string | undefined;
  private echoesOnly = true;

  record(upload: { initiator?: string; owner?: string }): void {
    const { initiator, owner } = upload;
    if (initiator === undefined) {
      this.unnamed += 1;
      return;
    }
    this.named += 1;
    if (!this.echoesOnly) return;
    if (initiator !== owner || (this.echoed !== undefined && initiator !== this.echoed)) {
      this.echoesOnly = false;
      this.echoed = undefined;
      return;
    }
    this.echoed = initiator;
  }

  /**
   * The one ID the store named as initiator and owner of every upload, when it did for all
   * of them: it may be naming whoever asks, not who started each upload.
   */
  get sameForAll(): string | undefined {
    return this.echoesOnly ? this.echoed : undefined;
  }
}
