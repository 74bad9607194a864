/**
 * Where stale uploads live, for the summary's first question: which of our jobs leaks them?
 * A key's group is the target's prefix plus the next path segment of the key, `/` included
 * (prefix `ci/`: `ci/run-7/a/b.bin` is in `ci/run-7/`); a key with no `/` after the prefix
 * is in the prefix's own group.
 */
export function groupOf(prefix: string, key: string): string {
  const slash = key.indexOf('/', prefix.length);
  return slash === -1 ? prefix : key.slice(0, slash + 1);
}

export interface UploadGroup {
  bucket: string;
  /** The group's key prefix (`''`: the whole bucket); `''` too for the uploads beyond the cap. */
  group: string;
  uploads: number;
  bytes: number;
  /** When the oldest of them was initiated. */
  oldest: Date | undefined;
}

/**
 * Enough groups for any bucket a person would read about; few enough that memory stays flat
 * whatever a bucket holds (a group costs about 200 bytes).
 */
export const MAX_GROUPS = 10_000;

/** Stale uploads counted by bucket and group. Groups beyond the cap are counted together. */
export class GroupTally {
  /** By bucket, then by group. */
  private readonly groups = new Map<string, Map<string, UploadGroup>>();
  private kept = 0;
  /** Uploads in groups met after the cap was reached; undefined until then. */
  other: UploadGroup | undefined;

  constructor(private readonly limit = MAX_GROUPS) {}

  add(bucket: string, group: string, initiated: Date | undefined, bytes = 0): void {
    let inBucket = this.groups.get(bucket);
    if (!inBucket) this.groups.set(bucket, (inBucket = new Map()));
    let tally = inBucket.get(group);
    if (!tally) {
      if (this.kept >= this.limit) {
        this.other ??= { bucket: '', group: '', uploads: 0, bytes: 0, oldest: undefined };
        tally = this.other;
      } else {
        tally = { bucket, group, uploads: 0, bytes: 0, oldest: undefined };
        inBucket.set(group, tally);
        this.kept += 1;
      }
    }
    tally.uploads += 1;
    tally.bytes += bytes;
    if (initiated && (!tally.oldest || initiated < tally.oldest)) tally.oldest = initiated;
  }

  /** Groups kept (the cap at most). */
  get size(): number {
    return this.kept;
  }

  /** When the oldest of all the uploads counted was initiated. */
  get oldest(): Date | undefined {
    let oldest = this.other?.oldest;
    for (const inBucket of this.groups.values()) {
      for (const { oldest: candidate } of inBucket.values()) {
        if (candidate && !(oldest && oldest <= candidate)) oldest = candidate;
      }
    }
    return oldest;
  }

  /** The `count` largest groups, by bytes or by uploads; the oldest first among equals. */
  largest(count: number, by: 'bytes' | 'uploads'): UploadGroup[] {
    const order = (a: UploadGroup, b: UploadGroup): number =>
      b[by] - a[by] ||
      b.uploads - a.uploads ||
      (a.oldest?.getTime() ?? Infinity) - (b.oldest?.getTime() ?? Infinity) ||
      (`${a.bucket}/${a.group}` < `${b.bucket}/${b.group}` ? -1 : 1);
    const all = [...this.groups.values()].flatMap((inBucket) => [...inBucket.values()]);
    return all.sort(order).slice(0, count);
  }
}
