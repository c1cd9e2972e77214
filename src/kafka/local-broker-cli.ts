/** `npm run kafka`: a local broker for development, until Ctrl-C. */
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { startLocalBroker } from './local-broker.ts';

const config = loadConfig();
const broker = await startLocalBroker({ dataDir: join(config.dataDir, 'kafka'), cacheDir: config.cacheDir, kafkaHome: config.kafkaHome });
process.stdout.write(`KAFKA_BROKERS=${broker.brokers.join(',')}\nPress Ctrl-C to stop the broker.\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write('[kafka] Stopping the broker...\n');
    void broker.stop().then(() => process.exit(0));
  });
}
