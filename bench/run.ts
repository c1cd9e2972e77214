/**
 * `npm run bench`: in one run on the same local broker, the old baseline (raw kafkajs doing the
 * same hops), the honest baseline (`honest-baseline.ts`: the hub's HTTP ingest, payload, keys and
 * delivery POSTs without its logic) and the hub end to end (HTTP ingest → routing → delivery to a
 * loopback sink), with one and with two hub instances, and one hub ingesting alone (messages
 * addressed to an agency with no connector: nothing to deliver), with CPU µs a message of the
 * pipeline's processes and of the broker (from /proc). Prints a table and one JSON line. Counts
 * only messages that arrived (the ingest-only row: that were answered `202`); a paced row also says when the `202`s came, and the slowest of each second. BENCH_MESSAGES (default 20000) sets the size of the throughput runs. Then
 * data-sharing calls directly and through the hub (`service-calls.ts`), and one hub on a local
 * three-broker cluster. `npm run bench -- messages`, `-- services` or `-- cluster` runs only those rows.
 */
import { cpus, loadavg } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { KAFKA_VERSION } from '../src/kafka/broker-jars.ts';
import { startLocalBroker } from '../src/kafka/local-broker.ts';
import { startLocalCluster } from '../src/kafka/local-cluster.ts';
import { runBaseline } from './baseline.ts';
import { startHonestBaseline } from './honest-baseline.ts';
import { cpuMicros, javaWith, residentMb } from './proc.ts';
import { closeAgent, post, register, startBenchHub, type BenchHub } from './hub-process.ts';
import { benchServiceCalls, printServiceCalls, type ServiceCallRow } from './service-calls.ts';
import { awaitArrivals, startSink, type Sink } from './sink.ts';
import { latencySummary, type LatencySummary } from './stats.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const OLD_BASELINE = 'old baseline (raw kafkajs)';
const HONEST = 'honest baseline';
const BATCH = 100;
const CONCURRENCY = 8;
const PARTITIONS = 6;
const say = (line: string) => process.stderr.write(`${line}\n`);
const only = process.argv[2];
const ROW_SETS = ['messages', 'services', 'cluster'] as const;
if (only !== undefined && !(ROW_SETS as readonly string[]).includes(only))
  throw new Error(`bench: "${only}" is not a row set; use one of ${ROW_SETS.join(', ')}`);
const selected = (rows: (typeof ROW_SETS)[number]) => only === undefined || only === rows;

interface Row {
  scenario: string;
  messages: number;
  ingestPerSecond?: number;
  deliveredPerSecond: number;
  latencyMs: LatencySummary;
  /** Paced rows: from the request to its `202` (the rest of `latencyMs` is delivery). */
  acceptedMs?: LatencySummary;
  /** Paced rows: the slowest `202` of the requests sent in each second, to tell a stall from a slow row. */
  acceptedMaxMsBySecond?: number[];
  memoryMb?: number;
  /** CPU µs a message: the pipeline's own processes (the hubs, or the honest baseline) summed, and the broker's (all brokers', on a cluster). */
  cpuUsPerMessage?: { process?: number; broker?: number };
  /** The machine's 1-minute load average as the row began. */
  loadAverage?: number;
}

const template = (await import('../schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', { with: { type: 'json' } }))
  .default as Record<string, unknown>;
let sequence = 0;
/** The bench receiver's agency; the ingest-only row addresses one with no connector (Sở Y tế), so nothing is delivered. */
const RECEIVING = '000.00.00.H49';
const NOBODY = '000.00.16.H49';
const event = (to = RECEIVING) => ({ ...template, id: `bench-${process.pid}-${++sequence}`, subject: `doc-${sequence % 1000}`, to });

/** Runs `count` sends through `send`, `concurrency` at a time; returns when each id was sent. */
async function pump(
  count: number,
  perCall: number,
  concurrency: number,
  send: (events: ReturnType<typeof event>[]) => Promise<void>,
  to = RECEIVING,
): Promise<{ sentAt: Map<string, number>; seconds: number }> {
  const sentAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const events = Array.from({ length: Math.min(perCall, count - next) }, () => event(to));
        next += events.length;
        const at = performance.now();
        for (const e of events) sentAt.set(e.id, at);
        await send(events);
      }
    }),
  );
  return { sentAt, seconds: (performance.now() - started) / 1000 };
}

