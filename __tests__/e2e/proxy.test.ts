import { describe, expect, it, jest } from '@jest/globals';
import { startForwardProxy, startTlsFront } from '../support/forward-proxy.js';
import { runAction } from '../support/runner.js';
import {
  remainingUploads,
  seedStaleUploads,
  store,
  storeCredentials,
  storeInputs,
  useStore,
} from '../support/store.js';

// A self-hosted runner behind a proxy: the runner hands the action http_proxy, https_proxy and
// no_proxy. The store is given a name that only the suite's forward proxy can place
// (.invalid never resolves), so a direct connection cannot pass by accident.
jest.setTimeout(120_000);

const { seeder, newBucket } = useStore();
const storeAddress = new URL(store.endpoint!).host;
const PROXIED_NAME = 's3.store.invalid';

async function staleBucket(label: string): Promise<string> {
  const bucket = await newBucket(label);
  await seedStaleUploads(seeder, bucket, ['ci/a', 'ci/b', 'ci/c']);
  return bucket;
}

describe('dist/index.js behind a proxy', () => {
  it('reaches the store through http_proxy', async () => {
    const bucket = await staleBucket('e2e-proxy-http');
    const port = new URL(store.endpoint!).port;
    const proxy = await startForwardProxy({
      routes: { [`${PROXIED_NAME}:${port}`]: storeAddress },
    });
    try {
      const run = await runAction(
        {
          ...storeInputs,
          endpoint: `http://${PROXIED_NAME}:${port}`,
          bucket,
          'max-age': '0',
        },
        { ...storeCredentials, http_proxy: proxy.url, no_proxy: 'localhost' },
      );
      expect(run.exitCode).toBe(0);
      expect(run.outputs['aborted-count']).toBe('3');
      expect(await remainingUploads(seeder, bucket)).toEqual([]);
      const aborts = proxy.calls.filter((call) => call.method === 'DELETE');
      expect(aborts).toHaveLength(3);
      expect(aborts.every((call) => call.target.startsWith(`http://${PROXIED_NAME}:`))).toBe(true);
      expect(run.stdout).toContain(
        `Requests to the store follow the environment's proxy settings: HTTP through ${proxy.url}, except to hosts in no_proxy (localhost).`,
      );
    } finally {
      await proxy.close();
    }
  });

  it('tunnels HTTPS through HTTPS_PROXY, with the proxy password kept out of sight', async () => {
    const bucket = await staleBucket('e2e-proxy-https');
    const front = await startTlsFront(PROXIED_NAME, store.endpoint!);
    const auth = { user: 'runner', password: 'proxy-password-not-to-be-shown' };
    const proxy = await startForwardProxy({
      routes: { [`${PROXIED_NAME}:443`]: front.address },
      auth,
    });
    try {
      const run = await runAction(
        { ...storeInputs, endpoint: `https://${PROXIED_NAME}`, bucket, 'max-age': '0' },
        { ...storeCredentials, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: front.caFile },
      );
      expect(run.exitCode).toBe(0);
      expect(run.outputs['aborted-count']).toBe('3');
      expect(await remainingUploads(seeder, bucket)).toEqual([]);
      expect(proxy.calls.map((call) => `${call.method} ${call.target} ${call.status}`)).toContain(
        `CONNECT ${PROXIED_NAME}:443 200`,
      );
      expect(run.stdout).toContain('HTTPS through http://127.0.0.1:');
      for (const text of [run.stdout, run.stderr, run.summary]) {
        expect(text).not.toContain(auth.password);
      }
    } finally {
      await proxy.close();
      await front.close();
    }
  });

  it('goes straight to a store named in no_proxy', async () => {
    const bucket = await staleBucket('e2e-proxy-bypass');
    // A proxy that can reach nothing: a request that goes through it fails.
    const proxy = await startForwardProxy({ routes: {} });
    const inputs = { ...storeInputs, bucket, 'max-age': '0' };
    const env = { ...storeCredentials, http_proxy: proxy.url };
    try {
      const proxied = await runAction({ ...inputs, 'dry-run': 'true' }, env);
      expect(proxied.exitCode).toBe(1);
      expect(proxy.calls.length).toBeGreaterThan(0);

      proxy.calls.length = 0;
      const host = new URL(store.endpoint!).hostname;
      const bypassed = await runAction(inputs, { ...env, no_proxy: `localhost,${host}` });
      expect(bypassed.exitCode).toBe(0);
      expect(bypassed.outputs['aborted-count']).toBe('3');
      expect(proxy.calls).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
