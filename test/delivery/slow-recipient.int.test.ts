import { describe, expect, it, onTestFinished } from 'vitest';
import { addAgencySystem, expectOrderPerSubject, FAST_RETRIES, receivedIds } from '../helpers/agencies.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

// Deliveries are keyed by recipient agency: these two are read from different partitions
// (partitions 3 and 4 of 6 with kafkajs's default partitioner).
const SLOW = { id: 'qn-van-don-slow', agency: '000.00.09.H49' };
const FAST = { id: 'qn-van-don-fast', agency: '000.01.09.H49' };
const ANSWERS_AFTER_MS = 3_000;

describe('a recipient that is slow but answers', () => {
  it('holds back only its own partition: others are delivered while its delivery is in flight', { timeout: 90_000 }, async () => {
    const hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    onTestFinished(() => hub.close());
    const token = (await seedSenders(hub.url)).sender;
    const delivery = { timeoutMs: 10_000 };
    const slow = await addAgencySystem(hub.url, SLOW.id, SLOW.agency, { delivery });
    const fast = await addAgencySystem(hub.url, FAST.id, FAST.agency, { delivery });
    onTestFinished(() => Promise.all([slow.sim.close(), fast.sim.close()]).then(() => undefined));
    slow.sim.faults.set({ kind: 'slow', delayMs: ANSWERS_AFTER_MS });

    const toSlow = [0, 1].map(() => documentSent({ to: SLOW.agency, subject: 'slow-lane' }));
    for (const m of toSlow) expect((await post(hub.url, m, { token })).status).toBe(202);
    await waitFor('the slow recipient to be answering its first delivery', () => slow.sim.attempts >= 1, 20_000);

    const toFast = Array.from({ length: 30 }, (_, i) => documentSent({ to: FAST.agency, subject: `fast-${i % 5}` }));
    for (const m of toFast) expect((await post(hub.url, m, { token })).status).toBe(202);
    await waitFor('every message at the fast recipient', () => new Set(receivedIds(fast)).size === toFast.length, 20_000);
    // Had the fast recipient's records waited for the next fetch after the slow batch (kafkajs's
    // fetch barrier), the slow recipient would have answered by now.
    expect(slow.sim.received()).toHaveLength(0);

    await waitFor('both messages at the slow recipient', () => slow.sim.received().length === toSlow.length, 30_000);
    expectOrderPerSubject(slow, toSlow);
    expectOrderPerSubject(fast, toFast);
  });
});
