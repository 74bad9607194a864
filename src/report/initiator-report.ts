import { InitiatorEvidence } from '../engine/initiators.js';
import type { Upload } from '../engine/types.js';

/** Enough initiators to name the few that matter; the rest are counted together. */
export const MAX_INITIATORS_KEPT = 1_000;

/** A stale upload's initiator, or none (undefined), and how many `initiated-by` left alone. */
export interface ForeignInitiator {
  initiator: string | undefined;
  count: number;
}

/** A bucket whose store does not tell initiators apart, and what it answered instead. */
export interface UntoldBucket {
  bucket: string;
  /** The one ID named as initiator and owner of every upload; undefined: none was named. */
  sameForAll: string | undefined;
  uploads: number;
}

/**
 * Whose stale uploads `initiated-by` left alone, by initiator, and what each bucket's store
 * answered of initiators: whether a guard on them can hold there. Memory stays flat: at
 * most MAX_INITIATORS_KEPT initiators are kept by name.
 */
export class InitiatorReport {
  /** Uploads left alone whose initiator was not kept by name (past the cap). */
  othersCount = 0;
  private readonly foreign = new Map<string | undefined, number>();
  private readonly evidence = new Map<string, InitiatorEvidence>();

  /** Every listed upload, young or stale: what its store says of initiators. */
  listed(bucket: string, upload: Upload): void {
    this.of(bucket).record(upload);
  }

  /** Registers a bucket, so that buckets are told of in the order they were registered. */
  of(bucket: string): InitiatorEvidence {
    let evidence = this.evidence.get(bucket);
    if (!evidence) this.evidence.set(bucket, (evidence = new InitiatorEvidence()));
    return evidence;
  }

  /** A stale upload left alone: `initiated-by` names none of its initiators. */
  leftAlone(initiator: string | undefined): void {
    const count = this.foreign.get(initiator);
    if (count !== undefined) this.foreign.set(initiator, count + 1);
    else if (this.foreign.size < MAX_INITIATORS_KEPT) this.foreign.set(initiator, 1);
    else this.othersCount += 1;
  }

  /** The initiators of the most uploads left alone, most first, then by name. */
  mostFrequent(limit: number): ForeignInitiator[] {
    return [...this.foreign]
      .map(([initiator, count]) => ({ initiator, count }))
      .sort((a, b) => b.count - a.count || (a.initiator ?? '').localeCompare(b.initiator ?? ''))
      .slice(0, limit);
  }

  /**
   * Buckets whose listing named no initiator, or one and the same as initiator and owner
   * of every upload: there a guard on initiators cannot tell who started an upload.
   */
  get untold(): UntoldBucket[] {
    return [...this.evidence].flatMap(([bucket, evidence]): UntoldBucket[] => {
      if (evidence.named === 0 && evidence.unnamed > 0) {
        return [{ bucket, sameForAll: undefined, uploads: evidence.unnamed }];
      }
      const sameForAll = evidence.sameForAll;
      return sameForAll !== undefined && evidence.unnamed === 0
        ? [{ bucket, sameForAll, uploads: evidence.named }]
        : [];
    });
  }
}
