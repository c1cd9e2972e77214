import { describe, expect, it, onTestFinished } from 'vitest';
import { addAgencySystem, receivedIds, useDeliveryHub } from '../helpers/agencies.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('order per (recipient, subject), retries included', () => {
  const fixture = useDeliveryHub({});

  it('holds later messages of a subject behind one waiting to be retried, and lets other subjects pass', async () => {
    const { hub, token } = fixture;
    // A 2 s wait before each retry: the window in which later messages arrive.
    const commune = await addAgencySystem(hub.url, 'qn-bai-chay', '000.01.05.H49', { delivery: { retrySchedule: ['2s', '2s', '2s'] } });
    onTestFinished(() => commune.sim.close());
    const to = commune.agency;
    const m1 = documentSent({ to, subject: 'ho-so-1' });
    commune.sim.faults.set({ kind: 'error', status: 503, times: 1 });
    expect((await post(hub.url, m1, { token })).status).toBe(202);
    await waitFor('the first attempt, refused with 503', () => commune.sim.attempts >= 1);

    const [m2, m3] = [documentSent({ to, subject: 'ho-so-1' }), documentSent({ to, subject: 'ho-so-1' })];
    const other = documentSent({ to, subject: 'ho-so-2' });
    for (const m of [m2, m3, other]) expect((await post(hub.url, m, { token })).status).toBe(202);

    await waitFor('every message delivered', () => [m1, m2, m3, other].every((m) => receivedIds(commune).includes(m.id as string)), 20_000);
    const order = receivedIds(commune);
    // The other subject passed the one waiting to be retried…
    expect(order.indexOf(other.id as string)).toBeLessThan(order.indexOf(m1.id as string));
    // …and the held subject kept its order.
    expect(order.filter((id) => [m1.id, m2.id, m3.id].includes(id))).toEqual([m1.id, m2.id, m3.id]);
  });
});
