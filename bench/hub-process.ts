/** A hub process for the benchmark, and the HTTP calls the benchmark makes to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { freePort } from '../src/kafka/local-broker.ts';
import { stopOf } from './proc.ts';

export const BENCH_ADMIN_TOKEN = 'bench-operator-token-0123456789';
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export interface BenchHub {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startBenchHub(brokers: string, prefix: string, env: Record<string, string> = {}): Promise<BenchHub> {
  const port = await freePort();
  // BENCH_HUB_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the hub under load.
  const nodeArgs = process.env.BENCH_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, 'src/main.ts'], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers,
      PORT: String(port),
      LGSP_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      LGSP_AGENCIES_FILE: 'directory/demo-province.json',
      LGSP_TOPIC_PREFIX: prefix,
      // The benchmark measures the hub, not its per-connector rate limit.
      LGSP_RATE_LIMIT: '0',
      LGSP_SECRETS_KEY: Buffer.alloc(32, 9).toString('base64'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (child.exitCode !== null || i > 900) {
      await stopOf(child)();
      throw new Error('the hub did not become ready within 90 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    stop: stopOf(child),
  };
}

export function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Registers a connector as the operator and returns its token. */
export async function register(port: number, manifest: Record<string, unknown>): Promise<string> {
  const res = await post(port, '/v1/connectors', JSON.stringify(manifest), {
    authorization: `Bearer ${BENCH_ADMIN_TOKEN}`,
    'content-type': 'application/json',
  });
  if (res.status !== 201) throw new Error(`registering ${String(manifest.id)}: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { token: string }).token;
}

/** Resident memory of the hub process, from its own /metrics. */
export async function residentMemoryMb(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^process_resident_memory_bytes (\d+)/m.exec(text);
  return match ? Math.round(Number(match[1]) / 1_048_576) : 0;
}

export function closeAgent(): void {
  agent.destroy();
}
