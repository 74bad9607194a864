import { afterEach } from '@jest/globals';
import {
  Agent,
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { signAgain } from './sigv4.js';
import { store } from './store.js';

/** What the proxy makes of one request. */
export type Fault =
  | 'forward'
  /** The connection is cut before any answer (ECONNRESET for the client). */
  | 'reset'
  /** The request is read and never answered: a store that stopped. */
  | 'hang'
  /** An S3 error answer, without asking the store. */
  | S3ErrorAnswer;

export interface S3ErrorAnswer {
  status: number;
  code: string;
  message?: string;
  /** More elements of the error's body, e.g. `{ Region: 'eu-west-1' }`. */
  fields?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A request as the rules see it. */
export interface ProxiedRequest {
  method: string;
  /** `lifecycle` reads a bucket's lifecycle configuration; `put-lifecycle` writes it. */
  operation: 'list' | 'abort' | 'lifecycle' | 'put-lifecycle' | 'other';
  bucket: string;
  key: string;
  uploadId: string | undefined;
  query: URLSearchParams;
  /** The region of the SigV4 credential scope the request was signed with. */
  signingRegion: string | undefined;
  /** How many requests for the same operation and upload (or listing position) came before. */
  attempt: number;
  headers: IncomingHttpHeaders;
  /** The request's body, for a lifecycle write (read before the rule decides); else ''. */
  body: string;
}

/**
 * Decides each request's fate; it may first act on the store itself (a race: another client
 * completing the upload just before our abort reaches the store).
 */
export type FaultRule = (request: ProxiedRequest) => Fault | Promise<Fault>;

export interface FaultProxy {
  endpoint: string;
  /** Every request the proxy saw, with what it did. */
  log: Array<ProxiedRequest & { fault: string }>;
  /** Milliseconds added before each request is handled. */
  latencyMs: number;
  /**
   * Moves the Date header of every answer this far ahead (0: not at all), as if that much
   * time had passed since the uploads began: the action measures ages by that header. The
   * SDK then signs its requests that far ahead too, which the store would refuse as skewed,
   * so the proxy checks each request's signature and signs it again at the store's time.
   */
  storeClockAheadMs: number;

  rule: FaultRule;
  close(): Promise<void>;
}

/**
 * A small HTTP proxy on 127.0.0.1 in front of the test store, for faults that a real store
 * will not produce on demand. It forwards the request unchanged: same method, path, query and
 * headers, Host included, so the client's SigV4 signature still holds at the store.
 */
export async function startFaultProxy(rule: FaultRule = () => 'forward'): Promise<FaultProxy> {
  if (!store.endpoint) throw new Error('the fault proxy needs a store with an endpoint');
  const upstream = new URL(store.endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const attempts = new Map<string, number>();
  let closed = false;
  const proxy: FaultProxy = {
    endpoint: '',
    log: [],
    latencyMs: 0,
    storeClockAheadMs: 0,
    rule,
    close: async () => {
      closed = true;
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const handle = async (incoming: IncomingMessage, respond: Parameters<typeof reply>[0]) => {
    const described = describe(incoming, attempts);
    if (described.operation === 'put-lifecycle') described.body = await bodyOf(incoming);
    const fault = await proxy.rule(described);
    proxy.log.push({ ...described, fault: typeof fault === 'string' ? fault : fault.code });
    if (proxy.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.latencyMs));
    if (fault === 'hang') return;
    // A request delayed past the proxy's end goes nowhere, not to the store on a new socket.
    if (closed) {
      incoming.socket.destroy();
      return;
    }
    if (fault === 'reset') {
      incoming.socket.destroy();
      return;
    }
    const aheadMs = proxy.storeClockAheadMs;
    if (fault !== 'forward') {
      incoming.resume();
      reply(respond, fault, aheadMs);
      return;
    }
    const headers = aheadMs === 0 ? incoming.headers : signedAtStoreTime(incoming);
    if (typeof headers === 'string') {
      incoming.resume();
      const message = `fault proxy: ${headers}`;
      reply(respond, { status: 403, code: 'SignatureDoesNotMatch', message }, aheadMs);
      return;
    }
    const outgoing = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers,
        agent,
      },
      (answer) => {
        const date = Date.parse(answer.headers.date ?? '');
        if (aheadMs !== 0 && !Number.isNaN(date)) {
          answer.headers.date = new Date(date + aheadMs).toUTCString();
        }
        respond.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(respond);
      },
    );
    outgoing.on('error', () => incoming.socket.destroy());
    if (described.operation === 'put-lifecycle') outgoing.end(described.body);
    else incoming.pipe(outgoing);
  };

  const server: Server = createServer((incoming, respond) => {
    handle(incoming, respond).catch((error: unknown) => {
      reply(respond, { status: 599, code: 'FaultProxyError', message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

function describe(incoming: IncomingMessage, attempts: Map<string, number>): ProxiedRequest {
  const url = new URL(incoming.url ?? '/', 'http://proxy');
  const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const uploadId = url.searchParams.get('uploadId') ?? undefined;
  const method = incoming.method ?? 'GET';
  const onBucket = method === 'GET' && key === '';
  const lifecycle = key === '' && url.searchParams.has('lifecycle');
  const operation =
    onBucket && url.searchParams.has('uploads')
      ? 'list'
      : onBucket && lifecycle
        ? 'lifecycle'
        : method === 'PUT' && lifecycle
          ? 'put-lifecycle'
          : method === 'DELETE' && uploadId !== undefined
            ? 'abort'
            : 'other';
  // A listing page is identified by where it starts; an abort by its upload.
  const identity =
    operation === 'list'
      ? `list ${bucket} ${url.searchParams.get('key-marker') ?? ''} ${url.searchParams.get('upload-id-marker') ?? ''}`
      : `${operation} ${bucket} ${key} ${uploadId ?? ''}`;
  const attempt = attempts.get(identity) ?? 0;
  attempts.set(identity, attempt + 1);
  // Credential=AKID/20261129/eu-west-1/s3/aws4_request
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(incoming.headers.authorization ?? '');
  const signingRegion = scope?.[1];
  return {
    method,
    operation,
    bucket,
    key,
    uploadId,
    query: url.searchParams,
    signingRegion,
    attempt,
    headers: incoming.headers,
    body: '',
  };
}

async function bodyOf(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's headers signed again at this moment, or why its signature does not hold. */
function signedAtStoreTime(incoming: IncomingMessage): IncomingHttpHeaders | string {
  const secrets = new Map(
    [store, store.outsider].flatMap((key) => (key ? [[key.accessKeyId, key.secretAccessKey]] : [])),
  );
  const request = {
    method: incoming.method ?? 'GET',
    url: incoming.url ?? '/',
    headers: incoming.headers,
  };
  return signAgain(request, (accessKeyId) => secrets.get(accessKeyId), new Date());
}

function reply(
  respond: import('node:http').ServerResponse,
  error: S3ErrorAnswer,
  clockAheadMs = 0,
): void {
  const date = new Date(Date.now() + clockAheadMs).toUTCString();
  respond.writeHead(error.status, {
    'Content-Type': 'application/xml',
    Date: date,
    ...error.headers,
  });
  const escape = (text: string) => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  const fields = Object.entries(error.fields ?? {})
    .map(([name, value]) => `<${name}>${escape(value)}</${name}>`)
    .join('');
  respond.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${escape(error.message ?? '')}</Message>${fields}<RequestId>fault-proxy</RequestId></Error>`,
  );
}

/** For a suite: starts a proxy for the test that asks, and closes it after that test. */
export function useFaultProxy(): (rule?: FaultRule) => Promise<FaultProxy> {
  let current: FaultProxy | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (rule) => (current = await startFaultProxy(rule));
}
