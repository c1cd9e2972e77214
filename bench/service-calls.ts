/**
 * The data-sharing calls row of `npm run bench` (`npm run bench -- services` runs it alone): a
 * citizen lookup of the simulated population database ("CSDLQG về dân cư"), called directly,
 * through the honest proxy and through the hub, paced open-loop at each rate (calls leave at fixed
 * intervals whatever the answers, and latency counts from the moment a call was due, so it
 * includes queueing; or from when it left, if that was earlier). The honest proxy
 * (`honest-service-proxy.ts`) forwards the call and writes its record to Kafka before answering,
 * with none of the hub's logic: the floor this machine puts under any such hop, measured in the
 * same run. The hub does all of a call's work: connector auth,
 * the grant, the hub's signature, the provider's breaker, and the call log record acknowledged by
 * all in-sync replicas before the answer. A last step calls through the hub as a consumer without
 * a grant: refused and logged, the provider not asked, so it shows the hub's own cost and the call
 * log's without the forwarding.
 *
 * The hub, the proxy and the provider run as their own processes, so their CPU (utime + stime from
 * /proc/<pid>/stat) is counted apart from the load generator's; so is the broker's when it was
 * started here. The provider checks no signature, directly or through the hub, so every path asks
 * it for the same work.
 */
import { loadavg } from 'node:os';
import { Agent, request } from 'node:http';
import { startPopulationDb } from '../simulators/national/population-db.ts';
import { startHonestServiceProxy } from './honest-service-proxy.ts';
import { BENCH_ADMIN_TOKEN, register, residentMemoryMb, startBenchHub, type BenchHub } from './hub-process.ts';
import { cpuMicros, javaWith, machineTicks, startChild, type MachineTicks } from './proc.ts';
import { latencySummary, type LatencySummary } from './stats.ts';

const RATES = [200, 500];
const WARM_UP_SECONDS = 3;
/** A new broker and hub keep busy for a while (group joins, `__consumer_offsets`): the first step's idle figures wait for that. */
const SETTLE_SECONDS = 10;
/**
 * Then calls through the honest proxy and the hub in turn, unmeasured, at the top rate: a young
 * broker's JIT has not compiled its produce path yet (it spent 1,150–1,190 µs a call in the first
 * step that wrote to Kafka after the settling alone, 420–690 a few minutes later), and that step
 * would pay for it.
 */
const WARM_BROKER_SECONDS = 10;
const STEP_SECONDS = Number(process.env.BENCH_SERVICE_SECONDS ?? 10);
const SERVICE = 'population-lookup';
const CONSUMER = 'bench-motcua';
/** A consumer without a grant: its calls are refused and logged, the provider not asked (the hub's own cost). */
const UNGRANTED = 'bench-ungranted';
/** Trần Văn Đức of the simulator's fixture. */
const CITIZEN = '022078004512';
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface ServiceCallRow {
  scenario: string;
  perSecond: number;
  calls: number;
  achievedPerSecond: number;
  errors: number;
  /** The errors by status, or by error code when there was no answer. */
  errorsBy: Record<string, number>;
  latencyMs: LatencySummary;
  /** Through the hub or the honest proxy: its latency minus the direct one at the same rate. */
  addedMs?: { p50: number; p99: number };
  /** The machine's 1-minute load average as the step began (other work on it shows here). */
  loadAverage: number;
  /** How busy the machine's cores were over the step, all processes and the kernel: 100 is every core busy all the time. */
  machineBusyPercent: number;
  /** How much of the cores' time over the step the hypervisor gave to other machines. */
  machineStealPercent: number;
  /** CPU microseconds a call, per process; the hub's in a step it has no part in is its idle cost spread over the calls (so is the proxy's). */
  cpuUsPerCall: { hub: number; proxy: number; broker?: number; provider: number; loadGenerator: number };
  /** Calls of the step the hub counted, so the call log holds (a call is counted once its record is written): its count over the warm-up and the step, less the warm-up's calls answered as expected (the ones it counts under that outcome). */
  logged?: number;
  hubRssMb?: number;
}

interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The status every call should get. */
  readonly status: number;
  /** Through the hub: the call log outcome its calls are counted under. */
  readonly logged?: { readonly hub: BenchHub; readonly consumer: string; readonly outcome: string };
}

/** The processes whose CPU a step counts (the hub's and the proxy's in steps they have no part in too: their idle cost). */
type Pids = Readonly<{ hub: number; proxy: number; provider: number; broker: number | undefined }>;

/**
 * Runs every rate directly, through the honest proxy and through one hub on `brokers`, their
 * topics with `partitions` partitions; `brokerDataDir` finds the local broker's process, for its CPU.
 */
export async function benchServiceCalls(brokers: string, partitions: number, say: (line: string) => void, brokerDataDir?: string): Promise<ServiceCallRow[]> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const provider = await startChild(import.meta.url, 'servePopulationDb', [], /^http/);
    stops.push(provider.stop);
    const providerUrl = provider.printed.replace(/\/+$/, '');
    const proxy = await startHonestServiceProxy(brokers, partitions, providerUrl);
    stops.push(proxy.stop);
    const hub = await startBenchHub(brokers, `bench${Date.now()}.`, { LGSP_PARTITIONS: String(partitions) });
    stops.push(hub.stop);
    const pids: Pids = {
      hub: hub.child.pid!,
      proxy: proxy.pid,
      provider: provider.pid,
      broker: brokerDataDir ? await javaWith(['kafka.Kafka', brokerDataDir]) : undefined,
    };
    const tokens = await setUp(hub, providerUrl);
    const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'x-lgsp-officer': 'CB-0042', 'x-lgsp-purpose': 'identity-check' });
    const viaHub = `http://127.0.0.1:${hub.port}/v1/services/${SERVICE}/citizens/${CITIZEN}`;
    const direct: Target = { name: 'direct', url: `${providerUrl}/citizens/${CITIZEN}`, headers: headers(tokens.granted), status: 200 };
    const proxied: Target = {
      name: 'honest proxy',
      url: `http://127.0.0.1:${proxy.printed}/v1/services/${SERVICE}/citizens/${CITIZEN}`,
      headers: headers(tokens.granted),
      status: 200,
    };
    /** A consumer's calls through the hub, the status each gets and the call log outcome they are counted under. */
    const viaHubAs = (name: string, consumer: string, token: string, status: number, outcome: string): Target => ({
      name,
      url: viaHub,
      headers: headers(token),
      status,
      logged: { hub, consumer, outcome },
    });
    const forwarded = viaHubAs('through the hub', CONSUMER, tokens.granted, 200, 'answered');
    const refused = viaHubAs('hub, not granted', UNGRANTED, tokens.ungranted, 403, 'not-granted');
    const targets = [proxied, forwarded, refused];
    say(`data-sharing calls: letting the broker and the hub settle for ${SETTLE_SECONDS} s...`);
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    say(`data-sharing calls: warming the broker with calls through the proxy and the hub, ${WARM_BROKER_SECONDS} s each...`);
    for (const target of [proxied, forwarded]) {
      const warm = await paced(target, RATES.at(-1)!, WARM_BROKER_SECONDS);
      if (warm.calls > warm.latencies.length) say(`data-sharing calls: warming through ${target.name}: errors ${JSON.stringify(warm.errorsBy)}`);
    }
    const rows: ServiceCallRow[] = [];
    for (const perSecond of RATES) {
      const base = await step(direct, perSecond, pids, say);
      rows.push(base);
      for (const target of targets) {
        const row = await step(target, perSecond, pids, say);
        row.addedMs = { p50: row.latencyMs.p50 - base.latencyMs.p50, p99: row.latencyMs.p99 - base.latencyMs.p99 };
        rows.push(row);
      }
    }
    return rows;
  } finally {
    for (const stop of stops.reverse()) await stop();
    agent.destroy();
  }
}

