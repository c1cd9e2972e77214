/**
 * The composition root: one hub process wired from its parts. `main.ts` runs it for real;
 * integration tests start it in-process on port 0 against the test broker.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from './config/config.ts';
import { createApp } from './http/app.ts';
import { createKafka } from './kafka/client.ts';
import { KafkaUnreachableError } from './kafka/kafka-unreachable-error.ts';
import { probeCluster } from './kafka/probe.ts';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from './kafka/topics.ts';
import type { Logger } from './ops/logger.ts';
import { Metrics } from './ops/metrics.ts';
import { Readiness, kafkaCheck } from './ops/readiness.ts';

export interface Hub {
  readonly url: string;
  readonly topics: TopicNames;
  readonly metrics: Metrics;
  /** Stops taking requests, then closes Kafka clients. Safe to call twice. */
  close(): Promise<void>;
}

export async function startHub(config: HubConfig, brokers: readonly string[], logger: Logger): Promise<Hub> {
  const brokerCount = await assertReachable(brokers);
  const kafka = createKafka(brokers, 'lgsp-hub', logger);
  const admin = kafka.admin();
  await admin.connect();

  const topics = topicNames(config.topicPrefix, config.retryTiersMs);
  const replicationFactor = config.replicationFactor ?? Math.min(3, brokerCount);
  const created = await ensureTopics(admin, topicSpecs(topics, { partitions: config.partitions, replicationFactor }));
  if (created.length > 0) logger.info({ topics: created, partitions: config.partitions, replicationFactor }, 'created topics');

  const metrics = new Metrics();
  const readiness = new Readiness();
  readiness.add('kafka', kafkaCheck(admin));
  const app = createApp({ metrics, readiness });
  const server = await listen(app, config.host, config.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, brokers }, 'hub listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((res) => server.close(() => res()));
      await admin.disconnect();
    })());
  return { url, topics, metrics, close };
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
