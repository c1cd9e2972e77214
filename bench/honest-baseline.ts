/**
 * The honest baseline of `npm run bench` (issue 16): the hub's hops and work shape done the plain
 * way, with none of its logic (no validation, dedupe, signatures, audit events, views, breakers or
 * transactions), in a process of its own so its CPU is counted apart from the load generator's:
 *
 * 1. HTTP ingest (node:http, keep-alive): the same POST as the hub's `/v1/messages` (structured
 *    CloudEvents, one event or a batch); each event becomes a binary-mode record (`ce_*` headers,
 *    `data` as the value) keyed by subject on the ingress topic (idempotent producer, acks=all);
 *    `202` once acknowledged. Requests that arrive during a produce go in the next one (group
 *    commit, as the hub's intake does);
 * 2. routing: a consumer group on ingress writes one record per recipient (`ce_to`) to the
 *    deliveries topic, keyed by the recipient agency as the hub keys its delivery records, and
 *    commits the offsets once those are acknowledged (at-least-once);
 * 3. delivery: a consumer group on deliveries POSTs each record to the sink in binary mode (the
 *    hub's `ce-*` headers, `content-type`, `idempotency-key`, the `data` bytes), in order per
 *    subject and concurrently across subjects (at most 64 in flight, the bench receiver's
 *    `maxInFlight`), retrying until a 2xx, and commits after the batch's 2xx.
 *
 * Same broker, partition count and sink as the hub's rows. Also the /proc readings the bench
 * uses for CPU per message (utime + stime) and resident memory of a process.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaMessage, type Message } from 'kafkajs';
import { BINARY_ATTRIBUTES, percentEncode } from '../connectors/webhook/codec.ts';
// The hub's kafkajs encodes with the pooled encoder: so does the baseline, so the comparison is of the hub's work.
import '../src/kafka/kafkajs-pooled-encoder.ts';
import '../src/kafka/kafkajs-request-queue.ts';
import { createTopicsWithLeaders } from '../src/kafka/topics.ts';
import { groupSender } from './group-sender.ts';
import { startChild } from './proc.ts';

/** The bench receiver's `delivery.maxInFlight` in the hub's rows. */
const MAX_IN_FLIGHT = 64;
const BATCH_TYPE = 'application/cloudevents-batch+json';

export interface HonestBaseline {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the baseline as a child process; resolves once its consumers joined and it listens. */
export async function startHonestBaseline(brokers: string, partitions: number, sinkUrl: string): Promise<HonestBaseline> {
  const child = await startChild(import.meta.url, 'serveHonestBaseline', [brokers, partitions, sinkUrl], /^\d+$/);
  return { port: Number(child.printed), pid: child.pid, stop: child.stop };
}

/** The child's side: topics, the two consumer groups, the HTTP server; gives the port. Exits on SIGTERM. */
export async function serveHonestBaseline(brokers: string, partitions: number, sinkUrl: string): Promise<number> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-honest-baseline', logLevel: logLevel.ERROR });
  const run = randomUUID().slice(0, 8);
  const topics = { ingress: `bench-honest-${run}-ingress`, deliveries: `bench-honest-${run}-deliveries` };
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(
    admin,
    Object.values(topics).map((topic) => ({ topic, numPartitions: partitions })),
  );
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const toIngress = groupSender(producer, topics.ingress);
  const toDeliveries = groupSender(producer, topics.deliveries);
  const router = kafka.consumer({ groupId: `bench-honest-${run}-route` });
  const deliverer = kafka.consumer({ groupId: `bench-honest-${run}-deliver` });
  const joined = [router, deliverer].map((c) => new Promise((resolve) => c.on(c.events.GROUP_JOIN, resolve)));
  const post = sinkPoster(sinkUrl);

  await router.connect();
  await router.subscribe({ topic: topics.ingress, fromBeginning: true });
  await router.run({
    autoCommit: false,
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.messages.length === 0) return;
      await toDeliveries(batch.messages.flatMap(deliveriesOf));
      await commit(router, batch.topic, batch.partition, batch.lastOffset());
      await heartbeat();
    },
  });
  await deliverer.connect();
  await deliverer.subscribe({ topic: topics.deliveries, fromBeginning: true });
  await deliverer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.messages.length === 0) return;
      await Promise.all(
        lanesBySubject(batch.messages).map(async (lane) => {
          for (const m of lane) await post(m);
        }),
      );
      await commit(deliverer, batch.topic, batch.partition, batch.lastOffset());
      await heartbeat();
    },
  });
  await Promise.all(joined);

  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/messages') return void res.writeHead(404, { 'content-length': '0' }).end();
    ingest(req).then(
      (ids) => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: ids })),
      (err: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(err.message),
    );
  });
  server.keepAliveTimeout = 60_000;
  const ingest = async (req: IncomingMessage): Promise<string[]> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    const events = (req.headers['content-type']?.startsWith(BATCH_TYPE) ? parsed : [parsed]) as Record<string, unknown>[];
    await toIngress(events.map(ingressRecord));
    return events.map((e) => String(e.id));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void Promise.allSettled([router.disconnect(), deliverer.disconnect()])
      .then(() => producer.disconnect())
      .finally(() => process.exit(0));
  });
  return (server.address() as { port: number }).port;
}

/** A structured event as a binary-mode record: `ce_*` headers, `data` as the value, keyed by subject. */
function ingressRecord(event: Record<string, unknown>): Message {
  const headers: IHeaders = { 'content-type': 'application/json' };
  for (const name of BINARY_ATTRIBUTES) if (typeof event[name] === 'string') headers[`ce_${name}`] = event[name];
  return { key: typeof event.subject === 'string' ? event.subject : null, value: Buffer.from(JSON.stringify(event.data), 'utf8'), headers };
}

/** One delivery record per addressed agency, keyed by it (as the hub keys deliveries), the bytes passed through. */
function deliveriesOf(m: KafkaMessage): Message[] {
  const agencies = (header(m.headers, 'ce_to') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return agencies.map((agency) => ({ key: agency, value: m.value, headers: { ...m.headers, lgsp_recipient_agency: agency } }));
}

/** The records by subject, each subject's in order: delivered one after the other, subjects concurrently (as the hub does). */
function lanesBySubject(messages: KafkaMessage[]): KafkaMessage[][] {
  const lanes = new Map<string, KafkaMessage[]>();
  for (const m of messages) {
    const subject = header(m.headers, 'ce_subject') ?? '';
    const lane = lanes.get(subject);
    if (lane) lane.push(m);
    else lanes.set(subject, [m]);
  }
  return [...lanes.values()];
}

/** POSTs a delivery record to the sink in binary mode until it answers 2xx. */
function sinkPoster(sinkUrl: string): (m: KafkaMessage) => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const once = (headers: Record<string, string>, body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(sinkUrl, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  return async (m) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of BINARY_ATTRIBUTES) {
      const value = header(m.headers, `ce_${name}`);
      if (value !== undefined) headers[`ce-${name}`] = percentEncode(value);
    }
    headers['idempotency-key'] = `${headers['ce-source']} ${headers['ce-id']}`;
    const body = m.value ?? Buffer.alloc(0);
    for (;;) {
      const status = await once(headers, body).catch(() => 0);
      if (status >= 200 && status < 300) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}

function commit(consumer: Consumer, topic: string, partition: number, lastOffset: string): Promise<void> {
  return consumer.commitOffsets([{ topic, partition, offset: String(BigInt(lastOffset) + 1n) }]);
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  return headers?.[name]?.toString();
}
