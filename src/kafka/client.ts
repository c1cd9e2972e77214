/** The one kafkajs client of a hub process, logging through pino. */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../ops/logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** `failFast`: a short retry budget, for paths where a caller waits (HTTP ingest answers 503 instead). */
export function createKafka(brokers: readonly string[], clientId: string, logger: Logger, { failFast = false } = {}): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    brokers: [...brokers],
    clientId,
    connectionTimeout: failFast ? 1_000 : 3_000,
    ...(failFast ? { requestTimeout: 5_000, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } } : {}),
    // kafkajs logs at INFO things like every group join; keep its WARN and above.
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }: LogEntry) => {
      const { message, ...fields } = entry;
      log[LEVELS[level] ?? 'info'](fields, message);
    },
  });
}
