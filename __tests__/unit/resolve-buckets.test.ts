import { describe, expect, it, jest } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Input } from '../../src/config/constants.js';
import { RegionalClients } from '../../src/engine/regions.js';
import { createS3Client } from '../../src/engine/s3-client.js';
import { parseConfig } from '../../src/config/inputs.js';
import { RunReport } from '../../src/report/report.js';
import { runStop } from '../../src/runner/run-stop.js';
import type { Runner } from '../../src/runner/runner.js';
import { probeBuckets } from '../../src/steps/probe-buckets.js';
import { resolveBuckets } from '../../src/steps/resolve-buckets.js';
import { listBucketsXml, type AccountBucket } from '../support/list-buckets.js';
import { useLocalServer } from '../support/local-server.js';

// The first steps of a run with bucket patterns, through the SDK's whole pipeline, against a
// stand-in of Amazon S3: ListBuckets with each bucket's region, and S3's wrong-region answer
// to a request for a bucket signed for another region (S3-NOTES.md, "Regions").
const account: AccountBucket[] = [
  { name: 'ci-home', region: 'us-east-1' },
  { name: 'ci-dublin', region: 'eu-west-1' },
  { name: 'ci-sydney', region: 'ap-southeast-2' },
  { name: 'fixtures-dublin', region: 'eu-west-1' },
];
let listingDenied = false;
const probes: string[] = [];

function respond(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(
    request.headers.authorization ?? '',
  )?.[1];
  const xml = (status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/xml', ...headers });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
  };
  if (url.pathname === '/') {
    if (listingDenied) return xml(403, '<Error><Code>AccessDenied</Code></Error>');
    return xml(200, listBucketsXml(url.searchParams, account, 'amazon-s3'));
  }
  const bucket = url.pathname.split('/')[1];
  probes.push(`${bucket} ${signedFor}`);
  const home = account.find((b) => b.name === bucket)?.region;
  if (home !== signedFor) {
    return xml(301, '<Error><Code>PermanentRedirect</Code></Error>', {
      'x-amz-bucket-region': home ?? '',
    });
  }
  xml(
    200,
    '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>',
  );
}

const standIn = useLocalServer(respond);

function runner(): Runner & { lines: string[] } {
  const lines: string[] = [];
  const say = (message: string) => void lines.push(message);
  return {
    lines,
    info: say,
    debug: say,
    isDebug: () => false,
    notice: say,
    warning: say,
    error: (message) => say(`error: ${message}`),
    group: (_, work) => work(),
    setOutput: jest.fn(),
    setFailed: say,
    appendSummary: jest.fn(async () => undefined),
  };
}

/** The steps as a run on `endpoint` takes them; the clients reach the stand-in either way. */
async function resolveAndProbe(bucket: string, endpoint: string) {
  const config = parseConfig(
    (name) => ({ [Input.Bucket]: bucket, [Input.Endpoint]: endpoint })[name as string] ?? '',
    {},
  );
  const clients = new RegionalClients(config.region, (region) =>
    createS3Client({ region, endpoint: standIn.endpoint, forcePathStyle: true, concurrency: 4 }),
  );
  const session = {
    config,
    clients,
    report: new RunReport(),
    redact: (text: string) => text,
    stop: runStop(60_000),
  };
  const log = runner();
  probes.length = 0;
  try {
    const resolved = await resolveBuckets(session, log);
    const probed = await probeBuckets(session, resolved, log);
    return { resolved, probed, report: session.report, log: log.lines };
  } finally {
    session.stop.dispose();
    clients.destroy();
  }
}

describe('resolving bucket patterns, then probing the buckets', () => {
  it('on Amazon S3, probes a matched bucket straight in the region ListBuckets gave', async () => {
    listingDenied = false;
    const { resolved, probed, log } = await resolveAndProbe('fixtures-dublin\nci-*', '');
    expect(resolved.names).toEqual(['fixtures-dublin', 'ci-dublin', 'ci-home', 'ci-sydney']);
    expect(probed.buckets.map((b) => `${b.bucket} ${b.region}`)).toEqual([
      'fixtures-dublin eu-west-1',
      'ci-dublin eu-west-1',
      'ci-home us-east-1',
      'ci-sydney ap-southeast-2',
    ]);
    // A named bucket keeps one wrong-region answer; a matched one needs none.
    expect(probes.sort()).toEqual([
      'ci-dublin eu-west-1',
      'ci-home us-east-1',
      'ci-sydney ap-southeast-2',
      'fixtures-dublin eu-west-1',
      'fixtures-dublin us-east-1',
    ]);
    expect(log).toContain('Bucket pattern ci-* matched 3 buckets: ci-dublin, ci-home, ci-sydney.');
    expect(log).toContain(
      's3://ci-dublin is in region eu-west-1 (ListBuckets said so); its requests are signed for eu-west-1.',
    );
    expect(log).toContain(
      's3://fixtures-dublin is in region eu-west-1 (the store said so when asked in us-east-1); its requests are signed for eu-west-1.',
    );
  });

  it('on another store, takes no region from ListBuckets', async () => {
    listingDenied = false;
    const { probed } = await resolveAndProbe('ci-dublin\nci-*', 'https://s3.example.com');
    expect(probed.buckets.map((b) => `${b.bucket} ${b.region}`)).toEqual([
      'ci-dublin eu-west-1',
      'ci-home us-east-1',
      'ci-sydney ap-southeast-2',
    ]);
    expect(probes.filter((probe) => probe.endsWith('us-east-1')).sort()).toEqual([
      'ci-dublin us-east-1',
      'ci-home us-east-1',
      'ci-sydney us-east-1',
    ]);
  });

  it('counts a denied listing as a failed listing, and still probes the named buckets', async () => {
    listingDenied = true;
    const { resolved, probed, report, log } = await resolveAndProbe('ci-*\nci-home', '');
    expect(resolved.names).toEqual(['ci-home']);
    expect(resolved.patterns).toEqual([{ pattern: 'ci-*', buckets: [] }]);
    expect(probed.buckets.map((b) => b.bucket)).toEqual(['ci-home']);
    expect(report.totals.failed).toBe(1);
    expect(report.failureText).toBe('1 listing failed');
    expect(log).toContain(
      'error: Listing the buckets failed: AccessDenied: the credentials need s3:ListAllMyBuckets on *',
    );
    expect(log).toContain('Bucket pattern ci-* matched no bucket before the listing failed.');
  });

  it('asks nothing more without a pattern', async () => {
    listingDenied = true;
    const { resolved, report } = await resolveAndProbe('ci-home', '');
    expect(resolved).toEqual({ names: ['ci-home'], regions: new Map(), patterns: [] });
    expect(report.totals.failed).toBe(0);
    expect(probes).toEqual(['ci-home us-east-1']);
  });
});
