/**
 * A broker owned by one test file, for tests that stop or restart it (the shared test broker must
 * stay up for everyone else). Fresh storage; `stop()` removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { startLocalBroker, type LocalBroker, type LocalBrokerOptions } from '../../src/kafka/local-broker.ts';

export interface OwnBroker {
  readonly current: LocalBroker;
  /** Starts it again on the same storage and ports (the hub's KAFKA_BROKERS stay right). */
  restart(): Promise<void>;
  /** Stops it and deletes its storage. */
  stop(): Promise<void>;
}

/** `secure`: a SASL_SSL broker with SCRAM users and ACLs (`current.security` has its CA and passwords). */
export async function startOwnBroker(options: Pick<LocalBrokerOptions, 'secure'> = {}): Promise<OwnBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-own-'));
  const start = (ports?: LocalBroker['ports']) =>
    startLocalBroker({ dataDir, cacheDir: jarsCacheDir(), say: () => undefined, ...options, ...(ports ? { ports } : {}) });
  let current = await start();
  return {
    get current() {
      return current;
    },
    restart: async () => {
      await current.stop();
      current = await start(current.ports);
    },
    stop: async () => {
      await current.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the broker's jars are cached, as the hub would find it. Read from the cache variables only:
 * the rest of the environment may describe another cluster (LGSP_TEST_KAFKA_SECURE=1 sets KAFKA_*).
 */
export function jarsCacheDir(): string {
  return loadConfig({ LGSP_CACHE_DIR: process.env.LGSP_CACHE_DIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME }).cacheDir;
}
