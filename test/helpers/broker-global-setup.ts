/**
 * Starts one real Kafka broker for the integration run (or uses KAFKA_BROKERS) and hands its
 * address to the tests through `inject('kafkaBrokers')`. The broker's storage is fresh each run.
 *
 * LGSP_TEST_KAFKA_SECURE=1 starts it secured (SASL_SSL, SCRAM, ACLs for the test prefix `t-`):
 * `inject('kafkaSecurity')` then gives the hub's and the operator's client security, and the
 * variables a hub process needs are set in the environment the test workers inherit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/config.ts';
import type { KafkaSecurity } from '../../src/kafka/kafka-security.ts';
import { startLocalBroker, type LocalBroker } from '../../src/kafka/local-broker.ts';

export interface TestKafkaSecurity {
  /** What a hub under test speaks: SASL_SSL as `hub`. */
  readonly hub: KafkaSecurity;
  /** What the tests' own clients speak: SASL_SSL as `broker`, the super user. */
  readonly operator: KafkaSecurity;
  readonly passwords: Readonly<Record<string, string>>;
  readonly caFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** null over a plaintext broker. */
    kafkaSecurity: TestKafkaSecurity | null;
  }
}

/** Test hubs use topic prefixes `t-<random>.` (`testConfig`); the secured broker grants `hub` that prefix. */
export const TEST_TOPIC_PREFIX = 't-';

let broker: LocalBroker | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // KAFKA_BROKERS (a cluster of the user's) and the jars' cache; a test hub brings its own secrets key.
  const config = loadConfig({ ...process.env, LGSP_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64') });
  project.provide('kafkaSecurity', null);
  if (config.kafkaBrokers) {
    project.provide('kafkaBrokers', config.kafkaBrokers.join(','));
    return;
  }
  const secure = process.env.LGSP_TEST_KAFKA_SECURE === '1';
  dataDir = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-'));
  broker = await startLocalBroker({
    dataDir,
    cacheDir: config.cacheDir,
    kafkaHome: config.kafkaHome,
    ...(secure ? { secure: { topicPrefix: TEST_TOPIC_PREFIX } } : {}),
  });
  project.provide('kafkaBrokers', broker.brokers.join(','));
  if (broker.security) {
    const { security } = broker;
    project.provide('kafkaSecurity', { hub: security.as('hub'), operator: security.as('broker'), passwords: security.passwords, caFile: security.caFile });
    // Hub processes (test/helpers/hub-process.ts) inherit these.
    Object.assign(process.env, {
      KAFKA_SECURITY_PROTOCOL: security.protocol,
      KAFKA_SASL_MECHANISM: security.mechanism,
      KAFKA_SASL_USERNAME: 'hub',
      KAFKA_SASL_PASSWORD: security.passwords.hub,
      KAFKA_SSL_CA_FILE: security.caFile,
      KAFKA_BROKERS: broker.brokers.join(','),
    });
  }
}

export async function teardown(): Promise<void> {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
