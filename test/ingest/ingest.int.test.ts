import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig } from '../../src/config/config.ts';
import type { Hub } from '../../src/hub.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { endOffsets, readTopic, readTopicUntil } from '../helpers/kafka.ts';
import { documentSent, post as postAs, seedSenders, SENDER } from '../helpers/messages.ts';

describe('POST /v1/messages', () => {
  let config: HubConfig;
  let hub: Hub;
  let tokens: { sender: string; other: string };
  type PostOptions = { token?: string | null; contentType?: string };
  const post = (url: string, body: unknown, { token = tokens.sender, contentType }: PostOptions = {}) =>
    postAs(url, body, { token, ...(contentType ? { contentType } : {}) });
  beforeAll(async () => {
    config = testConfig({ LGSP_MAX_BODY_BYTES: String(64 * 1024), LGSP_MAX_BATCH: '5' });
    hub = await startTestHub(config);
    tokens = await seedSenders(hub.url);
  });
  afterAll(() => hub.close());

  it('answers 202 only once the event is in lgsp.ingress, in CloudEvents binary mode keyed by subject', async () => {
    const event = documentSent();
    const res = await post(hub.url, event);
    expect(res.status).toBe(202);
    const { accepted } = (await res.json()) as { accepted: { id: string; source: string; trace: string }[] };
    expect(accepted).toEqual([{ id: event.id, source: event.source, trace: expect.stringMatching(/^\/v1\/messages\/[0-9a-f-]{36}$/) }]);

    const records = (await readTopicUntil(hub.topics.ingress, (all) => all.some((r) => r.headers.ce_id === event.id))).filter(
      (r) => r.headers.ce_id === event.id,
    );
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record!.key).toBe(event.subject);
    expect(record!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: event.source,
      ce_type: 'vn.gov.document.sent',
      ce_subject: event.subject,
      ce_to: event.to,
      ce_time: event.time,
      'content-type': 'application/json',
      lgsp_connector: SENDER.id,
      lgsp_hubid: accepted[0]!.trace.split('/').pop(),
    });
    expect(JSON.parse(record!.value!)).toEqual(event.data);
    const audit = (await readTopicUntil(hub.topics.events, (all) => all.some((r) => r.key === record!.headers.lgsp_hubid))).filter(
      (r) => r.key === record!.headers.lgsp_hubid,
    );
    expect(audit.map((r) => JSON.parse(r.value!).kind)[0]).toBe('accepted');
  });

  it('accepts a batch as a whole and answers one receipt per event, in order', async () => {
    const events = [documentSent(), documentSent(), documentSent()];
    const res = await post(hub.url, events, { contentType: 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    const { accepted } = (await res.json()) as { accepted: { id: string }[] };
    expect(accepted.map((a) => a.id)).toEqual(events.map((e) => e.id));
    const wanted = events.map((e) => e.id as string);
    await readTopicUntil(hub.topics.ingress, (all) => wanted.every((id) => all.some((r) => r.headers.ce_id === id)));
  });

  it('answers a re-sent id with the first result and writes it once, also after a hub restart', async () => {
    const event = documentSent();
    // Sent first in a batch, so a restarted instance knows it from a mark that one write made for three.
    const batch = [documentSent(), event, documentSent()];
    expect((await post(hub.url, batch, { contentType: 'application/cloudevents-batch+json' })).status).toBe(202);
    const first = await (await post(hub.url, event)).json();
    const again = await post(hub.url, { ...event, data: { ...(event.data as object) } });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(first);
    const concurrent = await Promise.all([post(hub.url, event), post(hub.url, event)]);
    expect(concurrent.map((r) => r.status)).toEqual([202, 202]);

    const restarted = await startTestHub(config);
    try {
      const afterRestart = await post(restarted.url, event);
      expect(afterRestart.status).toBe(202);
      expect(await afterRestart.json()).toEqual(first);
      const inBatch = await post(restarted.url, [event, event, batch[2]], { contentType: 'application/cloudevents-batch+json' });
      expect(inBatch.status).toBe(202);
    } finally {
      await restarted.close();
    }
    const records = (await readTopicUntil(hub.topics.ingress, (all) => all.some((r) => r.headers.ce_id === event.id))).filter(
      (r) => r.headers.ce_id === event.id,
    );
    expect(records).toHaveLength(1);
    const third = await readTopic(hub.topics.ingress);
    expect(third.filter((r) => r.headers.ce_id === batch[2]!.id)).toHaveLength(1);
  });

  describe('refuses bad input with problem+json and writes nothing', () => {
    const sentWith = (data: Record<string, unknown>) => documentSent({ data: { ...(documentSent().data as object), ...data } });
    const cases: { name: string; send: (url: string) => Promise<Response>; status: number; problem: string; path?: string }[] = [
      { name: 'malformed JSON', send: (url) => post(url, '{"specversion": "1.0", "id": '), status: 400, problem: 'malformed-json' },
      { name: 'a wrong content type', send: (url) => post(url, documentSent(), { contentType: 'text/plain' }), status: 415, problem: 'unsupported-media-type' },
      { name: 'a missing type', send: (url) => post(url, documentSent({ type: undefined })), status: 422, problem: 'validation-failed', path: '/type' },
      {
        name: 'an unknown type',
        send: (url) => post(url, documentSent({ type: 'vn.gov.document.teleported' })),
        status: 422,
        problem: 'unknown-message-type',
        path: '/type',
      },
      {
        name: 'a schema violation in a nested field',
        send: (url) => post(url, sentWith({ otherInfo: { priority: 9 } })),
        status: 422,
        problem: 'validation-failed',
        path: '/data/otherInfo/priority',
      },
      { name: 'a body over the size limit', send: (url) => post(url, sentWith({ content: 'x'.repeat(70 * 1024) })), status: 413, problem: 'body-too-large' },
      {
        name: 'a batch over the count limit',
        send: (url) =>
          post(
            url,
            Array.from({ length: 6 }, () => documentSent()),
            { contentType: 'application/cloudevents-batch+json' },
          ),
        status: 413,
        problem: 'batch-too-large',
      },
      {
        name: 'a bad item in a batch (all-or-nothing)',
        send: (url) => post(url, [documentSent(), documentSent({ subject: '' })], { contentType: 'application/cloudevents-batch+json' }),
        status: 422,
        problem: 'validation-failed',
        path: '/1/subject',
      },
      {
        name: 'an unknown recipient',
        send: (url) => post(url, documentSent({ to: '000.00.00.H49,000.07.99.H49' })),
        status: 422,
        problem: 'unknown-recipient',
        path: '/to',
      },
      {
        name: "a source that is not the caller's agency",
        send: (url) => post(url, documentSent(), { token: tokens.other }),
        status: 403,
        problem: 'source-not-allowed',
      },
      { name: 'a missing credential', send: (url) => post(url, documentSent(), { token: null }), status: 401, problem: 'unauthenticated' },
      {
        name: 'a wrong credential',
        send: (url) => post(url, documentSent(), { token: `${SENDER.id}.not-the-secret` }),
        status: 401,
        problem: 'unauthenticated',
      },
    ];

    it.each(cases)('$name → $status $problem', async ({ send, status, problem, path }) => {
      const before = await Promise.all([endOffsets(hub.topics.ingress), endOffsets(hub.topics.dedupe), endOffsets(hub.topics.events)]);
      const res = await send(hub.url);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { type: string; status: number; detail: string; errors?: { path: string; message: string }[] };
      expect(body).toMatchObject({ type: `https://lgsp-hub.dev/problems/${problem}`, status });
      expect(body.detail.length).toBeGreaterThan(10);
      if (path) expect(body.errors?.map((e) => e.path)).toContain(path);
      const after = await Promise.all([endOffsets(hub.topics.ingress), endOffsets(hub.topics.dedupe), endOffsets(hub.topics.events)]);
      expect(after).toEqual(before);
    });
  });

  it('counts what it received by type, source level and outcome', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(text).toMatch(/lgsp_messages_received_total\{type="vn.gov.document.sent",source_level="unit",outcome="accepted"\} \d+/);
    expect(text).toMatch(/lgsp_messages_received_total\{type="vn.gov.document.sent",source_level="unit",outcome="duplicate"\} \d+/);
    expect(text).toMatch(/lgsp_validation_failures_total\{type="vn.gov.document.sent"\} \d+/);
    expect(text).toMatch(/lgsp_validation_failures_total\{type="unknown"\} \d+/);
  });
});
