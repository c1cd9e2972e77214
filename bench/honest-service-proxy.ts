/**
 * The honest baseline of the data-sharing calls row (`service-calls.ts`): a call's hops done the
 * plain way, in a process of its own, so the floor this machine puts under the hub's added latency
 * is measured in the same run. It answers `ANY /v1/services/{id}/{path}` by forwarding method,
 * path, query, the officer and purpose headers and the body to the provider (node:http,
 * keep-alive, a 5 s socket timeout for the bench service's `timeoutMs`), then writes one record of
 * the call (ids, officer, purpose, status, latency, sizes, SHA-256 of both bodies: fewer fields
 * than the hub's call record, and no chain) to a topic keyed by service (idempotent producer,
 * acks=all, group commit by bytes as the hub's call log does), and only then passes the answer
 * on. None of the hub's logic: no connector auth, grant, quota, schema, signature, breaker,
 * chain, view or metrics.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
// Encoded as the hub's records are (see honest-baseline.ts).
import '../src/kafka/kafkajs-pooled-encoder.ts';
import '../src/kafka/kafkajs-request-queue.ts';
import { createTopicsWithLeaders } from '../src/kafka/topics.ts';
import { groupSender } from './group-sender.ts';
import { startChild, type BenchChild } from './proc.ts';

/** The bench service's `timeoutMs`, here the socket's idle timeout. */
const DEADLINE_MS = 5_000;
const CALL_PATH = /^\/v1\/services\/([^/?]+)\/([^?]+)(\?.*)?$/;
/** The request headers passed on (the hub passes these and its own call headers). */
const PASSED = ['x-lgsp-officer', 'x-lgsp-purpose', 'content-type', 'accept'] as const;

/** Starts the proxy as a child process; resolves once it listens (`printed` is its port). */
export function startHonestServiceProxy(brokers: string, partitions: number, providerUrl: string): Promise<BenchChild> {
  return startChild(import.meta.url, 'serveHonestServiceProxy', [brokers, partitions, providerUrl], /^\d+$/);
}

/** The child's side: the topic, the producer, the HTTP server; gives the port. Exits on SIGTERM. */
export async function serveHonestServiceProxy(brokers: string, partitions: number, providerUrl: string): Promise<number> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-honest-service-proxy', logLevel: logLevel.ERROR });
  const topic = `bench-honest-calls-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions }]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const log = groupSender(producer, topic);
  const agent = new Agent({ keepAlive: true });

  const server = createServer((req, res) => {
    const match = CALL_PATH.exec(req.url ?? '');
    if (!match) return void res.writeHead(404, { 'content-length': '0' }).end();
    call(req, match[1]!, `/${match[2]}${match[3] ?? ''}`).then(
      (answer) => res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body),
      (err: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(err.message),
    );
  });
  server.keepAliveTimeout = 60_000;

  const call = async (req: IncomingMessage, service: string, path: string) => {
    const started = performance.now();
    const id = randomUUID();
    const body = await bytesOf(req);
    const headers: Record<string, string> = { 'x-lgsp-call-id': id };
    for (const name of PASSED) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const answer = await forward(agent, `${providerUrl}${path}`, req.method ?? 'GET', headers, body);
    const record = {
      id,
      time: new Date().toISOString(),
      service,
      officer: headers['x-lgsp-officer'],
      purpose: headers['x-lgsp-purpose'],
      method: req.method,
      path,
      status: answer.status,
      latencyMs: performance.now() - started,
      requestBytes: body.length,
      responseBytes: answer.body.length,
      requestSha256: createHash('sha256').update(body).digest('hex'),
      responseSha256: createHash('sha256').update(answer.body).digest('hex'),
    };
    await log([{ key: service, value: JSON.stringify(record) }]);
    const type = answer.headers['content-type'];
    return { status: answer.status, body: answer.body, headers: { 'x-lgsp-call-id': id, ...(type ? { 'content-type': type } : {}) } };
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    agent.destroy();
    void producer.disconnect().finally(() => process.exit(0));
  });
  return (server.address() as { port: number }).port;
}

function forward(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body.length > 0 ? { ...headers, 'content-length': body.length } : headers }, (res) => {
      bytesOf(res).then((answer) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: answer }), reject);
    });
    req.setTimeout(DEADLINE_MS, () => req.destroy(new Error(`the provider did not answer within ${DEADLINE_MS} ms`)));
    req.on('error', reject);
    req.end(body.length > 0 ? body : undefined);
  });
}

async function bytesOf(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
