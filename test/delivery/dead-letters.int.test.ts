import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { hubIdOf } from '../../src/contract/hub-id.ts';
import { DeadLetterReplayer } from '../../src/delivery/dead-letter-replay.ts';
import { DeadLetterView, registerDeadLetterGauge, type DeadLetterDetail, type DeadLetterEntry } from '../../src/delivery/dead-letter-view.ts';
import { deadLettersRoutes } from '../../src/delivery/dead-letters-route.ts';
import { deadLetterMessage } from '../../src/delivery/dead-letters.ts';
import { deliveryMessage, type DeliveryRecord } from '../../src/delivery/delivery-record.ts';
import type { Hub } from '../../src/hub.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { Readiness } from '../../src/ops/readiness.ts';
import { addAgencySystem, FAST_RETRIES } from '../helpers/agencies.ts';
import { testAuth } from '../helpers/auth.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig } from '../helpers/hub.ts';
import { readTopicUntil, testKafka, uniqueName } from '../helpers/kafka.ts';
import { documentSent, SENDER } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SYT = { id: 'qn-syt-eoffice', agency: '000.00.16.H49' };
const STC = { id: 'qn-stc-eoffice', agency: '000.00.17.H49' };

/** A stage-`deliver` dead letter as the delivery engine writes it: the record's headers plus the refusal. */
function deliverLetter(recipient: { id: string; agency: string }, reason: string, status: number, at: Date) {
  const event = documentSent() as unknown as CloudEvent;
  const hubId = hubIdOf(event.source, event.id);
  const record: DeliveryRecord = {
    message: { event, hubId, connector: SENDER.id, acceptedAt: '2025-07-01T07:59:00.000Z' },
    recipient: recipient.id,
    recipientAgency: recipient.agency,
    attempt: 3,
    dueAt: at.getTime(),
    history: [{ attempt: 1, at: '2025-07-01T08:00:00.000Z', outcome: 'retry', reason: 'HTTP 503', status: 503 }],
  };
  const delivery = deliveryMessage(record);
  const headers = Object.fromEntries(Object.entries(delivery.headers ?? {}).map(([k, v]) => [k, String(v)]));
  const message = deadLetterMessage(
    {
      stage: 'deliver',
      connector: recipient.id,
      reason,
      key: recipient.agency,
      original: String(delivery.value),
      hubId,
      headers: { ...headers, lgsp_dlq_status: String(status), lgsp_dlq_response: '{"error":"no such inbox"}' },
    },
    at,
  );
  return { message, hubId, data: event.data };
}

