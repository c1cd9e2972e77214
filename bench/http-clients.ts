/**
 * `npm run bench:http`: the HTTP client of every delivery, measured against undici. The kit
 * transport (`connectors/kit/transport.ts`: Node's `node:http` with a keep-alive agent, plus its
 * guarantees), bare `node:http` with the same agent, and an undici `Pool` POST the same delivery
 * (the example document's 2 KB of data, a webhook's headers) to the same loopback sink, a process
 * of its own, with the same concurrency; runs interleaved after a warm-up each. Prints requests a
 * second, the client's CPU µs a request (this process's user + system time, so the sink's work is
 * not counted) and latency. Why the transport stays on `node:http`: README, "Packages".
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { createTransport } from '../connectors/kit/transport.ts';
import { latencySummary } from './stats.ts';

const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);
const CONCURRENCY = 32;
const ROUNDS = 3;

if (process.argv[2] === 'sink') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"stored":true}'));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
} else {
  const sink = fork(import.meta.filename, ['sink']);
  const port = await new Promise<number>((resolve) => sink.once('message', (p) => resolve(p as number)));
  const url = `http://127.0.0.1:${port}/events`;
  const example = JSON.parse(readFileSync('schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', 'utf8')) as { data: unknown };
  const body = Buffer.from(JSON.stringify(example.data));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'ce-id': 'doc-1',
    'ce-source': 'urn:lgsp:agency:000.00.15.H49',
    'ce-type': 'vn.gov.document.sent',
    'ce-specversion': '1.0',
    'ce-subject': '123%2FSTP-VP',
    'ce-time': '2026-12-01T08:00:00Z',
    'ce-to': '000.00.00.H49',
    'webhook-id': '6f1d2c4e-0d7b-5a51-9b0e-1f3c5a7e9d21',
    'webhook-timestamp': '1796112000',
    'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')}`,
    'lgsp-hub-signature': 'eyJhbGciOiJFZERTQSJ9.e30.' + 'x'.repeat(86),
  };

  const transport = createTransport();
  const agent = new Agent({ keepAlive: true });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1 });
  const clients: Record<string, () => Promise<number>> = {
    'kit transport (node:http)': () =>
      transport.attempt(10_000, async (scope) => {
        const exchange = await scope.send({ method: 'POST', url, headers, body, idempotencyKey: headers['webhook-id'] });
        if (!('answered' in exchange)) throw new Error(`no answer: ${exchange.failed.failure}`);
        return exchange.answered.status;
      }),
    'bare node:http, keep-alive': () =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', headers: { ...headers, 'idempotency-key': headers['webhook-id']!, 'content-length': String(body.length) }, agent },
          (res) => {
            res.on('data', () => undefined);
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.once('error', reject);
        req.end(body);
      }),
    'undici Pool': async () => {
      const res = await pool.request({
        method: 'POST',
        path: '/events',
        headers: { ...headers, 'idempotency-key': headers['webhook-id']! },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body.arrayBuffer();
      return res.statusCode;
    },
  };

  const run = async (send: () => Promise<number>, n: number) => {
    const latencies: number[] = [];
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < n) {
          const t = performance.now();
          if ((await send()) !== 200) throw new Error('the sink did not answer 200');
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { perSecond: Math.round(n / seconds), cpuUs: Math.round((used.user + used.system) / n), latency: latencySummary(latencies) };
  };

  for (const send of Object.values(clients)) await run(send, 2_000);
  const rows: { client: string; perSecond: number; cpuUs: number; p50: number; p99: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [client, send] of Object.entries(clients)) {
      const { perSecond, cpuUs, latency } = await run(send, REQUESTS);
      rows.push({ client, perSecond, cpuUs, p50: latency.p50, p99: latency.p99 });
    }
  }
  console.log(`\nHTTP client of a delivery: ${REQUESTS} POSTs of ${body.length} bytes a run, ${CONCURRENCY} in flight, ${ROUNDS} rounds interleaved`);
  console.log(`${'client'.padEnd(28)}${'req/s'.padStart(8)}${'client µs/req'.padStart(15)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}`);
  for (const r of rows)
    console.log(
      `${r.client.padEnd(28)}${String(r.perSecond).padStart(8)}${String(r.cpuUs).padStart(15)}${r.p50.toFixed(2).padStart(8)}${r.p99.toFixed(2).padStart(8)}`,
    );
  console.log(JSON.stringify({ bench: 'http-clients', at: new Date().toISOString(), rows }));
  agent.destroy();
  await Promise.all([transport.close(), pool.close()]);
  sink.kill();
}
