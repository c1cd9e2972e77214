/**
 * `npm run kafka`: a local broker for development, until Ctrl-C. `npm run kafka -- --secure`: a
 * SASL_SSL one with SCRAM users and ACLs (storage in `<LGSP_DATA_DIR>/kafka-secure`); it prints
 * the variables a hub needs to talk to it as `hub`. `npm run kafka -- --brokers 3`: a cluster of
 * three (replication factor 3, min.insync.replicas 2; storage in `<LGSP_DATA_DIR>/kafka-cluster-3`).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { startLocalBroker, type LocalBroker } from './local-broker.ts';
import { startLocalCluster, type LocalCluster } from './local-cluster.ts';

const { values } = parseArgs({ options: { secure: { type: 'boolean', default: false }, brokers: { type: 'string', default: '1' } } });
const size = Number(values.brokers);
if (!Number.isInteger(size) || size < 1 || size > 9)
  fail(`--brokers takes a whole number from 1 to 9 (3 survives the loss of one broker); got "${values.brokers}".`);
if (size > 1 && values.secure) fail('--secure runs one broker only: drop --brokers, or drop --secure for a plaintext cluster.');
const config = loadConfig();
const broker: LocalBroker | LocalCluster =
  size > 1
    ? await startLocalCluster({ dataDir: join(config.dataDir, `kafka-cluster-${size}`), cacheDir: config.cacheDir, kafkaHome: config.kafkaHome, size })
    : await startLocalBroker({
        dataDir: join(config.dataDir, values.secure ? 'kafka-secure' : 'kafka'),
        cacheDir: config.cacheDir,
        kafkaHome: config.kafkaHome,
        ...(values.secure ? { secure: { topicPrefix: config.topicPrefix } } : {}),
      });
const lines = [`KAFKA_BROKERS=${broker.brokers.join(',')}`];
if ('security' in broker && broker.security) {
  const { caFile, mechanism, passwords, protocol } = broker.security;
  lines.push(
    `KAFKA_SECURITY_PROTOCOL=${protocol}`,
    `KAFKA_SASL_MECHANISM=${mechanism}`,
    'KAFKA_SASL_USERNAME=hub',
    `KAFKA_SASL_PASSWORD=${passwords.hub}`,
    `KAFKA_SSL_CA_FILE=${caFile}`,
    `LGSP_TOPIC_PREFIX=${config.topicPrefix}`,
  );
}
process.stdout.write(`${lines.join('\n')}\nPress Ctrl-C to stop the ${size > 1 ? 'cluster' : 'broker'}.\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`[kafka] Stopping the ${size > 1 ? 'cluster' : 'broker'}...\n`);
    void broker.stop().then(() => process.exit(0));
  });
}

function fail(message: string): never {
  process.stderr.write(`[kafka] ${message}\n`);
  process.exit(2);
}
