/**
 * Ingest writes without a transaction, and a message's dedupe mark follows it (docs/design.md,
 * "Ingest without a transaction"). When a write fails after Kafka kept some of it, or the hub dies
 * before the mark is written, the sender's re-send is written a second time. A dedupe window of
 * 1 ms makes every re-send such a case: each recipient must still get the message once.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { hubIdOf } from '../../src/contract/hub-id.ts';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds } from '../helpers/agencies.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { readTopicUntil } from '../helpers/kafka.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('a message written twice (its dedupe mark lost)', () => {
  let hub: Hub;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers, LGSP_DEDUPE_WINDOW: '1ms' }));
    token = (await seedSenders(hub.url)).sender;
  });
  afterAll(() => hub?.close());

  it('is delivered once to each recipient, both copies under one hub id', { timeout: 60_000 }, async () => {
    const recipients = [await addAgencySystem(hub.url, 'qn-ha-long', '000.00.05.H49'), await addAgencySystem(hub.url, 'qn-van-don', '000.00.09.H49')];
    onTestFinished(() => Promise.all(recipients.map((r) => r.sim.close())).then(() => undefined));
    const to = recipients.map((r) => r.agency).join(',');

    const message = documentSent({ to, subject: 'ho-so-resent' });
    const first = await post(hub.url, message, { token });
    expect(first.status).toBe(202);
    await waitFor('the first copy at both recipients', () => recipients.every((r) => receivedIds(r).includes(message.id as string)));
    const again = await post(hub.url, message, { token });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(await first.json());
    // Same subject, so it is delivered only after the second copy was handled.
    const later = documentSent({ to, subject: 'ho-so-resent' });
    expect((await post(hub.url, later, { token })).status).toBe(202);
    await waitFor('the later message at both recipients', () => recipients.every((r) => receivedIds(r).includes(later.id as string)));

    const copies = (await readTopicUntil(hub.topics.ingress, (all) => all.filter((r) => r.headers.ce_id === message.id).length === 2)).filter(
      (r) => r.headers.ce_id === message.id,
    );
    expect(copies).toHaveLength(2);
    for (const r of recipients) {
      expect(receivedIds(r)).toEqual([message.id, later.id]);
      expect(r.sim.attempts).toBe(2);
    }
  });

  it('is not parked a second time behind its own first copy, which waits for a retry', { timeout: 60_000 }, async () => {
    // Retries 2 s apart: the window in which the copy and a later message arrive.
    const commune = await addAgencySystem(hub.url, 'qn-bai-chay', '000.01.05.H49', { delivery: { retrySchedule: ['2s', '2s', '2s'] } });
    onTestFinished(() => commune.sim.close());
    commune.sim.faults.set({ kind: 'error', status: 503 });
    const message = documentSent({ to: commune.agency, subject: 'ho-so-parked' });
    expect((await post(hub.url, message, { token })).status).toBe(202);
    await waitFor('the first attempt, refused with 503', () => commune.sim.attempts >= 1);

    // The copy, then a later message of the subject: it parks behind whatever the hold lists by then.
    expect((await post(hub.url, message, { token })).status).toBe(202);
    const later = documentSent({ to: commune.agency, subject: 'ho-so-parked' });
    expect((await post(hub.url, later, { token })).status).toBe(202);
    const [first, next] = [message, later].map((m) => hubIdOf(m.source as string, m.id as string));
    const key = `${commune.id}\nho-so-parked`;
    const queueOf = (value: string | null) => (value ? (JSON.parse(value) as { queue: { hubId: string }[] }).queue.map((p) => p.hubId) : []);
    const holds = await readTopicUntil(hub.topics.holds, (all) => all.some((r) => r.key === key && queueOf(r.value).includes(next!)));
    expect(queueOf(holds.filter((r) => r.key === key).at(-1)!.value)).toEqual([first, next]);
  });
});