/** The ministry, the provider and two consumer connectors, the service and a grant without quota to one; gives the consumers' tokens. */
async function setUp(hub: BenchHub, providerUrl: string): Promise<{ granted: string; ungranted: string }> {
  const base = `http://127.0.0.1:${hub.port}`;
  const asOperator = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  await asOperator('PUT', '/v1/agencies/000.00.00.G01', { code: '000.00.00.G01', name: 'Bộ Công an', level: 'central' });
  await register(hub.port, { id: 'bca-population', agency: '000.00.00.G01', kind: 'webhook', delivery: { signatureVersions: ['v2'] } });
  // The connector rate limit is not the subject here (LGSP_RATE_LIMIT is 50/s by default).
  const consumer = (id: string) => register(hub.port, { id, agency: '000.12.05.H49', kind: 'webhook', rateLimit: { perSecond: 2000 } });
  const tokens = { granted: await consumer(CONSUMER), ungranted: await consumer(UNGRANTED) };
  await asOperator('POST', '/v1/services', {
    id: SERVICE,
    provider: 'bca-population',
    endpoint: providerUrl,
    title: 'Tra cứu thông tin công dân (population database lookup)',
    version: '1.0.0',
    classification: 'personal',
    timeoutMs: 5_000,
  });
  await asOperator('POST', `/v1/services/${SERVICE}/grants`, { consumer: CONSUMER, purpose: 'identity-check' });
  return tokens;
}

/** A warm-up, then `STEP_SECONDS` of calls at `perSecond`, measured. */
async function step(target: Target, perSecond: number, pids: Pids, say: (line: string) => void): Promise<ServiceCallRow> {
  say(`data-sharing calls ${target.name}: ${perSecond}/s, ${WARM_UP_SECONDS} s warm-up then ${STEP_SECONDS} s...`);
  // Read before the warm-up: rendering /metrics costs the hub a few ms and allocates, which would
  // land on the first calls measured (the honest proxy is asked nothing of the kind).
  const loggedBefore = target.logged ? await loggedCalls(target.logged) : 0;
  const warmUp = await paced(target, perSecond, WARM_UP_SECONDS);
  const loadAverage = loadavg()[0]!;
  const before = await cpuOf(pids);
  const machineBefore = await machineTicks();
  const ownBefore = process.cpuUsage();
  const result = await paced(target, perSecond, STEP_SECONDS);
  const own = process.cpuUsage(ownBefore);
  const machineAfter = await machineTicks();
  const after = await cpuOf(pids);
  const errors = result.calls - result.latencies.length;
  const calls = result.calls;
  const perCall = Object.fromEntries(Object.entries(after).map(([name, micros]) => [name, Math.round((micros - before[name]!) / calls)]));
  return {
    scenario: `${target.name}, ${perSecond}/s`,
    perSecond,
    calls,
    achievedPerSecond: Math.round(calls / result.seconds),
    errors,
    errorsBy: result.errorsBy,
    latencyMs: latencySummary(result.latencies),
    loadAverage: Math.round(loadAverage * 10) / 10,
    machineBusyPercent: percentOf(machineBefore, machineAfter, 'busy'),
    machineStealPercent: percentOf(machineBefore, machineAfter, 'steal'),
    cpuUsPerCall: { ...(perCall as { hub: number; proxy: number; provider: number }), loadGenerator: Math.round((own.user + own.system) / calls) },
    ...(target.logged
      ? { logged: (await loggedCalls(target.logged)) - loggedBefore - warmUp.latencies.length, hubRssMb: await residentMemoryMb(target.logged.hub.port) }
      : {}),
  };
}

/**
 * Open loop: call `i` is due at `i / perSecond` s and leaves then (or as soon as the timer lets
 * it), whatever became of the earlier ones; its latency is from when it was due to its answer, or
 * from when it left if that was earlier (a call less than 1 ms from due leaves at once).
 * Gives the number of calls, the latencies of the answers with the target's status, the other
 * answers and failures as errors, and the seconds from the first call due to the last answer.
 */
