import { describe, expect, it } from 'vitest';
import { useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Letter {
  id: string;
  connector: string;
  stage: string;
  reason: string;
  origin?: { topic: string; partition: number; offset: string };
}

describe('a delivery whose connector was removed', () => {
  const fixture = useDeliveryHub({ 'qn-cam-pha': '000.01.09.H49' });

  it('is dead-lettered at stage route, naming the topic, partition and offset it was read from', async () => {
    const { hub, token, systems } = fixture;
    const city = systems['qn-cam-pha']!;
    city.sim.faults.set({ kind: 'error', status: 503 });
    await post(hub.url, documentSent({ to: city.agency }), { token });
    await waitFor('a first failed attempt', () => city.sim.attempts > 0);
    expect((await asOperator(hub.url, `/v1/connectors/${city.id}`, { method: 'DELETE' })).status).toBe(204);

    const letter = await waitFor('the dead letter', async () => {
      const { deadLetters } = (await (await asOperator(hub.url, `/v1/dead-letters?connector=${city.id}`)).json()) as { deadLetters: Letter[] };
      return deadLetters[0];
    });
    expect(letter).toMatchObject({ stage: 'route', reason: `connector "${city.id}" is no longer registered` });
    const detail = (await (await asOperator(hub.url, `/v1/dead-letters/${letter.id}`)).json()) as Letter;
    expect(detail.origin?.topic).toMatch(/\.retry\./);
    expect(detail.origin?.partition).toBeGreaterThanOrEqual(0);
    expect(Number(detail.origin?.offset)).toBeGreaterThanOrEqual(0);
  });
});
