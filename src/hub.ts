/**
 * The composition root: one hub process wired from its parts. `main.ts` runs it for real;
 * integration tests start it in-process on port 0 against the test broker.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from './config/config.ts';
import { SchemaSet } from './contract/schema-set.ts';
import { createApp } from './http/app.ts';
import { RateLimits } from './http/rate-limits.ts';
import { requestSignatures } from './http/request-signature.ts';
import { closeServer, listen } from './http/server.ts';
import { DedupeStore } from './ingest/dedupe-store.ts';
import { IngestMetrics } from './ingest/ingest-metrics.ts';
import { IngressWriter } from './ingest/ingress-writer.ts';
import { MessageIntake } from './ingest/message-intake.ts';
import { messagesRoutes } from './ingest/messages-route.ts';
import { createKafka } from './kafka/client.ts';
import { KafkaUnreachableError } from './kafka/kafka-unreachable-error.ts';
import { probeCluster } from './kafka/probe.ts';
import { alignRecordsRetention, allTopics, ensureTopics, topicNames, topicSpecs, type TopicNames } from './kafka/topics.ts';
import type { Logger } from './ops/logger.ts';
import { registerConsumerLag } from './ops/consumer-lag.ts';
import { Metrics } from './ops/metrics.ts';
import { Readiness, kafkaCheck } from './ops/readiness.ts';
import { withLifecycle } from './lifecycle.ts';
import { ADAPTERS } from '../connectors/index.ts';
import { OutboundPolicy } from '../connectors/kit/outbound-policy.ts';
import type { AgencyRecord } from './contract/schema-set.ts';
import { DeadLetterWriter } from './delivery/dead-letters.ts';
import { consoleRoutes } from './console/console-route.ts';
import { inboundRoutes } from './ingest/inbound-route.ts';
import { PollSupervisor } from './ingest/poll-supervisor.ts';
import { agenciesRoutes } from './registry/agencies-route.ts';
import { ConnectorKinds } from './registry/connector-kinds.ts';
import { connectorsRoutes } from './registry/connectors-route.ts';
import { RegistryStore } from './registry/registry-store.ts';
import { policiesRoutes } from './policy/policies-route.ts';
import { ServiceCatalogue } from './services/catalogue.ts';
import { servicesRoutes } from './services/services-route.ts';
import { SendingRights } from './policy/sending-rights.ts';
import { ConnectorSealing } from './registry/connector-record.ts';
import { SecretBox } from './secrets/secret-box.ts';
import { secretsRoutes } from './secrets/secrets-route.ts';
import { HubKeys } from './registry/hub-keys.ts';
import { hubKeysRoutes } from './registry/hub-keys-route.ts';
import { writeAgencies } from './registry/write-agencies.ts';
import { HubError } from './contract/problems.ts';
import { DeadLetterReplayer } from './delivery/dead-letter-replay.ts';
import { DeadLetterView, registerDeadLetterGauge } from './delivery/dead-letter-view.ts';
import { deadLettersRoutes } from './delivery/dead-letters-route.ts';
import { DeliveryMetrics } from './delivery/delivery-metrics.ts';
import { DeliveryWorker } from './delivery/delivery-worker.ts';
import { HoldStore } from './delivery/holds.ts';
import { Senders } from './delivery/senders.ts';
import { Router } from './routing/router.ts';
import { messagesTraceRoutes } from './tracking/messages-trace-route.ts';
import { TraceView } from './tracking/trace-view.ts';
import { auditRoutes } from './operators/audit-route.ts';
import { AuditTrail } from './operators/audit-trail.ts';
import { AuditChain } from './tracking/chain.ts';
import { auditVerifyRoutes } from './tracking/audit-verify-route.ts';
import { AuditView } from './operators/audit-view.ts';
import { CallLogView } from './services/call-log-view.ts';
import { callsRoutes } from './services/calls-route.ts';
import { CallLog } from './services/call-log.ts';
import { ProviderLanes } from './services/provider-lanes.ts';
import { ServiceCalls } from './services/service-call.ts';
import { serviceCallRoutes } from './services/service-call-route.ts';
import { ServiceMetrics } from './services/service-metrics.ts';
import { OperatorAccounts } from './operators/operator-accounts.ts';
import { operatorsRoutes } from './operators/operators-route.ts';
import type { KafkaCluster } from './kafka/kafka-security.ts';
import type { ConnectorIdentity } from './registry/connector-credentials.ts';

export interface Hub {
  readonly url: string;
  readonly topics: TopicNames;
  readonly metrics: Metrics;
  /** The hash chains of the records topics; the hub's writers of `events` and `audit` use it. */
  readonly auditChain: AuditChain;
  /** Stops taking requests, then closes Kafka clients. Safe to call twice. */
  close(): Promise<void>;
}

