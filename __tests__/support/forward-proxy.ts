import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  Agent,
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface ProxiedCall {
  method: string;
  /** The request target as received: an absolute URL, or host:port for CONNECT. */
  target: string;
  /** What the proxy answered; 0 until it answers, and when the connection was cut instead. */
  status: number;
}

export interface ForwardProxy {
  /** For http_proxy / https_proxy: http://127.0.0.1:PORT, with user:password@ when auth is set. */
  url: string;
  /** Every request the proxy got, in order. */
  calls: ProxiedCall[];
  close(): Promise<void>;
}

/**
 * A forward proxy on 127.0.0.1, like the corporate one a self-hosted runner sits behind: plain
 * HTTP comes in absolute form, HTTPS as a CONNECT tunnel. It reaches only the hosts in `routes`,
 * so a test whose endpoint name never resolves (s3.store.invalid) passes only through it.
 */
export async function startForwardProxy(options: {
  /** The only hosts this proxy can reach: "name:port" → "127.0.0.1:port". */
  routes: Record<string, string>;
  /** When set, require Proxy-Authorization Basic with these, else 407. */
  auth?: { user: string; password: string };
}): Promise<ForwardProxy> {
  const { routes, auth } = options;
  const credentials = auth && Buffer.from(`${auth.user}:${auth.password}`).toString('base64');
  const authorized = (incoming: IncomingMessage) =>
    !credentials || incoming.headers['proxy-authorization'] === `Basic ${credentials}`;
  const route = (authority: string, defaultPort: number) => {
    const name = authority.toLowerCase();
    const mapped = routes[/:\d+$/.test(name) ? name : `${name}:${defaultPort}`];
    return mapped === undefined ? undefined : split(mapped);
  };
  const agent = new Agent({ keepAlive: true });
  // Every socket on either side, so close() can cut tunnels and idle keep-alive connections.
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const calls: ProxiedCall[] = [];
  const record = (method: string, target: string) => {
    const call: ProxiedCall = { method, target, status: 0 };
    calls.push(call);
    return call;
  };

  const server = createServer((incoming, respond) => {
    const call = record(incoming.method ?? 'GET', incoming.url ?? '');
    // Taken apart by hand, not with URL, which would normalise the path the client signed.
    const parts = /^http:\/\/([^/?#]+)(.*)$/i.exec(call.target);
    // Origin form (GET /bucket?uploads) means the client took the proxy for the store.
    if (!parts) return refuse(respond, call, 400, 'a proxy needs an absolute-form request');
    if (!authorized(incoming)) return refuse(respond, call, 407, 'proxy credentials required');
    const to = route(parts[1], 80);
    if (!to) return refuse(respond, call, 502, `no route to ${parts[1]}`);
    const path = parts[2].startsWith('/') ? parts[2] : `/${parts[2]}`;
    relay(incoming, respond, { ...to, path }, agent, call);
  });
  server.on('connection', track);
  server.on('connect', (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    const call = record('CONNECT', incoming.url ?? '');
    const end = (status: number, reason: string) => {
      call.status = status;
      const challenge = status === 407 ? 'Proxy-Authenticate: Basic realm="forward-proxy"\r\n' : '';
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${challenge}Content-Length: 0\r\n\r\n`);
    };
    client.on('error', () => client.destroy());
    if (!authorized(incoming)) return end(407, 'Proxy Authentication Required');
    const to = route(call.target, 443);
    if (!to) return end(502, 'Bad Gateway');
    const tunnel = connect(to.port, to.host, () => {
      call.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tunnel.write(head);
      // Each side's end is passed on to the other; an error on either cuts both.
      client.pipe(tunnel).pipe(client);
    });
    track(tunnel);
    tunnel.on('error', () => (call.status === 0 ? end(502, 'Bad Gateway') : client.destroy()));
    client.on('error', () => tunnel.destroy());
  });
  const port = await listen(server);
  const login = auth && `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@`;
  return {
    url: `http://${login ?? ''}127.0.0.1:${port}`,
    calls,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface TlsFront {
  /** 127.0.0.1:PORT, for the forward proxy's routes. */
  address: string;
  /** The PEM certificate, for NODE_EXTRA_CA_CERTS (read at process start: a child process). */
  caFile: string;
  close(): Promise<void>;
}

/**
 * A TLS front for a plain-HTTP upstream: terminates HTTPS with a fresh self-signed certificate
 * for `hostname` and forwards each request (Host header included, so SigV4 signatures hold) to
 * `upstream` (http://127.0.0.1:PORT). With a proxy route to it, the HTTPS path can be tested
 * against a store that only speaks HTTP.
 */
export async function startTlsFront(hostname: string, upstream: string): Promise<TlsFront> {
  const dir = await mkdtemp(join(tmpdir(), 'tls-front-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  try {
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`],
      ...['-keyout', keyFile, '-out', caFile],
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(
      failure.code === 'ENOENT'
        ? 'startTlsFront needs the openssl command on PATH to make its certificate'
        : `openssl could not make a certificate for ${hostname}: ${failure.stderr ?? failure.message}`,
      { cause: error },
    );
  }
  const origin = new URL(upstream);
  const to = { host: origin.hostname, port: Number(origin.port || 80) };
  const agent = new Agent({ keepAlive: true });
  const server = createHttpsServer(
    { key: await readFile(keyFile), cert: await readFile(caFile) },
    (incoming, respond) => {
      relay(incoming, respond, { ...to, path: incoming.url ?? '/' }, agent, { status: 0 });
    },
  );
  const port = await listen(server);
  return {
    address: `127.0.0.1:${port}`,
    caFile,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends the request on to `to` and streams the answer back; a failure cuts the connection. */
function relay(
  incoming: IncomingMessage,
  respond: ServerResponse,
  to: { host: string; port: number; path: string },
  agent: Agent,
  call: { status: number },
): void {
  const headers = endToEnd(incoming.headers);
  const outgoing = forward({ ...to, method: incoming.method, headers, agent }, (answer) => {
    call.status = answer.statusCode ?? 502;
    respond.writeHead(call.status, answer.statusMessage, endToEnd(answer.headers));
    answer.on('error', () => respond.destroy());
    answer.pipe(respond);
  });
  outgoing.on('error', (error) => {
    if (respond.headersSent) respond.destroy();
    else refuse(respond, call, 502, `upstream ${to.host}:${to.port}: ${error.message}`);
  });
  incoming.on('error', () => outgoing.destroy());
  // The client went away mid-answer: do not hand a half-read upstream socket back to the pool.
  respond.on('close', () => respond.writableFinished || outgoing.destroy());
  incoming.pipe(outgoing);
}

function refuse(respond: ServerResponse, call: { status: number }, status: number, why: string) {
  call.status = status;
  const challenge = status === 407 ? { 'Proxy-Authenticate': 'Basic realm="forward-proxy"' } : {};
  respond.writeHead(status, { 'Content-Type': 'text/plain', ...challenge }).end(`${why}\n`);
}

// Headers for one connection only (RFC 9110 §7.6.1); SigV4 never signs them.
const hopByHop = new Set([
  ...['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization'],
  ...['proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'],
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = String(headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !hopByHop.has(name) && !listed.includes(name)),
  );
}

function split(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
