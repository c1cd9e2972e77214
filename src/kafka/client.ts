/** The kafkajs clients of a hub process, logging through pino. */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../ops/logger.ts';
import { kafkaSecurityOptions, type KafkaCluster } from './kafka-security.ts';
import './kafkajs-paused-fetch-wait.ts';
import './kafkajs-pooled-encoder.ts';
import './kafkajs-read-committed.ts';
import './kafkajs-request-queue.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs messages that describe normal operation, which it logs as errors or warnings: a new
 * transaction that starts while the broker still completes the previous one (retried at once), and
 * the hub's deliberate short retry budget on the paths where a caller waits (ingest answers 503).
 */
const ROUTINE = [/concurrent operation on the same transaction/, /Limiting retries for the idempotent producer/, /switched default partitioner/];

/**
 * Every client made here speaks the cluster's TLS and SASL settings.
 * `failFast`: a short retry budget, for paths where a caller waits (HTTP ingest answers 503 instead).
 * Both start retrying within tens of milliseconds: the usual retriable answer is a transaction
 * coordinator finishing the previous commit, which takes about that long.
 */
export function createKafka({ brokers, security }: KafkaCluster, clientId: string, logger: Logger, { failFast = false } = {}): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    brokers: [...brokers],
    clientId,
    ...kafkaSecurityOptions(security),
    connectionTimeout: failFast ? 1_000 : 3_000,
    ...(failFast ? { requestTimeout: 5_000 } : {}),
    retry: failFast ? { retries: 7, initialRetryTime: 10, maxRetryTime: 800 } : { retries: 12, initialRetryTime: 10, maxRetryTime: 10_000 },
    // kafkajs logs at INFO things like every group join; keep its WARN and above.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        const routine = ROUTINE.some((r) => r.test(message) || r.test(String(fields.error ?? '')));
        log[routine ? 'debug' : (LEVELS[level] ?? 'info')](fields, message);
      },
  });
}
