/**
 * The composition root: one hub process wired from its parts. `main.ts` runs it for real;
 * integration tests start it in-process on port 0 against the test broker.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from './config/config.ts';
import { SchemaSet } from './contract/schema-set.ts';
import { createApp } from './http/app.ts';
import { DedupeStore } from './ingest/dedupe-store.ts';
import { IngestMetrics } from './ingest/ingest-metrics.ts';
import { IngressWriter } from './ingest/ingress-writer.ts';
import { MessageIntake } from './ingest/message-intake.ts';
import { messagesRoute } from './ingest/messages-route.ts';
import { createKafka } from './kafka/client.ts';
import { KafkaUnreachableError } from './kafka/kafka-unreachable-error.ts';
import { probeCluster } from './kafka/probe.ts';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from './kafka/topics.ts';
import type { Logger } from './ops/logger.ts';
import { Metrics } from './ops/metrics.ts';
import { Readiness, kafkaCheck } from './ops/readiness.ts';
import { AgencyDirectory } from './registry/agency-directory.ts';
import { StaticCredentialStore, type CredentialStore } from './registry/connector-credentials.ts';

export interface Hub {
  readonly url: string;
  readonly topics: TopicNames;
  readonly metrics: Metrics;
  /** Stops taking requests, then closes Kafka clients. Safe to call twice. */
  close(): Promise<void>;
}

/** Parts a caller may hand in instead of having them loaded from the configured files. */
export interface HubParts {
  credentials?: CredentialStore;
  directory?: AgencyDirectory;
}

export async function startHub(config: HubConfig, brokers: readonly string[], logger: Logger, parts: HubParts = {}): Promise<Hub> {
  const instanceId = randomUUID();
  const schemas = await SchemaSet.load();
  const directory = parts.directory ?? AgencyDirectory.from(JSON.parse(await readFile(config.agenciesFile, 'utf8')));
  const credentials = parts.credentials ?? (await loadCredentials(config, logger));

  const brokerCount = await assertReachable(brokers);
  const kafka = createKafka(brokers, 'lgsp-hub', logger);
  const admin = kafka.admin();
  await admin.connect();
  const topics = topicNames(config.topicPrefix, config.retryTiersMs);
  const replicationFactor = config.replicationFactor ?? Math.min(3, brokerCount);
  const layout = { partitions: config.partitions, replicationFactor, maxMessageBytes: 2 * config.maxBodyBytes + 1024 * 1024, dedupeWindowMs: config.dedupeWindowMs };
  const created = await ensureTopics(admin, topicSpecs(topics, layout));
  if (created.length > 0) logger.info({ topics: created, partitions: config.partitions, replicationFactor }, 'created topics');

  const dedupe = new DedupeStore({ windowMs: config.dedupeWindowMs, maxEntries: config.dedupeMaxEntries });
  await dedupe.load(kafka, topics.dedupe, `${config.topicPrefix}dedupe-view-${instanceId}`);
  logger.info({ entries: dedupe.size }, 'dedupe store loaded');
  const writer = new IngressWriter(createKafka(brokers, 'lgsp-hub-ingest', logger, { failFast: true }), logger);
  await writer.connect();

  const metrics = new Metrics();
  const readiness = new Readiness();
  readiness.add('kafka', kafkaCheck(admin));
  const intake = new MessageIntake({ schemas, directory: () => directory, dedupe, writer, topics, metrics: new IngestMetrics(metrics) });
  const routers = [messagesRoute({ intake, credentials: () => credentials, maxBodyBytes: config.maxBodyBytes, maxBatchSize: config.maxBatchSize })];
  const app = createApp({ metrics, readiness, logger, routers });
  const server = await listen(app, config.host, config.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, brokers }, 'hub listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((res) => server.close(() => res()));
      server.closeAllConnections();
      await Promise.allSettled([writer.close(), dedupe.close(), admin.disconnect()]);
    })());
  return { url, topics, metrics, close };
}

async function loadCredentials(config: HubConfig, logger: Logger): Promise<CredentialStore> {
  if (config.connectorsFile) return StaticCredentialStore.fromFile(config.connectorsFile);
  logger.warn('LGSP_CONNECTORS_FILE is not set: no connector can send messages yet');
  return new StaticCredentialStore([]);
}

async function assertReachable(brokers: readonly string[]): Promise<number> {
  try {
    return (await probeCluster(brokers)).brokerCount;
  } catch (err) {
    throw new KafkaUnreachableError(brokers, err);
  }
}

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise((res, rej) => {
    const server = app.listen(port, host, (err?: Error) => (err ? rej(err) : res(server)));
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => socket.setNoDelay(true));
  });
}