function arrivalsRow(scenario: string, sink: Sink, sentAt: Map<string, number>, ingestSeconds?: number): Row {
  const latencies = [...sentAt].map(([id, at]) => sink.arrivals.get(id)! - at);
  const first = Math.min(...sentAt.values());
  const last = Math.max(...[...sentAt.keys()].map((id) => sink.arrivals.get(id)!));
  return {
    scenario,
    messages: sentAt.size,
    ...(ingestSeconds ? { ingestPerSecond: Math.round(sentAt.size / ingestSeconds) } : {}),
    deliveredPerSecond: Math.round(sentAt.size / ((last - first) / 1000)),
    latencyMs: latencySummary(latencies),
  };
}

/** `count` events POSTed to `/v1/messages` of `ports` in turn (the hubs, or the honest baseline), until all arrived. */
async function ingestScenario(name: string, ports: number[], sink: Sink, token: string, count: number, perCall: number, concurrency: number): Promise<Row> {
  let turn = 0;
  const headers = { authorization: `Bearer ${token}`, 'content-type': perCall === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json' };
  say(`${name}: ${count} messages, ${perCall === 1 ? 'single events' : `batches of ${perCall}`}, ${concurrency} concurrent senders...`);
  const { sentAt, seconds } = await pump(count, perCall, concurrency, async (events) => {
    const res = await post(ports[turn++ % ports.length]!, '/v1/messages', JSON.stringify(perCall === 1 ? events[0] : events), headers);
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${res.body}`);
  });
  if (!(await awaitArrivals(sink, [...sentAt.keys()], 180_000))) throw new Error(`${name}: not every message arrived within 180 s`);
  return arrivalsRow(name, sink, sentAt, seconds);
}

/**
 * Ingest alone: batches addressed to an agency with no connector, so the hub accepts, routes
 * (to nobody) and writes each message and its events, and delivers nothing. Latency is the
 * request's (sent to `202`); there are no arrivals.
 */
async function ingestOnlyScenario(name: string, port: number, token: string, count: number): Promise<Row> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents-batch+json' };
  say(`${name}: ${count} messages, batches of ${BATCH}, ${CONCURRENCY} concurrent senders...`);
  const answered: number[] = [];
  const { sentAt, seconds } = await pump(
    count,
    BATCH,
    CONCURRENCY,
    async (events) => {
      const at = performance.now();
      const res = await post(port, '/v1/messages', JSON.stringify(events), headers);
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${res.body}`);
      answered.push(performance.now() - at);
    },
    NOBODY,
  );
  return {
    scenario: name,
    messages: sentAt.size,
    ingestPerSecond: Math.round(sentAt.size / seconds),
    deliveredPerSecond: 0,
    latencyMs: latencySummary(answered),
  };
}

