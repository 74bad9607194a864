import { afterAll, beforeAll } from '@jest/globals';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * For a suite: a stand-in S3 endpoint on 127.0.0.1 that answers with `respond`, up before
 * the suite's tests and closed after them, and the credentials that the action's own client
 * reads from the environment (the stand-in checks no signature).
 */
export function useLocalServer(respond: RequestListener): { readonly endpoint: string } {
  let server: Server;
  let endpoint = '';
  beforeAll(async () => {
    server = createServer(respond);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'unit-test-secret';
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get endpoint() {
      return endpoint;
    },
  };
}
