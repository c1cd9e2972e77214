/**
 * `npm run kafka`: a local broker for development, until Ctrl-C. `npm run kafka -- --secure`: a
 * SASL_SSL one with SCRAM users and ACLs (storage in `<LGSP_DATA_DIR>/kafka-secure`); it prints
 * the variables a hub needs to talk to it as `hub`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { startLocalBroker } from './local-broker.ts';

const { values } = parseArgs({ options: { secure: { type: 'boolean', default: false } } });
const config = loadConfig();
const broker = await startLocalBroker({
  dataDir: join(config.dataDir, values.secure ? 'kafka-secure' : 'kafka'),
  cacheDir: config.cacheDir,
  kafkaHome: config.kafkaHome,
  ...(values.secure ? { secure: { topicPrefix: config.topicPrefix } } : {}),
});
const lines = [`KAFKA_BROKERS=${broker.brokers.join(',')}`];
if (broker.security) {
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
process.stdout.write(`${lines.join('\n')}\nPress Ctrl-C to stop the broker.\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write('[kafka] Stopping the broker...\n');
    void broker.stop().then(() => process.exit(0));
  });
}
