import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const N = 100;

async function breakerState(hubUrl: string, connector: string): Promise<number | undefined> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  const match = new RegExp(`lgsp_circuit_breaker_state\\{connector="${connector}"\\} (\\d)`).exec(text);
  return match ? Number(match[1]) : undefined;
}

describe('one recipient failing', () => {
  let hub: Hub;
  let token: string;
  let down: AgencySystem;
  let up: AgencySystem;
  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    token = (await seedSenders(hub.url)).sender;
    // The failing system gets a long breaker reset and no retry limit in practice (breaker-open waits use none up).
    down = await addAgencySystem(hub.url, 'qn-quan-lan', '000.01.09.H49', {
      delivery: { breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 1_500 } },
    });
    up = await addAgencySystem(hub.url, 'qn-hong-gai', '000.02.05.H49');
  });
  afterAll(async () => {
    await Promise.all([down.sim.close(), up.sim.close()]);
    await hub.close();
  });

  /** Sends N messages (distinct subjects) to `to` and returns the seconds until `system` has them all. */
  async function timeToDeliver(to: string, system: AgencySystem): Promise<{ seconds: number; ids: string[] }> {
    const messages = Array.from({ length: N }, (_, i) => documentSent({ to, subject: `isolation-${Date.now()}-${i}` }));
    const started = Date.now();
    for (let i = 0; i < N; i += 25) {
      const res = await post(hub.url, messages.slice(i, i + 25), { token, contentType: 'application/cloudevents-batch+json' });
      expect(res.status).toBe(202);
    }
    const ids = messages.map((m) => m.id as string);
    await waitFor(`${N} messages at ${system.id}`, () => ids.every((id) => receivedIds(system).includes(id)), 30_000);
    return { seconds: (Date.now() - started) / 1000, ids };
  }

  it('does not slow the others while its breaker is open, and catches up by itself once it is back', async () => {
    const baseline = await timeToDeliver(up.agency, up);

    down.sim.faults.set({ kind: 'error', status: 503 });
    const attemptsBefore = down.sim.attempts;
    const both = await timeToDeliver(`${down.agency},${up.agency}`, up);
    console.log(
      `isolation: ${N} messages to the healthy recipient in ${baseline.seconds.toFixed(2)} s alone, ${both.seconds.toFixed(2)} s beside one failing with its breaker open`,
    );
    expect(both.seconds).toBeLessThan(Math.max(3 * baseline.seconds, baseline.seconds + 3));

    await waitFor("the failing recipient's breaker to open", async () => (await breakerState(hub.url, down.id)) === 2);
    // Open: the endpoint sees only the trial request of each half-open period, not N retries.
    const whileOpen = down.sim.attempts;
    await new Promise((r) => setTimeout(r, 3_500));
    const trials = down.sim.attempts - whileOpen;
    expect(trials).toBeGreaterThanOrEqual(1);
    expect(trials).toBeLessThanOrEqual(4);
    expect(down.sim.attempts - attemptsBefore).toBeLessThan(N);

    down.sim.faults.clear();
    await waitFor('every message to reach the recovered recipient', () => both.ids.every((id) => receivedIds(down).includes(id)), 30_000);
    expect(await breakerState(hub.url, down.id)).toBe(0);
  });
});
