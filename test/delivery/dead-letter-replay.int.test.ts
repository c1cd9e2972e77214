import { describe, expect, it } from 'vitest';
import { receivedIds, useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Letter {
  id: string;
  connector: string;
  stage: string;
  reason: string;
  status?: number;
  replayed?: unknown;
}

describe('a refused delivery, end to end', () => {
  const fixture = useDeliveryHub({ 'qn-hong-gai': '000.02.05.H49' });

  it('goes to the dead letters with the response, and a replay delivers it with the same Idempotency-Key', async () => {
    const { hub, token, systems } = fixture;
    const commune = systems['qn-hong-gai']!;
    commune.sim.faults.set({ kind: 'reject', status: 422, body: { error: 'Thiếu số ký hiệu văn bản' }, times: 1 });
    const message = documentSent({ to: commune.agency });
    const { accepted } = (await (await post(hub.url, message, { token })).json()) as { accepted: { trace: string }[] };
    const hubId = accepted[0]!.trace.split('/').pop()!;

    const letter = await waitFor('the dead letter', async () => {
      const { deadLetters } = (await (await asOperator(hub.url, `/v1/dead-letters?connector=${commune.id}`)).json()) as { deadLetters: Letter[] };
      return deadLetters[0];
    });
    expect(letter).toMatchObject({ connector: commune.id, stage: 'deliver', status: 422 });
    const detail = (await (await asOperator(hub.url, `/v1/dead-letters/${letter.id}`)).json()) as { response?: string };
    expect(detail.response).toContain('Thiếu số ký hiệu văn bản');
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(new RegExp(`lgsp_dead_letters\\{connector="${commune.id}"\\} 1`));

    const replay = await asOperator(hub.url, `/v1/dead-letters/${letter.id}:replay`, { method: 'POST' });
    expect(replay.status).toBe(200);
    await waitFor('the replayed delivery at the commune', () => receivedIds(commune).includes(message.id as string));
    expect(commune.sim.received().find((r) => r.event.id === message.id)!.idempotencyKey).toBe(hubId);
    const trace = await waitFor('the trace to show the replayed delivery', async () => {
      const body = (await (await asOperator(hub.url, accepted[0]!.trace)).json()) as { recipients: { state: string }[]; timeline: { kind: string }[] };
      return body.recipients[0]?.state === 'delivered' && body;
    });
    expect(trace.timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['dead-lettered', 'replayed', 'delivered']));
    await waitFor('the dead-letter gauge to drop', async () =>
      new RegExp(`lgsp_dead_letters\\{connector="${commune.id}"\\} 0`).test(await (await fetch(`${hub.url}/metrics`)).text()),
    );
  });
});
