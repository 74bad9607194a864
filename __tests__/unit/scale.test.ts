import { describe, expect, it } from '@jest/globals';
import {
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sdkAbortSender } from '../../src/engine/abort/senders.js';
import { cleanTarget } from '../../src/engine/cleanup.js';
import { AbortTraffic } from '../../src/engine/traffic/traffic.js';
import { RunReport } from '../../src/report/report.js';
import { MAX_GROUPS } from '../../src/report/groups.js';
import { renderSummary } from '../../src/report/summary/render.js';
import { foreignMarkup, summaryDom } from '../support/github-markdown.js';

// 100,000 stale uploads with hostile keys, in 25,000 groups, through the engine, the report
// and the summary.
// The client is a hand-written stand-in: a mocking library would remember every call, which
// is the very growth this test looks for.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const PAGE = 1000;
const GROUPS = 25_000;
const hostileKey = (n: number) =>
  `ci/run-${String(n % GROUPS).padStart(5, '0')}/${'|<img onerror=x>`*_\n'.repeat(40)}${n}`;

/** Pages of uploads made on demand from the key marker, as a store would serve them. */
function streamingStore(total: number): S3Client {
  const send = (command: unknown): Promise<ListMultipartUploadsCommandOutput | object> => {
    if (!(command instanceof ListMultipartUploadsCommand)) return Promise.resolve({});
    const marker = command.input.KeyMarker;
    const start = marker === undefined ? 0 : Number(/\d+$/.exec(marker)?.[0]) + 1;
    const count = Math.min(PAGE, total - start);
    const Uploads = Array.from({ length: count }, (_, i) => ({
      Key: encodeURIComponent(hostileKey(start + i)),
      UploadId: `upload-${start + i}`,
      Initiated: new Date(0),
    }));
    return Promise.resolve({ Uploads, IsTruncated: start + count < total, $metadata: {} });
  };
  return { send } as unknown as S3Client;
}

describe('at scale', () => {
  it('keeps memory flat and the summary under 1 MiB for 100,000 hostile uploads', async () => {
    const total = 100_000;
    const report = new RunReport();
    const target = { bucket: 'b', prefix: 'ci/' };
    const store = streamingStore(total);
    const plan = {
      cutoff: new Date(),
      dryRun: false,
      traffic: AbortTraffic.for(16),
      sendAbort: sdkAbortSender(store, target.bucket),
    };
    const heapAfter = new Map<number, number>();
    let settled = 0;
    for await (const event of cleanTarget(store, target, plan)) {
      report.record(event);
      settled += 1;
      if (settled === 10_000 || settled === total) {
        collectGarbage();
        heapAfter.set(settled, process.memoryUsage().heapUsed);
      }
    }

    expect(report.totals).toMatchObject({
      found: total,
      matched: total,
      aborted: total,
      gone: 0,
      failed: 0,
    });
    // 90,000 more uploads with 800-character keys would be ~150 MB if anything kept them;
    // the groups stop growing at their cap.
    const growth = (heapAfter.get(total) ?? 0) - (heapAfter.get(10_000) ?? 0);
    expect(growth).toBeLessThan(8 * 1024 * 1024);
    expect(report.groups.size).toBe(MAX_GROUPS);
    expect(report.groups.other?.uploads).toBe(total - 4 * MAX_GROUPS);

    const markdown = renderSummary(report, {
      startedAt: new Date(),
      cutoff: plan.cutoff,
      maxAgeMs: 0,
      dryRun: false,
    });
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024);
    expect(foreignMarkup(summaryDom(markdown))).toEqual([]);
    expect(markdown).toContain('…and 99700 more stale uploads not shown');
    expect(markdown).toContain('Only the first 10000 groups are told apart');
  });
});
