/**
 * `npm run bench:ingest`: ingest rates of a running hub process (HTTP → Kafka with acks=all), single
 * events and batches, from a load generator in this process over loopback keep-alive connections.
 * Starts its own local broker and hub (or uses KAFKA_BROKERS). Prints a table and a JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { startLocalBroker } from '../src/kafka/local-broker.ts';
import { freePort, latencySummary, type LatencySummary } from './stats.ts';

const ADMIN = 'bench-operator-token-0123456789';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Result {
  scenario: string;
  concurrency: number;
  batchSize: number;
  requestsPerSecond: number;
  messagesPerSecond: number;
  latencyMs: LatencySummary;
  errors: number;
}

function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const template = (await import('../schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', { with: { type: 'json' } })).default as Record<string, unknown>;
let sequence = 0;
const nextEvent = () => ({ ...template, id: `bench-${process.pid}-${++sequence}`, subject: `doc-${sequence % 1000}` });

async function load(port: number, token: string, scenario: string, concurrency: number, batchSize: number, seconds: number): Promise<Result> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': batchSize === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json' };
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const body = JSON.stringify(batchSize === 1 ? nextEvent() : Array.from({ length: batchSize }, nextEvent));
      const started = process.hrtime.bigint();
      const res = await post(port, '/v1/messages', body, headers);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (res.status === 202) requests++;
      else errors++;
    }
  }));
  return { scenario, concurrency, batchSize, requestsPerSecond: requests / seconds, messagesPerSecond: (requests * batchSize) / seconds, latencyMs: latencySummary(latencies), errors };
}

const config = loadConfig();
const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-kafka-'));
const broker = config.kafkaBrokers ? undefined : await startLocalBroker({ dataDir, cacheDir: config.cacheDir, kafkaHome: config.kafkaHome });
const brokers = config.kafkaBrokers?.join(',') ?? broker!.brokers.join(',');
const port = await freePort();
const hub = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: { ...process.env, KAFKA_BROKERS: brokers, PORT: String(port), LGSP_ADMIN_TOKEN: ADMIN, LGSP_AGENCIES_FILE: 'directory/demo-province.json', LGSP_TOPIC_PREFIX: `bench${Date.now()}.`, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  process.stderr.write('Waiting for the hub to be ready...\n');
  for (let i = 0; ; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 600) throw new Error('the hub did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const registered = await post(port, '/v1/connectors', JSON.stringify({ id: 'bench-sender', agency: '000.00.15.H49', kind: 'webhook' }), { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' });
  const { token } = JSON.parse(registered.body) as { token: string };

  process.stderr.write(`Warming up for ${WARMUP_SECONDS} s...\n`);
  await load(port, token, 'warm-up', 16, 1, WARMUP_SECONDS);
  const results: Result[] = [];
  for (const [scenario, concurrency, batchSize] of [['single', 1, 1], ['single', 32, 1], ['batch', 4, 100], ['batch', 8, 500]] as const) {
    process.stderr.write(`Measuring ${scenario} x${concurrency}, batch ${batchSize}, for ${SECONDS} s...\n`);
    results.push(await load(port, token, scenario, concurrency, batchSize, SECONDS));
  }
  console.log('\nscenario  conc  batch   req/s    msg/s   p50 ms   p99 ms   max ms  errors');
  for (const r of results) {
    console.log(`${r.scenario.padEnd(8)} ${String(r.concurrency).padStart(5)} ${String(r.batchSize).padStart(6)} ${r.requestsPerSecond.toFixed(0).padStart(7)} ${r.messagesPerSecond.toFixed(0).padStart(8)} ${r.latencyMs.p50.toFixed(1).padStart(8)} ${r.latencyMs.p99.toFixed(1).padStart(8)} ${r.latencyMs.max.toFixed(1).padStart(8)} ${String(r.errors).padStart(7)}`);
  }
  console.log(JSON.stringify({ bench: 'ingest', at: new Date().toISOString(), acks: 'all', cores: (await import('node:os')).cpus().length, results }));
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  agent.destroy();
  await broker?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