export async function startHub(config: HubConfig, cluster: KafkaCluster, logger: Logger): Promise<Hub> {
  const instanceId = randomUUID();
  const schemas = await SchemaSet.load();
  const kinds = new ConnectorKinds(ADAPTERS, schemas, config.retryTiersMs, new OutboundPolicy(config.outboundAllow));
  // loadConfig requires the key with an external cluster; main.ts makes a local one otherwise.
  if (!config.secretsKeys) throw new Error('startHub needs config.secretsKeys: set LGSP_SECRETS_KEY (openssl rand -base64 32).');
  const secretBox = new SecretBox(config.secretsKeys);
  const brokerCount = await assertReachable(cluster);
  return withLifecycle(logger, async (life) => {
    const kafka = createKafka(cluster, 'lgsp-hub', logger);
    const admin = await life.open(
      'admin',
      kafka.admin(),
      (a) => a.disconnect(),
      (a) => a.connect(),
    );
    const topics = topicNames(config.topicPrefix, config.retryTiersMs);
    const replicationFactor = config.replicationFactor ?? Math.min(3, brokerCount);
    const layout = {
      partitions: config.partitions,
      replicationFactor,
      maxMessageBytes: 2 * config.maxBodyBytes + 1024 * 1024,
      dedupeWindowMs: config.dedupeWindowMs,
      recordsRetentionMs: config.recordsRetentionMs,
    };
    const created = await ensureTopics(admin, topicSpecs(topics, layout));
    if (created.length > 0) logger.info({ topics: created, partitions: config.partitions, replicationFactor }, 'created topics');
    for (const change of await alignRecordsRetention(admin, topics, layout)) {
      logger.warn(change, 'records topic retention changed to LGSP_RECORDS_RETENTION');
    }

    const view = (name: string) => `${config.topicPrefix}${name}-view-${instanceId}`;
    const ownClient = (clientId: string) => createKafka(cluster, clientId, logger, { failFast: true });
    const registry = await life.openView(
      'registry',
      new RegistryStore(kafka, topics.registry, logger, new ConnectorSealing(secretBox, (kind) => kinds.get(kind)?.secretSettings ?? [])),
      (r) => r.close(),
      (r) => r.load(view('registry')),
    );
    await seedDirectory(config, registry, schemas, logger);
    const hubKeys = new HubKeys(registry, secretBox);
    const { kid, generation } = await hubKeys.ensure();
    logger.info({ kid, generation }, 'hub signing key ready');
    const written = await admin.fetchTopicMetadata({ topics: allTopics(topics) });
    const auditChain = new AuditChain({
      partitions: new Map(written.topics.map((t) => [t.name, t.partitions.length])),
      chained: new Set([topics.events, topics.audit, topics.serviceCalls]),
      signingKey: () => hubKeys.currentSigningKey(),
    });
    const auditView = await life.openView(
      'audit view',
      new AuditView(logger),
      (v) => v.close(),
      (v) => v.load(kafka, topics.audit, view('audit')),
    );
    const callLogView = await life.openView(
      'call-log view',
      new CallLogView(logger),
      (v) => v.close(),
      (v) => v.load(kafka, topics.serviceCalls, view('service-calls')),
    );
    const audit = await life.open(
      'audit trail',
      new AuditTrail(ownClient('lgsp-hub-audit'), topics.audit, logger, auditChain, (entry) => auditView.add(entry)),
      (a) => a.close(),
      (a) => a.connect(),
    );
    const operators = new OperatorAccounts(registry);
    await operators.bootstrap({ value: config.adminToken, generated: config.adminTokenGenerated }, audit.record, logger);
    const dedupe = new DedupeStore({ windowMs: config.dedupeWindowMs, maxEntries: config.dedupeMaxEntries, maxPerSource: config.dedupeMaxPerSource });
    await life.openView(
      'dedupe',
      dedupe,
      (d) => d.close(),
      (d) => d.load(kafka, topics.dedupe, view('dedupe')),
    );
    logger.info(
      { agencies: registry.directory().size, connectors: registry.connectors().length, dedupeEntries: dedupe.size },
      'registry and dedupe store loaded',
    );
    const writer = await life.open(
      'ingress writer',
      new IngressWriter(ownClient('lgsp-hub-ingest'), `${config.topicPrefix}ingress`, topics.dedupe, logger, auditChain),
      (w) => w.close(),
      (w) => w.connect(),
    );
    const deadLetters = await life.open(
      'dead-letter writer',
      new DeadLetterWriter(kafka, topics.deadLetters),
      (d) => d.close(),
      (d) => d.connect(),
    );

    const metrics = new Metrics();
    const readiness = new Readiness();
    readiness.add('kafka', kafkaCheck(admin));
    // Made here, loaded below: the trace view hands it the replay marks it reads.
    const deadLetterView = new DeadLetterView();
    const traces = await life.openView(
      'trace view',
      new TraceView({ logger, onReplayed: (e) => deadLetterView.markReplayed(e.deadLetter, e.at) }),
      (t) => t.close(),
      (t) => t.load(kafka, topics.events, view('traces')),
    );
    // Before the intake: sending rights read what was routed to whom (replies, dossiers).
    const rights = new SendingRights({ registry, schemas, traces });
    const catalogue = new ServiceCatalogue(registry, schemas);
    const router = new Router({ registry, kinds, schemas, originals: traces, logger });
    const intake = new MessageIntake({
      schemas,
      directory: () => registry.directory(),
      dedupe,
      writer,
      topics,
      metrics: new IngestMetrics(metrics),
      maxBatchSize: config.maxBatchSize,
      signer: hubKeys,
      router,
      rights,
      senderKeys: (id) => registry.connector(id)?.manifest.auth?.publicKeys ?? [],
    });
    await life.open(
      'pollers',
      new PollSupervisor(registry, kinds, intake, deadLetters, logger),
      (p) => p.stop(),
      (p) => p.start(),
    );

    await life.openView(
      'dead-letter view',
      deadLetterView,
      (v) => v.close(),
      (v) => v.load(kafka, topics.deadLetters, view('dead-letters')),
    );
    registerDeadLetterGauge(metrics, deadLetterView);
    registerConsumerLag(metrics, admin, [{ groupId: `${config.topicPrefix}delivery`, topics: [topics.deliveries, ...topics.retries] }]);
    const replayer = await life.open(
      'replayer',
      new DeadLetterReplayer(ownClient('lgsp-hub-replay'), `${config.topicPrefix}replay`, topics, deadLetterView, auditChain),
      (r) => r.close(),
      (r) => r.connect(),
    );
    const holds = await life.openView(
      'holds',
      new HoldStore(),
      (h) => h.close(),
      (h) => h.load(kafka, topics.holds, view('holds')),
    );
    const senders = await life.open('senders', new Senders(registry, kinds, metrics, logger), (s) => s.close());
    const deliveries = new DeliveryWorker({
      kafka,
      topics,
      groupId: `${config.topicPrefix}delivery`,
      tiersMs: config.retryTiersMs,
      registry,
      senders,
      holds,
      metrics: new DeliveryMetrics(metrics),
      chain: auditChain,
      trail: traces,
      logger,
    });
    await life.open(
      'delivery worker',
      deliveries,
      (d) => d.stop(),
      (d) => d.start(),
    );
    readiness.addWork('delivery', () => deliveries.status());

    const callLog = await life.open(
      'call log',
      new CallLog(ownClient('lgsp-hub-service-calls'), topics.serviceCalls, logger, auditChain, (record) => callLogView.add(record)),
      (c) => c.close(),
      (c) => c.connect(),
    );
    const lanes = await life.open('provider lanes', new ProviderLanes(registry, kinds, metrics, config.serviceMaxResponseBytes), (l) => l.close());
    const serviceCalls = new ServiceCalls({
      registry,
      grants: catalogue,
      lanes,
      log: callLog,
      metrics: new ServiceMetrics(metrics),
      defaultTimeoutMs: config.serviceTimeoutMs,
      maxResponseBytes: config.serviceMaxResponseBytes,
      maxJsonDepth: config.maxJsonDepth,
    });

    const routes = [
      ...messagesRoutes({ intake, schemas, maxBatchSize: config.maxBatchSize }),
      ...inboundRoutes(intake, registry, kinds),
      ...agenciesRoutes(registry, schemas),
      ...connectorsRoutes(registry, kinds, schemas, config.tokenOverlapMs),
      ...policiesRoutes(rights, registry, schemas),
      ...servicesRoutes(catalogue, registry, kinds.outbound),
      ...secretsRoutes(registry, secretBox, hubKeys),
      ...hubKeysRoutes(hubKeys),
      ...messagesTraceRoutes(traces),
      ...deadLettersRoutes(deadLetterView, replayer),
      ...consoleRoutes(),
      ...operatorsRoutes(operators, config.tokenOverlapMs),
      ...auditRoutes(auditView),
      ...callsRoutes(callLogView, registry),
      ...auditVerifyRoutes({ kafka, topics, jwks: () => hubKeys.jwks(), groupPrefix: `${config.topicPrefix}audit-verify-` }),
      // Last: the service's own sub-resources above answer first.
      ...serviceCallRoutes(serviceCalls),
    ];
    const limits = new RateLimits(config.rateLimit, metrics);
    const onConnector = ({ id }: ConnectorIdentity) => limits.take(id, registry.connector(id)?.manifest.rateLimit);
    const auth = { operators: () => operators, credentials: () => registry, onConnector };
    const app = createApp({
      metrics,
      readiness,
      logger,
      schemas,
      auth,
      maxBodyBytes: config.maxBodyBytes,
      maxJsonDepth: config.maxJsonDepth,
      routes,
      metricsToken: config.metricsToken,
      documentExtras: () => catalogue.openApiExtras(),
      audit: audit.record,
      checkSignature: requestSignatures(() => registry),
    });
    const server = await life.open('http server', await listen(app, config), (s) => closeServer(s));
    const { port } = server.address() as AddressInfo;
    const url = `${config.tls ? 'https' : 'http'}://${config.host}:${port}`;
    logger.info({ url, brokers: cluster.brokers }, 'hub listening');
    return { url, topics, metrics, auditChain, close: () => life.stop() };
  });
}

/** LGSP_AGENCIES_FILE seeds an empty directory (first start); later changes go through the API. */
async function seedDirectory(config: HubConfig, registry: RegistryStore, schemas: SchemaSet, logger: Logger): Promise<void> {
  if (!config.agenciesFile || registry.directory().size > 0) return;
  const records = JSON.parse(await readFile(config.agenciesFile, 'utf8')) as AgencyRecord[];
  try {
    await writeAgencies(registry, schemas, records, true);
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    throw new Error(`${config.agenciesFile} (LGSP_AGENCIES_FILE): ${err.extra.errors?.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { cause: err });
  }
  logger.info({ file: config.agenciesFile, agencies: records.length }, 'seeded the agency directory');
}

async function assertReachable(cluster: KafkaCluster): Promise<number> {
  try {
    return (await probeCluster(cluster)).brokerCount;
  } catch (err) {
    throw new KafkaUnreachableError(cluster.brokers, err);
  }
}
