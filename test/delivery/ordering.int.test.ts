import { describe, expect, it } from 'vitest';
import { receivedIds, useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('order per (recipient, subject), retries included', () => {
  const fixture = useDeliveryHub({ 'qn-bai-chay': '000.01.05.H49' });

  it('holds later messages of a subject behind one waiting to be retried, and lets other subjects pass', async () => {
    const { hub, token, systems } = fixture;
    const commune = systems['qn-bai-chay']!;
    const to = '000.01.05.H49';
    const m1 = documentSent({ to, subject: 'ho-so-1' });
    commune.sim.faults.set({ kind: 'error', status: 503, times: 2 });
    const { accepted } = (await (await post(hub.url, m1, { token })).json()) as { accepted: { trace: string }[] };
    await waitFor('the first delivery to be retrying', async () => {
      const trace = (await (await asOperator(hub.url, accepted[0]!.trace)).json()) as { recipients: { state: string }[] };
      return trace.recipients[0]?.state === 'retrying';
    });
    const [m2, m3] = [documentSent({ to, subject: 'ho-so-1' }), documentSent({ to, subject: 'ho-so-1' })];
    const other = documentSent({ to, subject: 'ho-so-2' });
    for (const m of [m2, m3, other]) expect((await post(hub.url, m, { token })).status).toBe(202);

    await waitFor('the other subject to be delivered while the first waits', () => receivedIds(commune).includes(other.id as string));
    expect(receivedIds(commune)).not.toContain(m2.id);
    await waitFor('every message delivered', () => [m1, m2, m3].every((m) => receivedIds(commune).includes(m.id as string)), 20_000);
    const subjectOne = receivedIds(commune).filter((id) => [m1.id, m2.id, m3.id].includes(id));
    expect(subjectOne).toEqual([m1.id, m2.id, m3.id]);
  });
});
