import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';

export interface ClientSettings {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Aborts in flight at once; the connection pool is sized to match. */
  concurrency: number;
  /** How long one attempt of a request may take, from connecting to the last byte. */
  requestTimeoutMs?: number;
  /**
   * Where to read http_proxy, https_proxy and no_proxy (either case): a self-hosted runner
   * behind a proxy sets them for every action, and the SDK ignores them by itself.
   */
  proxyEnv?: NodeJS.ProcessEnv;
}

/**
 * A request that takes longer is abandoned and retried: a store that stops answering must
 * not hold a connection until the job's own timeout. A page of 1,000 uploads takes well
 * under a second on a healthy store.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * An S3 client with credentials from the SDK's default chain (environment, web identity,
 * profiles), adaptive retries for throttling, 5xx and timeouts, a time limit on every
 * request, kept-alive connections for every abort in flight plus the page being listed
 * ahead, and the environment's proxy settings when given.
 */
export function createS3Client(settings: ClientSettings): S3Client {
  const agentOptions = {
    keepAlive: true,
    maxSockets: settings.concurrency + 1,
    // Node's own proxy support (24.5+): HTTP in absolute form, HTTPS through CONNECT.
    proxyEnv: settings.proxyEnv,
  };
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    retryMode: 'adaptive',
    maxAttempts: 5,
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      // Without it, the SDK only logs a warning when a request exceeds requestTimeout.
      throwOnRequestTimeout: true,
    },
  });
}
