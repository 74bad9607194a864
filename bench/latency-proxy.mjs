// A proxy on 127.0.0.1 that holds every request for a fixed delay, then forwards it unchanged
// to the store: a stand-in for a store that is a network round trip away (the rtt20 profile).
//
// Run as a script it prints `{"endpoint":"http://127.0.0.1:PORT"}` on one line once it
// listens, and serves until its stdin closes or it is sent SIGTERM. The benchmark runs it in
// a process of its own so that forwarding takes no event-loop time from the tool measured.
//
//   node bench/latency-proxy.mjs UPSTREAM_URL DELAY_MS
import { Agent, createServer, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

/**
 * @param {{ upstream: string, delayMs: number }} options
 * @returns {Promise<{ endpoint: string, close: () => Promise<void> }>}
 */
export async function startLatencyProxy({ upstream, delayMs }) {
  const target = new URL(upstream);
  // Kept-alive upstream connections: the delay is the only cost the proxy should add.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer(async (incoming, outgoing) => {
    await sleep(delayMs);
    // Same method, path and query, and the same headers, Host included: the client signed
    // them (SigV4), so the store must see exactly what the client sent.
    const forwarded = request({
      host: target.hostname,
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent,
    });
    forwarded.on('response', (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [upstream, delay] = process.argv.slice(2);
  const delayMs = Number(delay);
  if (!upstream || !Number.isFinite(delayMs)) {
    console.error('usage: node bench/latency-proxy.mjs UPSTREAM_URL DELAY_MS');
    process.exit(2);
  }
  const proxy = await startLatencyProxy({ upstream, delayMs });
  console.log(JSON.stringify({ endpoint: proxy.endpoint }));
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}
