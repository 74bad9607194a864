import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runAction, type ActionRun } from '../support/runner.js';

// dist/index.js against a store that is not there: a port that accepts connections and never
// answers, as a firewall mistake or a hung proxy leaves it. It costs every CI job that runs
// the step (`when: post` on every job), so it must fail well within a minute.
jest.setTimeout(120_000);

interface DeadStore {
  endpoint: string;
  connections: number;
  close: () => Promise<void>;
}

const stores: DeadStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function startDeadStore(): Promise<DeadStore> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    store.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    // Reads the request, never writes a byte.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const store: DeadStore = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  stores.push(store);
  return store;
}

const credentials = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'dead-store-secret',
};

async function timedRun(store: DeadStore, bucket: string, prefix: string) {
  const started = Date.now();
  const run = await runAction(
    { bucket, prefix, endpoint: store.endpoint, 'force-path-style': 'true' },
    credentials,
  );
  return { run, elapsedMs: Date.now() - started };
}

const deadLine = (store: DeadStore) =>
  `StoreNotAnswering: the store at ${new URL(store.endpoint).host} answered none of 5 attempts of 8 s each, so no more requests were sent to it (is the endpoint right, the store up, and no firewall dropping the packets?)`;

function expectFailedClearly(run: ActionRun, store: DeadStore, listings: number): void {
  expect(run.exitCode).toBe(1);
  expect(run.outputs['failed-count']).toBe(String(listings));
  expect(run.stdout).toContain(
    `::error::${listings} listing${listings === 1 ? '' : 's'} failed (see the log and the job summary)`,
  );
  expect(run.stdout).toContain(deadLine(store));
  expect(run.summary).toContain('StoreNotAnswering');
}

describe('a store that accepts connections and never answers', () => {
  it('fails the step within a minute, and no later with 3 buckets × 2 prefixes than with one', async () => {
    const [one, many] = [await startDeadStore(), await startDeadStore()];
    // Side by side: each step has a store of its own, and the suite waits once.
    const [single, fleet] = await Promise.all([
      timedRun(one, 'only-bucket', ''),
      timedRun(many, 'bucket-a\nbucket-b\nbucket-c', 'ci/\ntmp/'),
    ]);

    expectFailedClearly(single.run, one, 1);
    expectFailedClearly(fleet.run, many, 6);
    expect(single.elapsedMs).toBeLessThan(60_000);
    // The probes of the three buckets wait together; the targets and the lifecycle reads of a
    // store given up send nothing (the connections below count it; no race on wall time).
    expect(fleet.elapsedMs).toBeLessThan(60_000);
    // Each attempt is a connection of its own (a timed-out one is closed): one request's five
    // for the one bucket. For the three, the five silent ones that make the store dead, and at
    // most the attempt each other probe had in flight then (retries jitter apart, so a probe
    // may start its third while another's second still waits): 7, where retrying per bucket
    // would send 15 and per target 30.
    expect(one.connections).toBe(5);
    expect(many.connections).toBeLessThanOrEqual(7);
  });
});
