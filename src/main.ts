/**
 * `npm start`: the hub process. Without KAFKA_BROKERS it starts a local single-node Kafka first
 * and says so; without LGSP_SECRETS_KEY too (only allowed then), it keeps the registry's secrets
 * key in the data folder and says so. SIGINT/SIGTERM stop the hub, then the broker.
 */
import { join } from 'node:path';
import { loadConfig, type HubConfig } from './config/config.ts';
import { ConfigError } from './config/config-error.ts';
import { startHub, type Hub } from './hub.ts';
import type { KafkaCluster } from './kafka/kafka-security.ts';
import { KafkaSecurityError } from './kafka/kafka-security-error.ts';
import { KafkaUnreachableError } from './kafka/kafka-unreachable-error.ts';
import { startLocalBroker, type LocalBroker } from './kafka/local-broker.ts';
import { LocalBrokerError } from './kafka/local-broker-error.ts';
import { probeCluster } from './kafka/probe.ts';
import { fixHeapGrowing } from './ops/heap-growing.ts';
import { createLogger } from './ops/logger.ts';
import { localSecretsKey } from './secrets/local-key.ts';
import { SecretsError } from './secrets/secret-box.ts';

fixHeapGrowing();
let config: HubConfig;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78); // EX_CONFIG
}
const logger = createLogger(config);
let broker: LocalBroker | undefined;
let hub: Hub | undefined;

async function stop(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  await hub?.close().catch((err: Error) => logger.error({ err }, 'hub did not close cleanly'));
  await broker?.stop();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));

try {
  let brokers = config.kafkaBrokers;
  if (!brokers) {
    logger.info('KAFKA_BROKERS is not set: starting a local single-node Apache Kafka (KRaft) for this hub');
    broker = await startLocalBroker({ dataDir: join(config.dataDir, 'kafka'), cacheDir: config.cacheDir, kafkaHome: config.kafkaHome });
    brokers = broker.brokers;
  }
  if (!config.secretsKeys) {
    const local = await localSecretsKey(config.dataDir);
    logger.info(
      `LGSP_SECRETS_KEY is not set: ${local.created ? 'made' : 'using'} this local hub's secrets key ${local.file} (set LGSP_SECRETS_KEY for a real deployment)`,
    );
    config = Object.freeze({ ...config, secretsKeys: Object.freeze({ current: local.key, old: [] }) });
  }
  // Every client the hub makes for these brokers speaks KAFKA_SECURITY_PROTOCOL.
  const cluster = { brokers, security: config.kafkaSecurity };
  await stopOnRefusedCredentials(cluster);
  hub = await startHub(config, cluster, logger);
  logger.info(`ready: ${hub.url}/readyz, metrics at ${hub.url}/metrics`);
} catch (err) {
  if (err instanceof KafkaUnreachableError || err instanceof LocalBrokerError) {
    logger.fatal(err.message);
    await broker?.stop();
    process.exit(69); // EX_UNAVAILABLE
  }
  if (err instanceof SecretsError) {
    // A registry record this hub's secrets keys cannot open: a configuration problem, one line.
    process.stderr.write(`${err.message}\n`);
    await broker?.stop();
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

/**
 * A wrong password or an untrusted certificate is a configuration problem: one line, exit 78,
 * before anything is created or written. (An unreachable cluster is left to `startHub`.)
 */
async function stopOnRefusedCredentials(cluster: KafkaCluster): Promise<void> {
  if (config.kafkaSecurity.protocol === 'PLAINTEXT') return;
  try {
    await probeCluster(cluster);
  } catch (err) {
    if (!(err instanceof KafkaSecurityError)) return;
    process.stderr.write(`${err.message}\n`);
    await broker?.stop();
    process.exit(78); // EX_CONFIG
  }
}