describe('dead letters: inspect and replay', () => {
  let hub: Hub;
  let view: DeadLetterView;
  let replayer: DeadLetterReplayer;
  let server: Server;
  let url: string;
  const metrics = new Metrics();
  const a = deliverLetter(SYT, 'HTTP 404 Not Found', 404, new Date('2025-07-01T09:00:00Z'));
  const b = deliverLetter(SYT, 'HTTP 410 Gone', 410, new Date('2025-07-02T09:00:00Z'));
  const c = deliverLetter(STC, 'HTTP 404 Not Found', 404, new Date('2025-07-03T09:00:00Z'));
  const ids: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
  const get = async <T>(path: string) => (await (await asOperator(url, path)).json()) as T;
  /** Ids listed, restricted to the letters this test wrote (the hub's delivery engine may add its own). */
  const listed = async (query: string) =>
    (await get<{ deadLetters: DeadLetterEntry[] }>(`/v1/dead-letters${query}`)).deadLetters.map((e) => e.id).filter((id) => Object.values(ids).includes(id));

  beforeAll(async () => {
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers });
    hub = await startTestHub(config);
    await importDemoAgencies(hub.url);
    const producer = testKafka().producer({ idempotent: true });
    await producer.connect();
    const decodeLetter = deadLetterMessage({
      stage: 'decode',
      connector: 'qn-vdxp',
      reason: 'edXML: missing header',
      key: '000.00.15.H49',
      original: Buffer.from([0x3c, 0xff, 0xfe]),
    });
    await producer.send({ topic: hub.topics.deadLetters, acks: -1, messages: [a.message, b.message, c.message, decodeLetter] });
    await producer.disconnect();

    view = new DeadLetterView();
    await view.load(testKafka(), hub.topics.deadLetters, uniqueName('dlq-view'));
    registerDeadLetterGauge(metrics, view);
    replayer = new DeadLetterReplayer(testKafka(), `${config.topicPrefix}replay`, hub.topics, view, hub.auditChain);
    await replayer.connect();
    const app = createApp({
      metrics,
      readiness: new Readiness(),
      logger: createLogger(config),
      schemas: await SchemaSet.load(),
      maxBodyBytes: config.maxBodyBytes,
      auth: testAuth(),
      routes: deadLettersRoutes(view, replayer),
    });
    server = await new Promise<Server>((res) => {
      const s = app.listen(0, '127.0.0.1', () => res(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const all = view.list({ includeReplayed: true, limit: 10 });
    const idOf = (hubId: string) => all.find((e) => e.hubId === hubId)!.id;
    Object.assign(ids, { a: idOf(a.hubId), b: idOf(b.hubId), c: idOf(c.hubId), d: all.find((e) => e.stage === 'decode')!.id });
  });
  afterAll(async () => {
    await new Promise((res) => server?.close(res));
    await Promise.allSettled([replayer?.close(), view?.close()]);
    await hub?.close();
  });

  it('is for operators only', async () => {
    expect((await fetch(`${url}/v1/dead-letters`)).status).toBe(401);
    expect((await fetch(`${url}/v1/dead-letters:replay`, { method: 'POST' })).status).toBe(401);
  });

  it('lists with filters, newest first, and refuses a bad query with the parameters named', async () => {
    expect(await listed('')).toEqual([ids.d, ids.c, ids.b, ids.a]);
    expect(await listed(`?connector=${SYT.id}`)).toEqual([ids.b, ids.a]);
    expect(await listed('?stage=decode')).toEqual([ids.d]);
    expect(await listed('?reason=not%20FOUND')).toEqual([ids.c, ids.a]);
    expect(await listed('?from=2025-07-01T12:00:00Z&to=2025-07-03T09:00:00Z')).toEqual([ids.c, ids.b]);
    expect(await listed('?limit=1')).toEqual([ids.d]);
    const bad = await asOperator(url, '/v1/dead-letters?stage=send&limit=0&from=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['/from', '/limit', '/stage']);
  });

  it('shows one letter with its context and original', async () => {
    const letter = await get<DeadLetterDetail>(`/v1/dead-letters/${ids.a}`);
    expect(letter).toMatchObject({
      id: ids.a,
      stage: 'deliver',
      connector: SYT.id,
      reason: 'HTTP 404 Not Found',
      hubId: a.hubId,
      recipientAgency: SYT.agency,
      status: 404,
      response: '{"error":"no such inbox"}',
      attempts: [{ attempt: 1, status: 503 }],
    });
    expect(letter.message).toMatchObject({ source: `urn:lgsp:agency:${SENDER.agency}`, type: 'vn.gov.document.sent' });
    expect(letter.original?.encoding).toBe('utf8');
    expect(JSON.parse(letter.original!.data)).toEqual(a.data);
    expect((await get<DeadLetterDetail>(`/v1/dead-letters/${ids.d}`)).original?.encoding).toBe('base64');
    expect((await asOperator(url, '/v1/dead-letters/0:999999')).status).toBe(404);
    expect((await asOperator(url, '/v1/dead-letters/nonsense')).status).toBe(404);
  });

  it('replays one: the same delivery, attempt 1, plus a replayed event; a second replay is skipped', async () => {
    // The hub's delivery engine takes the replayed record to the recipient, which now answers.
    const recipient = await addAgencySystem(hub.url, SYT.id, SYT.agency);
    const pending = () => metrics.registry.getSingleMetricAsString('lgsp_dead_letters');
    expect(await pending()).toContain(`lgsp_dead_letters{connector="${SYT.id}"} 2`);
    const res = await asOperator(url, `/v1/dead-letters/${ids.a}:replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ replayed: [ids.a], skipped: [] });
    expect(await pending()).toContain(`lgsp_dead_letters{connector="${SYT.id}"} 1`);

    const deliveries = await readTopicUntil(hub.topics.deliveries, (all) => all.some((r) => r.headers.lgsp_hubid === a.hubId));
    const delivery = deliveries.find((r) => r.headers.lgsp_hubid === a.hubId)!;
    expect(delivery.key).toBe(SYT.agency);
    expect(delivery.headers).toMatchObject({ lgsp_attempt: '1', lgsp_recipient: SYT.id, lgsp_recipient_agency: SYT.agency, ce_type: 'vn.gov.document.sent' });
    expect(delivery.headers).not.toHaveProperty('lgsp_step');
    expect(delivery.headers).not.toHaveProperty('lgsp_due_at');
    expect(delivery.headers).not.toHaveProperty('lgsp_parked');
    expect(delivery.headers).not.toHaveProperty('lgsp_dlq_stage');
    expect(JSON.parse(delivery.headers.lgsp_history!)).toHaveLength(1);
    expect(JSON.parse(delivery.value!)).toEqual(a.data);
    const events = await readTopicUntil(hub.topics.events, (all) => all.some((r) => r.key === a.hubId));
    expect(events.filter((r) => r.key === a.hubId && r.headers.lgsp_kind === 'replayed').map((r) => JSON.parse(r.value!))).toEqual([
      { kind: 'replayed', hubId: a.hubId, at: expect.any(String), connector: SYT.id, agency: SYT.agency, deadLetter: ids.a },
    ]);

    expect((await get<DeadLetterDetail>(`/v1/dead-letters/${ids.a}`)).replayed).toEqual({ at: expect.any(String) });
    expect(await listed(`?connector=${SYT.id}`)).toEqual([ids.b]);
    expect(await listed(`?connector=${SYT.id}&includeReplayed=true`)).toEqual([ids.b, ids.a]);
    const again = (await (await asOperator(url, `/v1/dead-letters/${ids.a}:replay`, { method: 'POST' })).json()) as {
      replayed: string[];
      skipped: { id: string; reason: string }[];
    };
    expect(again).toEqual({ replayed: [], skipped: [{ id: ids.a, reason: expect.stringMatching(/^already replayed/) }] });

    const received = await waitFor('the replayed message at the recipient', () =>
      recipient.sim.received().find((r) => r.event.id === a.message.headers?.ce_id?.toString()),
    );
    expect(received.idempotencyKey).toBe(a.hubId);

    // The hub is another instance: its dead-letter view learns the replay from lgsp.events, through its trace view.
    const onHub = await waitFor('the hub to show the letter replayed', async () => {
      const r = await asOperator(hub.url, `/v1/dead-letters/${ids.a}`);
      const shown = r.status === 200 ? ((await r.json()) as DeadLetterDetail) : undefined;
      return shown?.replayed && shown;
    });
    expect(onHub.replayed).toEqual({ at: expect.any(String) });
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toContain(`lgsp_dead_letters{connector="${SYT.id}"} 1`);
  });

  it('refuses to replay letters of other stages, with the reason', async () => {
    const res = (await (await asOperator(url, `/v1/dead-letters/${ids.d}:replay`, { method: 'POST' })).json()) as { skipped: { reason: string }[] };
    expect(res.skipped[0]?.reason).toMatch(/stage "decode".*resend/);
    expect((await asOperator(url, '/v1/dead-letters/0:999999:replay', { method: 'POST' })).status).toBe(404);
  });

  it('replays by connector and time range, and by ids', async () => {
    const bad = await asOperator(url, '/v1/dead-letters:replay', { body: { from: 'soon', extra: 1 } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['/connector', '/extra', '/from']);

    const byConnector = await asOperator(url, '/v1/dead-letters:replay', { body: { connector: SYT.id, from: '2025-07-01T00:00:00Z' } });
    expect(await byConnector.json()).toEqual({ replayed: [ids.b], skipped: [] });
    expect(await listed(`?connector=${SYT.id}`)).toEqual([]);

    const byIds = await asOperator(url, '/v1/dead-letters:replay', { body: { ids: [ids.c, ids.d, ids.a] } });
    const outcome = (await byIds.json()) as { replayed: string[]; skipped: { id: string }[] };
    expect(outcome.replayed).toEqual([ids.c]);
    expect(outcome.skipped.map((s) => s.id)).toEqual([ids.d, ids.a]);
    await readTopicUntil(hub.topics.deliveries, (all) => [b.hubId, c.hubId].every((h) => all.some((r) => r.headers.lgsp_hubid === h)));
    expect(view.get(ids.c)?.replayed).toBeDefined();
  });
});
