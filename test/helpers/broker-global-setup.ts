/**
 * Starts one real Kafka broker for the integration run (or uses KAFKA_BROKERS) and hands its
 * address to the tests through `inject('kafkaBrokers')`. The broker's storage is fresh each run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/config.ts';
import { startLocalBroker, type LocalBroker } from '../../src/kafka/local-broker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

let broker: LocalBroker | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const config = loadConfig();
  if (config.kafkaBrokers) {
    project.provide('kafkaBrokers', config.kafkaBrokers.join(','));
    return;
  }
  dataDir = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-'));
  broker = await startLocalBroker({ dataDir, cacheDir: config.cacheDir, kafkaHome: config.kafkaHome });
  project.provide('kafkaBrokers', broker.brokers.join(','));
}

export async function teardown(): Promise<void> {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