/** Single events at a fixed rate, for latency at a realistic load. */
async function pacedScenario(name: string, port: number, sink: Sink, token: string, perSecond: number, seconds: number): Promise<Row> {
  say(`${name}: ${perSecond} messages/s for ${seconds} s...`);
  const sentAt = new Map<string, number>();
  const pending: Promise<number>[] = [];
  const started = performance.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const e = event();
    const sent = performance.now();
    sentAt.set(e.id, sent);
    const answered = post(port, '/v1/messages', JSON.stringify(e), { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents+json' });
    pending.push(answered.then(() => performance.now() - sent));
  }
  const answered = await Promise.all(pending);
  const acceptedMs = latencySummary(answered);
  const acceptedMaxMsBySecond = Array.from({ length: seconds }, (_, s) => Math.round(latencySummary(answered.slice(s * perSecond, (s + 1) * perSecond)).max));
  if (!(await awaitArrivals(sink, [...sentAt.keys()], 60_000))) throw new Error(`${name}: not every message arrived`);
  return { ...arrivalsRow(name, sink, sentAt), acceptedMs, acceptedMaxMsBySecond };
}

/** `scenario`'s row with the CPU a message it cost `pids` (summed) and the brokers (summed), their peak RSS, and the load average. */
async function measured(
  pids: number[],
  scenario: () => Promise<Row>,
  brokerPids: readonly number[] = brokerPid === undefined ? [] : [brokerPid],
): Promise<Row> {
  const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
  const cpu = async (of: readonly number[]) => (await Promise.all(of.map(cpuMicros))).reduce((a, b) => a + b, 0);
  const before = { process: await cpu(pids), broker: await cpu(brokerPids) };
  const row = await scenario();
  const perMessage = async (of: readonly number[], from: number) => Math.round(((await cpu(of)) - from) / row.messages);
  const cpuUsPerMessage = {
    ...(pids.length > 0 ? { process: await perMessage(pids, before.process) } : {}),
    ...(brokerPids.length > 0 ? { broker: await perMessage(brokerPids, before.broker) } : {}),
  };
  const memoryMb = pids.length > 0 ? Math.max(...(await Promise.all(pids.map(residentMb)))) : undefined;
  return { ...row, ...(memoryMb !== undefined ? { memoryMb } : {}), cpuUsPerMessage, loadAverage };
}

/** The honest baseline's rows: batch and single ingest at full speed, and single events paced. */
async function honestBaseline(): Promise<Row[]> {
  say('honest baseline: starting its process...');
  const baseline = await startHonestBaseline(brokers, PARTITIONS, sink.url);
  try {
    const token = 'bench-honest-baseline'; // sent as the hub's senders send theirs; not checked
    await ingestScenario('warm-up', [baseline.port], sink, token, 2_000, BATCH, 4);
    const row = (scenario: () => Promise<Row>) => measured([baseline.pid], scenario);
    return [
      await row(() => ingestScenario(`${HONEST}, batch ingest`, [baseline.port], sink, token, MESSAGES, BATCH, CONCURRENCY)),
      await row(() => ingestScenario(`${HONEST}, single ingest`, [baseline.port], sink, token, Math.round(MESSAGES / 4), 1, 64)),
      await row(() => pacedScenario(`${HONEST}, paced 500/s`, baseline.port, sink, token, 500, 10)),
    ];
  } finally {
    await baseline.stop();
  }
}

async function withHubs(brokers: string, instances: number, sink: Sink, work: (hubs: BenchHub[], token: string) => Promise<Row[]>): Promise<Row[]> {
  const prefix = `bench${Date.now()}.`;
  say(`Starting ${instances} hub instance(s)...`);
  const hubs = [await startBenchHub(brokers, prefix, { LGSP_PARTITIONS: String(PARTITIONS) })];
  for (let i = 1; i < instances; i++) hubs.push(await startBenchHub(brokers, prefix, { LGSP_PARTITIONS: String(PARTITIONS) }));
  try {
    const port = hubs[0]!.port;
    const token = await register(port, { id: 'bench-sender', agency: '000.00.15.H49', kind: 'webhook' });
    await register(port, {
      id: 'bench-receiver',
      agency: '000.00.00.H49',
      kind: 'webhook',
      endpoint: sink.url,
      subscriptions: [{ type: 'vn.gov.document.sent' }],
      delivery: { maxInFlight: 64 },
    });
    await new Promise((r) => setTimeout(r, 1_500)); // every instance reads the registration
    say('Warming up...');
    await ingestScenario('warm-up', ports(hubs), sink, token, 2_000, BATCH, 4);
    return await work(hubs, token);
  } finally {
    await Promise.all(hubs.map((h) => h.stop()));
  }
}

const config = loadConfig();
const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-kafka-'));
const broker = config.kafkaBrokers ? undefined : await startLocalBroker({ dataDir, cacheDir: config.cacheDir, kafkaHome: config.kafkaHome });
const brokers = config.kafkaBrokers?.join(',') ?? broker!.brokers.join(',');
const brokerPid = broker ? await javaWith(['kafka.Kafka', dataDir]) : undefined;
const sink = await startSink();
const rows: Row[] = [];
const serviceRows: ServiceCallRow[] = [];
try {
  if (selected('services')) serviceRows.push(...(await benchServiceCalls(brokers, PARTITIONS, say, broker ? dataDir : undefined)));
  if (selected('messages')) await benchMessages();
  if (selected('cluster')) await benchCluster();
} finally {
  await sink.close();
  closeAgent();
  await broker?.stop();
  await rm(dataDir, { recursive: true, force: true });
}

async function benchMessages(): Promise<void> {
  say(`old baseline: raw kafkajs, ${MESSAGES} messages...`);
  await runBaseline(brokers.split(','), sink, 2_000, BATCH, PARTITIONS).then((warm) =>
    awaitArrivals(sink, [...warm.sentAt.keys()], 60_000).then(() => warm.stop()),
  );
  // In the load generator's process (55-byte payloads, no HTTP): only the broker's CPU is its own.
  let baseline!: Awaited<ReturnType<typeof runBaseline>>;
  rows.push(
    await measured([], async () => {
      baseline = await runBaseline(brokers.split(','), sink, MESSAGES, BATCH, PARTITIONS);
      if (!(await awaitArrivals(sink, [...baseline.sentAt.keys()], 180_000))) throw new Error('baseline: not every message arrived');
      return arrivalsRow(OLD_BASELINE, sink, baseline.sentAt, baseline.seconds);
    }),
  );
  await baseline.stop();
  rows.push(...(await honestBaseline()));

  rows.push(
    ...(await withHubs(brokers, 1, sink, async (hubs, token) => {
      const row = (scenario: () => Promise<Row>) => measured(pids(hubs), scenario);
      return [
        await row(() => ingestScenario('hub x1, batch ingest', ports(hubs), sink, token, MESSAGES, BATCH, CONCURRENCY)),
        await row(() => ingestScenario('hub x1, single ingest', ports(hubs), sink, token, Math.round(MESSAGES / 4), 1, 64)),
        await row(() => pacedScenario('hub x1, paced 500/s', hubs[0]!.port, sink, token, 500, 10)),
        // A quiet hour's rate: each message alone in the pipeline, so no other record ends a fetch's wait early.
        await row(() => pacedScenario('hub x1, paced 10/s', hubs[0]!.port, sink, token, 10, 10)),
        await row(() => ingestOnlyScenario('hub x1, ingest only (to 202)', hubs[0]!.port, token, MESSAGES)),
      ];
    })),
  );
  rows.push(
    ...(await withHubs(brokers, 2, sink, async (hubs, token) => [
      await measured(pids(hubs), () => ingestScenario('hub x2, batch ingest', ports(hubs), sink, token, MESSAGES, BATCH, CONCURRENCY)),
    ])),
  );
}

/**
 * One hub on a local three-broker cluster (`npm run kafka -- --brokers 3`: replication factor 3,
 * min.insync.replicas 2, so every acks=all write waits for a second broker), as on the single
 * broker: batch ingest, then paced 500/s. Broker CPU is the three JVMs' together.
 */
async function benchCluster(): Promise<void> {
  say('three-broker cluster: starting it...');
  const clusterDir = join(dataDir, 'cluster');
  const cluster = await startLocalCluster({ dataDir: clusterDir, cacheDir: config.cacheDir, kafkaHome: config.kafkaHome, size: 3, say });
  try {
    const brokerPids = await Promise.all(cluster.nodes.map((n) => javaWith(['kafka.Kafka', join(clusterDir, `node-${n.nodeId}`)])));
    const known = brokerPids.filter((pid): pid is number => pid !== undefined);
    rows.push(
      ...(await withHubs(cluster.brokers.join(','), 1, sink, async (hubs, token) => {
        const row = (scenario: () => Promise<Row>) => measured(pids(hubs), scenario, known);
        return [
          await row(() => ingestScenario('hub x1 on 3 brokers, batch ingest', ports(hubs), sink, token, MESSAGES, BATCH, CONCURRENCY)),
          await row(() => pacedScenario('hub x1 on 3 brokers, paced 500/s', hubs[0]!.port, sink, token, 500, 10)),
        ];
      })),
    );
  } finally {
    await cluster.stop();
  }
}

function ports(hubs: BenchHub[]): number[] {
  return hubs.map((h) => h.port);
}

function pids(hubs: BenchHub[]): number[] {
  return hubs.map((h) => h.child.pid!);
}

/** The honest baseline row of the same ingest mode as `row` (the part of its name after the first comma). */
function honestFor(row: Row): Row | undefined {
  const mode = row.scenario.slice(row.scenario.indexOf(','));
  return rows.find((r) => r.scenario === `${HONEST}${mode}`);
}

const baselineRate = rows.find((r) => r.scenario === OLD_BASELINE)?.deliveredPerSecond ?? 0;
const pad = (v: unknown, n: number) => String(v ?? '').padStart(n);
const ratio = (a: number, b: number | undefined) => (a && b ? (a / b).toFixed(2) : '');
console.log(`\nlgsp-hub benchmark: Kafka ${KAFKA_VERSION}, ${cpus().length} cores, ${PARTITIONS} partitions, acks=all; latency = sent to arrived at the sink`);
if (rows.length > 0) {
  console.log(
    `${'scenario'.padEnd(32)} ${pad('msgs', 7)} ${pad('ingest/s', 9)} ${pad('delivered/s', 12)} ${pad('vs old', 7)} ${pad('vs honest', 9)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('p99.9 ms', 9)} ${pad('max ms', 8)} ${pad('proc µs', 8)} ${pad('broker µs', 9)} ${pad('RSS MB', 7)} ${pad('load', 5)}`,
  );
}
for (const r of rows) {
  const l = r.latencyMs;
  console.log(
    `${r.scenario.padEnd(32)} ${pad(r.messages, 7)} ${pad(r.ingestPerSecond, 9)} ${pad(r.deliveredPerSecond, 12)} ${pad(ratio(r.deliveredPerSecond, baselineRate), 7)} ${pad(ratio(r.deliveredPerSecond, honestFor(r)?.deliveredPerSecond), 9)} ${pad(l.p50.toFixed(1), 8)} ${pad(l.p99.toFixed(1), 8)} ${pad(l.p999.toFixed(1), 9)} ${pad(l.max.toFixed(0), 8)} ${pad(r.cpuUsPerMessage?.process, 8)} ${pad(r.cpuUsPerMessage?.broker, 9)} ${pad(r.memoryMb, 7)} ${pad(r.loadAverage, 5)}`,
  );
}
for (const r of rows.filter((r) => r.scenario.startsWith('hub x1'))) {
  const h = honestFor(r);
  if (!h) continue;
  const times = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(1)}×` : '?');
  console.log(
    `${r.scenario} against the honest baseline: delivered/s ${times(r.deliveredPerSecond, h.deliveredPerSecond)}, p50 ${times(r.latencyMs.p50, h.latencyMs.p50)}, p99 ${times(r.latencyMs.p99, h.latencyMs.p99)}, CPU a message ${times(r.cpuUsPerMessage?.process, h.cpuUsPerMessage?.process)} (broker ${times(r.cpuUsPerMessage?.broker, h.cpuUsPerMessage?.broker)})`,
  );
}
for (const r of rows.filter((r) => r.acceptedMs)) {
  console.log(
    `${r.scenario}: the 202 after p50 ${r.acceptedMs!.p50.toFixed(1)} ms, p99 ${r.acceptedMs!.p99.toFixed(1)} ms (arrival at the sink: p50 ${r.latencyMs.p50.toFixed(1)}, p99 ${r.latencyMs.p99.toFixed(1)}); the slowest 202 of each second: ${r.acceptedMaxMsBySecond!.join(' ')} ms`,
  );
}
if (serviceRows.length > 0) printServiceCalls(serviceRows);
console.log(
  JSON.stringify({
    bench: 'lgsp-hub',
    at: new Date().toISOString(),
    kafka: KAFKA_VERSION,
    cores: cpus().length,
    partitions: PARTITIONS,
    batch: BATCH,
    concurrency: CONCURRENCY,
    rows,
    serviceCalls: serviceRows,
  }),
);