async function paced(target: Target, perSecond: number, seconds: number) {
  const latencies: number[] = [];
  const errorsBy: Record<string, number> = {};
  const failed = (what: string) => void (errorsBy[what] = (errorsBy[what] ?? 0) + 1);
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const from = Math.min(due, performance.now());
    pending.push(
      get(target.url, target.headers).then(
        (status) => (status === target.status ? void latencies.push(performance.now() - from) : failed(String(status))),
        (err: unknown) => failed((err as { code?: string }).code ?? 'error'),
      ),
    );
  }
  await Promise.all(pending);
  return { calls: pending.length, latencies, errorsBy, seconds: (performance.now() - started) / 1000 };
}

/** A GET on the keep-alive agent; gives the status once the whole answer is read. */
function get(url: string, headers: Readonly<Record<string, string>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The hub's count of the consumer's calls with the outcome, from its /metrics (counted once the call log took the record). */
async function loggedCalls({ hub, consumer, outcome }: NonNullable<Target['logged']>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${hub.port}/metrics`)).text();
  const match = new RegExp(`^lgsp_service_calls_total\\{service="${SERVICE}",consumer="${consumer}",outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The share of the machine's CPU time between two readings that went to `part`, in percent. */
function percentOf(before: MachineTicks, after: MachineTicks, part: 'busy' | 'steal'): number {
  return Math.round((100 * (after[part] - before[part])) / (after.total - before.total));
}

/** CPU microseconds so far of each process of `pids` that is there. */
async function cpuOf(pids: Record<string, number | undefined>): Promise<Record<string, number>> {
  const known = Object.entries(pids).filter((entry): entry is [string, number] => entry[1] !== undefined);
  return Object.fromEntries(await Promise.all(known.map(async ([name, pid]) => [name, await cpuMicros(pid)] as const)));
}

/** The population database, in the process the bench starts for it (`startChild`); gives its URL. It checks no signature. */
export async function servePopulationDb(): Promise<string> {
  return (await startPopulationDb()).url;
}

/** The rows as a table on stdout. */
export function printServiceCalls(rows: readonly ServiceCallRow[]): void {
  const pad = (v: unknown, n: number) => String(v ?? '').padStart(n);
  const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1));
  console.log(
    '\nData-sharing calls (GET a citizen), paced open-loop; latency from when each call was due (or left, if earlier); CPU µs per call (hub µs and proxy µs of a row they have no part in: their idle cost)',
  );
  console.log(
    `${'scenario'.padEnd(26)} ${pad('calls', 6)} ${pad('calls/s', 8)} ${pad('errors', 6)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('max ms', 7)} ${pad('+p50', 6)} ${pad('+p99', 6)} ${pad('hub µs', 7)} ${pad('proxy µs', 8)} ${pad('broker µs', 9)} ${pad('prov µs', 7)} ${pad('logged', 6)} ${pad('RSS MB', 6)} ${pad('busy %', 6)} ${pad('steal %', 7)} ${pad('load', 5)}`,
  );
  for (const r of rows) {
    const l = r.latencyMs;
    console.log(
      `${r.scenario.padEnd(26)} ${pad(r.calls, 6)} ${pad(r.achievedPerSecond, 8)} ${pad(r.errors, 6)} ${pad(ms(l.p50), 7)} ${pad(ms(l.p99), 7)} ${pad(ms(l.max), 7)} ${pad(ms(r.addedMs?.p50), 6)} ${pad(ms(r.addedMs?.p99), 6)} ${pad(r.cpuUsPerCall.hub, 7)} ${pad(r.cpuUsPerCall.proxy, 8)} ${pad(r.cpuUsPerCall.broker, 9)} ${pad(r.cpuUsPerCall.provider, 7)} ${pad(r.logged, 6)} ${pad(r.hubRssMb, 6)} ${pad(r.machineBusyPercent, 6)} ${pad(r.machineStealPercent, 7)} ${pad(r.loadAverage, 5)}`,
    );
  }
  for (const r of rows) if (r.errors > 0) console.log(`${r.scenario}: errors by status ${JSON.stringify(r.errorsBy)}`);
}
