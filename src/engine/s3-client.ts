import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { keptAuthOptions, keptEndpoints } from './endpoints.js';
import { BUCKETS_IN_FLIGHT, TARGETS_AT_ONCE } from './pool.js';
import { StoreContacts } from './store-contact.js';
import { MAX_CONCURRENCY, type ConcurrencySetting } from './traffic/traffic.js';
import {
  SMITHY_CONTEXT_KEY,
  type HttpHandlerOptions,
  type InitializeMiddleware,
} from '@smithy/types';

export interface ClientSettings {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** The most aborts in flight at once; the connection pool is sized to match. */
  concurrency: ConcurrencySetting;
  /**
   * How long one attempt of a request may wait for its answer to begin, connecting included,
   * once the store has answered in this run (before: the shorter FIRST_ANSWER_TIMEOUT_MS).
   */
  requestTimeoutMs?: number;
  /**
   * Which stores have answered, shared by the clients of one run (one per region), so that
   * a store found dead is given up by all of them. A client of its own by default.
   */
  contacts?: StoreContacts;
  /**
   * Where to read http_proxy, https_proxy and no_proxy (either case): a self-hosted runner
   * behind a proxy sets them for every action, and the SDK ignores them by itself.
   */
  proxyEnv?: NodeJS.ProcessEnv;
  /** The run's stop: when it fires, every request in flight and every retry's wait ends. */
  stop?: AbortSignal;
}

/**
 * A request whose answer takes longer to begin is abandoned and retried, on a store that has
 * answered before: a store that stops answering must not hold a connection until the job's
 * own timeout. A page of 1,000 uploads takes well under a second on a healthy store; this
 * leaves a slow one room. A store not heard from yet gets less (see store-contact.ts).
 */
export const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * An S3 client with credentials from the SDK's default chain (environment, web identity,
 * profiles), adaptive retries for throttling, 5xx and timeouts, a time limit on every
 * request, kept-alive connections for every abort in flight plus the page being listed
 * ahead, the environment's proxy settings when given, and the run's stop on every request.
 *
 * The middleware stack is resolved once per operation (cacheMiddleware), which the SDK does
 * only for requests sent without options: so the stop is given to every request here, by
 * the client, rather than with each one.
 */
export function createS3Client(settings: ClientSettings): S3Client {
  const agentOptions = {
    keepAlive: true,
    // Sockets are opened as needed: the bound is what `auto` may climb to, plus the targets
    // listed at once and the lifecycle reads going on meanwhile, so that neither waits for
    // a socket behind the aborts.
    maxSockets:
      (settings.concurrency === 'auto' ? MAX_CONCURRENCY : settings.concurrency) +
      TARGETS_AT_ONCE +
      BUCKETS_IN_FLIGHT,
    // Node's own proxy support (24.5+): HTTP in absolute form, HTTPS through CONNECT.
    proxyEnv: settings.proxyEnv,
  };
  const { stop } = settings;
  const requestTimeoutMs = settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const contacts = settings.contacts ?? new StoreContacts(requestTimeoutMs);
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    retryMode: 'adaptive',
    maxAttempts: 5,
    cacheMiddleware: true,
    requestHandler: new StoppableHttpHandler(
      {
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
        connectionTimeout: CONNECT_TIMEOUT_MS,
        requestTimeout: requestTimeoutMs,
        // Without it, the SDK only logs a warning when a request exceeds requestTimeout.
        throwOnRequestTimeout: true,
      },
      stop,
      contacts,
    ),
  });
  if (stop) client.middlewareStack.add(stopRetries(stop), { step: 'initialize', name: 'runStop' });
  // The SDK keeps 50 endpoints, too few for a fleet (endpoints.ts).
  client.config.endpointProvider = keptEndpoints(client.config.endpointProvider);
  // Read-only in the SDK's types alone: its middleware reads it from the config each request.
  const authConfig = client.config as {
    -readonly [K in 'httpAuthSchemeProvider']: S3Client['config'][K];
  };
  authConfig.httpAuthSchemeProvider = keptAuthOptions(client.config.httpAuthSchemeProvider);
  return client;
}

/**
 * Sends every request with the run's stop as its abort signal, unless it has its own, and
 * with the time its store is given to answer: none at all to a store found dead.
 */
class StoppableHttpHandler extends NodeHttpHandler {
  constructor(
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
    private readonly stop: AbortSignal | undefined,
    private readonly contacts: StoreContacts,
  ) {
    super(options);
  }

  override async handle(
    request: Parameters<NodeHttpHandler['handle']>[0],
    options: HttpHandlerOptions = {},
  ): ReturnType<NodeHttpHandler['handle']> {
    const host =
      request.port === undefined ? request.hostname : `${request.hostname}:${request.port}`;
    const dead = this.contacts.deadReason(host);
    if (dead) throw dead;
    try {
      const answer = await super.handle(request, {
        ...options,
        abortSignal: options.abortSignal ?? this.stop,
        requestTimeout: options.requestTimeout ?? this.contacts.timeoutFor(host),
      });
      this.contacts.answered(host);
      return answer;
    } catch (error) {
      // The handler's own timeouts, connecting or waiting for the answer; not the run's stop.
      if ((error as Error | undefined)?.name === 'TimeoutError') {
        throw this.contacts.noAnswer(host) ?? error;
      }
      throw error;
    }
  }
}

/**
 * The retry middleware waits between attempts (and the adaptive rate limiter before one)
 * until the request's abort signal fires, which it reads from the request's context.
 */
function stopRetries(
  stop: AbortSignal,
): InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> {
  return (next, context) => (args) => {
    const smithy = (context[SMITHY_CONTEXT_KEY] ??= {});
    smithy.abortSignal ??= stop;
    return next(args);
  };
}
