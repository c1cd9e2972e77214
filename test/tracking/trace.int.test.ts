/**
 * `GET /v1/messages/{id}` against the real broker: a hub accepts a document (its `accepted` event),
 * the later audit events are written here by hand (routing and delivery are other stages), and a
 * TraceView loaded from the hub's `lgsp.events` serves the trace on a small app of its own.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import type { Hub } from '../../src/hub.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { Readiness } from '../../src/ops/readiness.ts';
import type { ConnectorIdentity } from '../../src/registry/connector-credentials.ts';
import { auditMessage, type AuditEvent } from '../../src/tracking/audit-event.ts';
import { messagesTraceRoutes } from '../../src/tracking/messages-trace-route.ts';
import { TraceView } from '../../src/tracking/trace-view.ts';
import type { Trace } from '../../src/tracking/trace.ts';
import { testAuth } from '../helpers/auth.ts';
import { startTestHub, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { testKafka, uniqueName } from '../helpers/kafka.ts';
import { documentSent, OTHER, post, seedSenders, SENDER } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RECIPIENTS = [
  { connector: 'qn-ubnd-eoffice', agency: '000.00.00.H49' },
  { connector: 'qn-pcc1-eoffice', agency: '000.01.15.H49' },
  { connector: 'hl-ubnd-eoffice', agency: '000.00.05.H49' },
] as const;
const RECIPIENT_TOKEN = 'recipient-token-for-this-test';

describe('GET /v1/messages/{id}', () => {
  let hub: Hub;
  let tokens: { sender: string; other: string };
  let view: TraceView;
  let server: Server;
  let url: string;
  let producer: Producer;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await seedSenders(hub.url);
    view = new TraceView();
    await view.load(testKafka(), hub.topics.events, uniqueName('trace-view'));
    // Auth only is faked: the real registry is internal to the hub.
    const identities = new Map<string, ConnectorIdentity>([
      [tokens.sender, SENDER],
      [tokens.other, OTHER],
      [RECIPIENT_TOKEN, { id: RECIPIENTS[1].connector, agency: RECIPIENTS[1].agency }],
    ]);
    const logger = createLogger({ logLevel: 'silent', logPretty: false });
    const app = createApp({
      metrics: new Metrics(),
      readiness: new Readiness(),
      logger,
      schemas: await SchemaSet.load(),
      maxBodyBytes: 1024 * 1024,
      auth: testAuth(identities),
      routes: messagesTraceRoutes(view),
    });
    server = await new Promise<Server>((res) => {
      const s = app.listen(0, '127.0.0.1', () => res(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    producer = testKafka().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    await Promise.allSettled([producer?.disconnect(), view?.close(), hub?.close()]);
  });

  const get = (path: string, token: string | null) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('traces a fan-out from the audit trail and shows it to the sender, recipients and operators only', async () => {
    // Unaddressed, with no subscriber: the hub routes it to nobody as it accepts it, so the
    // `routed` event this test writes alone decides the recipients.
    const event = documentSent({ to: undefined });
    const res = await post(hub.url, event, { token: tokens.sender });
    expect(res.status).toBe(202);
    const { accepted } = (await res.json()) as { accepted: { trace: string }[] };
    const path = accepted[0]!.trace;
    const hubId = path.split('/').pop()!;

    const t = (ms: number) => new Date(Date.now() + ms).toISOString();
    const [a, b, c] = RECIPIENTS;
    const later: AuditEvent[] = [
      { kind: 'routed', hubId, at: t(10), recipients: [...RECIPIENTS], unreachable: [] },
      { kind: 'delivered', hubId, at: t(20), ...a, attempt: 1, status: 204, latencyMs: 20 },
      { kind: 'retried', hubId, at: t(30), ...b, attempt: 1, reason: 'HTTP 503', status: 503, nextAttemptAt: t(5_030) },
      { kind: 'status-reported', hubId, at: t(40), agency: a.agency, statusCode: '03', statusName: 'Đã tiếp nhận', statusHubId: 'status-hub-id' },
    ];
    // Out of order on purpose: the trace sorts by time.
    await producer.send({ topic: hub.topics.events, acks: -1, messages: [...later].reverse().map(auditMessage) });

    const trace = await waitFor('the trace to show routing, delivery, retry and status', async () => {
      const r = await get(path, TEST_ADMIN_TOKEN);
      const body = r.status === 200 ? ((await r.json()) as Trace) : undefined;
      return body?.statuses.length === 1 && body;
    });
    expect(trace.message).toMatchObject({ id: event.id, source: event.source, type: 'vn.gov.document.sent', subject: event.subject, connector: SENDER.id });
    expect(trace.message).not.toHaveProperty('to');
    expect(trace.recipients).toEqual([
      {
        ...a,
        state: 'delivered',
        attempts: 1,
        deliveredAt: later[1]!.at,
        latencyMs: 20,
        businessStatus: { code: '03', name: 'Đã tiếp nhận', at: later[3]!.at },
      },
      { ...b, state: 'retrying', attempts: 1, nextAttemptAt: expect.any(String), lastError: { reason: 'HTTP 503', status: 503, at: later[2]!.at } },
      { ...c, state: 'pending', attempts: 0 },
    ]);
    expect(trace.summary).toBe('3 recipients: 1 delivered, 1 received, 1 retrying, 1 pending');
    expect(trace.timeline.map((e) => e.kind)).toEqual(['accepted', 'routed', 'routed', 'delivered', 'retried', 'status-reported']);

    expect((await get(path, tokens.sender)).status).toBe(200);
    expect((await get(path, RECIPIENT_TOKEN)).status).toBe(200);
    const unrelated = await get(path, tokens.other);
    const unknown = await get('/v1/messages/00000000-0000-8000-8000-000000000000', tokens.sender);
    for (const r of [unrelated, unknown]) {
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(await r.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/not-found' });
    }
    expect((await get(path, null)).status).toBe(401);
    expect((await get(path, `${SENDER.id}.wrong`)).status).toBe(401);
  });
});
