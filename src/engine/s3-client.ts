import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';

export interface ClientSettings {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Aborts in flight at once; the connection pool is sized to match. */
  concurrency: number;
}

/**
 * An S3 client with credentials from the SDK's default chain (environment, web identity,
 * profiles), adaptive retries for throttling and 5xx, and kept-alive connections for every
 * abort in flight plus the page being listed ahead.
 */
export function createS3Client(settings: ClientSettings): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: settings.concurrency + 1 };
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    retryMode: 'adaptive',
    maxAttempts: 5,
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}
