/**
 * `npm run demo`: the hub with a local Kafka broker and a whole demo province (Quảng Ninh) of
 * simulated agency systems, playing a story an integrator recognises (`script.ts`), one printed
 * line per event. Then the traces, the URLs of `/metrics` and `/console` and the operator token;
 * the hub keeps running until Ctrl-C, or stops at once with `--once` (exit 0 when every step of the
 * script happened, 1 with the step that did not).
 *
 * The broker is started here (storage `.lgsp/demo-kafka`, fresh each run) unless KAFKA_BROKERS
 * points at one. Topics get a prefix of their own per run (`demo.<time>.`), so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../src/config/config-error.ts';
import { loadConfig, type HubConfig } from '../src/config/config.ts';
import { startHub, type Hub } from '../src/hub.ts';
import { KafkaUnreachableError } from '../src/kafka/kafka-unreachable-error.ts';
import { LocalBrokerError } from '../src/kafka/local-broker-error.ts';
import { startLocalBroker, type LocalBroker } from '../src/kafka/local-broker.ts';
import { fixHeapGrowing } from '../src/ops/heap-growing.ts';
import { HubApi } from './hub-api.ts';
import { hubLogFile } from './hub-log.ts';
import { Narrator } from './narrator.ts';
import { DEMO_RETRY_TIERS, DIRECTORY_FILE } from './province.ts';
import { Script, StepTimeout, type Traced } from './script.ts';
import { DemoProvince } from './systems.ts';

// The hub runs in this process: V8 settings as `npm start` gives it (src/main.ts).
fixHeapGrowing();
const once = process.argv.slice(2).includes('--once');
const narrator = new Narrator();

let config: HubConfig;
try {
  config = loadConfig({
    ...process.env,
    PORT: process.env.PORT ?? '8080',
    LGSP_TOPIC_PREFIX: `demo.${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.`,
    LGSP_RETRY_TIERS: DEMO_RETRY_TIERS,
    LGSP_ADMIN_TOKEN: process.env.LGSP_ADMIN_TOKEN ?? `demo-${randomBytes(12).toString('hex')}`,
    // The demo's registry is thrown away after the run: a key for this run only.
    LGSP_SECRETS_KEY: process.env.LGSP_SECRETS_KEY ?? randomBytes(32).toString('base64'),
    LGSP_AGENCIES_FILE: undefined, // the demo loads its directory through the operator API
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78); // EX_CONFIG
}

let broker: LocalBroker | undefined;
let hub: Hub | undefined;
let province: DemoProvince | undefined;
let stopping: Promise<void> | undefined;

/** Simulators, then the hub, then the broker. Safe to call twice. */
function stopAll(): Promise<void> {
  return (stopping ??= (async () => {
    await province?.stop().catch(() => undefined);
    await hub?.close().catch((err: Error) => process.stderr.write(`the hub did not close cleanly: ${err.message}\n`));
    await broker?.stop();
  })());
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    narrator.line();
    narrator.say(`${signal}: stopping the simulators, the hub and the broker...`);
    void stopAll().then(() => process.exit(0));
  });
}

try {
  narrator.heading('Starting: Kafka, the hub, the demo province');
  let brokers = config.kafkaBrokers;
  if (brokers) {
    narrator.note('kafka', `using KAFKA_BROKERS=${brokers.join(',')}`);
  } else {
    const dataDir = join(config.dataDir, 'demo-kafka');
    await rm(dataDir, { recursive: true, force: true });
    broker = await startLocalBroker({ dataDir, cacheDir: config.cacheDir, kafkaHome: config.kafkaHome, say: (line) => narrator.note('kafka', line) });
    brokers = broker.brokers;
  }
  const log = await hubLogFile(config, join(config.dataDir, 'demo-hub.log'));
  hub = await startHub(config, { brokers, security: config.kafkaSecurity }, log.logger);
  narrator.note(
    'hub',
    `listening on ${hub.url} (topics ${config.topicPrefix}*, retry tiers ${DEMO_RETRY_TIERS}; its log, LOG_LEVEL=${config.logLevel}: ${log.file})`,
  );

  const api = new HubApi(hub.url, config.adminToken);
  const imported = await api.importAgencies(await readFile(DIRECTORY_FILE, 'utf8'));
  narrator.useNames(await api.agencyNames());
  narrator.note('directory', `${imported} agencies of ${DIRECTORY_FILE} imported through POST /v1/agencies:import`);
  province = await DemoProvince.start(api, narrator);
  province.observe();

  const traced = await new Script(api, province, narrator).play();
  await printEnding(api, traced, config.adminToken);

  if (once) {
    narrator.line();
    narrator.say('--once: every step happened; stopping the simulators, the hub and the broker.');
    await stopAll();
    process.exit(0);
  }
  narrator.line();
  narrator.say('The hub and the province keep running. Ctrl-C stops everything.');
} catch (err) {
  narrator.line();
  if (err instanceof StepTimeout) narrator.line(`✗ demo failed: ${err.message}`);
  else if (err instanceof KafkaUnreachableError || err instanceof LocalBrokerError) narrator.line(`✗ Kafka is not available: ${err.message}`);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
    narrator.line(`✗ port ${config.port} is in use: run with PORT=<another port> (PORT=0: any free port)`);
  else narrator.line(`✗ demo failed: ${(err as Error).stack ?? String(err)}`);
  await stopAll();
  process.exit(err instanceof KafkaUnreachableError || err instanceof LocalBrokerError ? 69 : 1);
}

async function printEnding(api: HubApi, traced: readonly Traced[], token: string): Promise<void> {
  narrator.heading('Traces (GET /v1/messages/{id} with the operator token)');
  for (const t of traced) {
    const trace = await api.trace(t.path);
    narrator.line(`  ${t.label.padEnd(24)} ${t.path}  ${trace.summary}`);
    for (const r of trace.recipients) {
      const attempts = r.attempts > 1 ? ` after ${r.attempts} attempts` : '';
      const status = r.businessStatus ? `, status ${r.businessStatus.code} ${r.businessStatus.name ?? ''}` : '';
      narrator.line(`      ${r.connector.padEnd(20)} ${narrator.name(r.agency).padEnd(38)} ${r.state}${attempts}${status}`);
    }
    for (const code of trace.unreachable) narrator.line(`      ${'(no connector)'.padEnd(20)} ${narrator.name(code).padEnd(38)} unreachable`);
  }
  narrator.heading('The hub');
  const consoleNote = (await api.serves('/console')) ? '' : '  (not served by this build)';
  narrator.line(`  metrics         ${api.url}/metrics`);
  narrator.line(`  console         ${api.url}/console${consoleNote}`);
  narrator.line(`  operator token  ${token}`);
  narrator.line(`  a trace         curl -H "Authorization: Bearer ${token}" ${api.url}${traced[0]?.path ?? '/v1/messages/<id>'}`);
}
