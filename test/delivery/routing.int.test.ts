import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const source = (code: string) => `urn:lgsp:agency:${code}`;

const agencies = {
  province: '000.00.00.H49',
  stp: '000.00.15.H49',
  haLong: '000.00.05.H49',
  baiChay: '000.01.05.H49',
  hongGai: '000.02.05.H49',
  quanLan: '000.01.09.H49',
  national: '000.00.00.G22',
};

describe('routing across the levels, delivered to the simulated agencies', () => {
  let hub: Hub;
  const systems: Record<string, AgencySystem> = {};
  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    await importDemoAgencies(hub.url);
    for (const [name, code] of Object.entries(agencies)) systems[name] = await addAgencySystem(hub.url, `qn-${name.toLowerCase()}`, code);
  });
  afterAll(async () => {
    await Promise.all(Object.values(systems).map((s) => s.sim.close()));
    await hub.close();
  });

  it('delivers a commune document to its parent district and the national node, and a province directive to its subtree', async () => {
    const fromCommune = documentSent({ source: source(agencies.baiChay), to: 'parent,national' });
    const accepted = await post(hub.url, fromCommune, { token: systems.baiChay!.token });
    expect(accepted.status).toBe(202);
    const { trace } = ((await accepted.json()) as { accepted: { trace: string }[] }).accepted[0]!;

    const directive = documentSent({ source: source(agencies.province), to: 'subtree' });
    expect((await post(hub.url, directive, { token: systems.province!.token })).status).toBe(202);

    await waitFor(
      'the commune document at the district and the national node',
      () => receivedIds(systems.haLong!).includes(fromCommune.id as string) && receivedIds(systems.national!).includes(fromCommune.id as string),
    );
    await waitFor('the directive in the whole subtree', () =>
      ['stp', 'haLong', 'baiChay', 'hongGai', 'quanLan'].every((n) => receivedIds(systems[n]!).includes(directive.id as string)),
    );
    for (const name of ['province', 'stp', 'hongGai', 'quanLan', 'baiChay']) expect(receivedIds(systems[name]!)).not.toContain(fromCommune.id);
    expect(receivedIds(systems.national!)).not.toContain(directive.id);

    const received = systems.haLong!.sim.received().find((r) => r.event.id === fromCommune.id)!;
    expect(received.idempotencyKey).toBe(trace.split('/').pop());
    expect(received.event).toMatchObject({ subject: fromCommune.subject, type: 'vn.gov.document.sent', data: fromCommune.data });

    const commune = await waitFor('the trace to show both recipients delivered', async () => {
      const body = (await (await asOperator(hub.url, trace)).json()) as { summary: string; recipients: { connector: string; state: string }[] };
      return body.recipients.length === 2 && body.recipients.every((r) => r.state === 'delivered') && body;
    });
    expect(commune.summary).toMatch(/^2 recipients: 2 delivered/);
  });

  it('records a status reply on the document trace and sends it back to the original sender', async () => {
    const document = documentSent({ source: source('000.00.00.H49'), to: '000.01.05.H49' });
    const { accepted } = (await (await post(hub.url, document, { token: systems.province!.token })).json()) as { accepted: { trace: string }[] };
    await waitFor('the document at the commune', () => receivedIds(systems.baiChay!).includes(document.id as string));
    const status = {
      specversion: '1.0',
      id: `st-${document.id}`,
      source: source('000.01.05.H49'),
      type: 'vn.gov.document.status',
      subject: document.subject,
      correlationid: document.id,
      data: { documentId: (document.data as { documentId: string }).documentId, statusCode: '03', timestamp: new Date().toISOString(), from: '000.01.05.H49' },
    };
    expect((await post(hub.url, status, { token: systems.baiChay!.token })).status).toBe(202);
    await waitFor('the status back at the province', () => receivedIds(systems.province!).includes(status.id));
    const trace = await waitFor('the business status on the document trace', async () => {
      const body = (await (await asOperator(hub.url, accepted[0]!.trace)).json()) as { summary: string; statuses: { agency: string; code: string }[] };
      return body.statuses.length > 0 && body;
    });
    expect(trace.statuses[0]).toMatchObject({ agency: '000.01.05.H49', code: '03' });
    expect(trace.summary).toMatch(/1 received/);
  });

  it('records an addressed agency with no connector as unreachable', async () => {
    const toNobody = documentSent({ source: source('000.00.00.H49'), to: '000.00.16.H49' });
    const { accepted } = (await (await post(hub.url, toNobody, { token: systems.province!.token })).json()) as { accepted: { trace: string }[] };
    const trace = await waitFor('the routed trace', async () => {
      const body = (await (await asOperator(hub.url, accepted[0]!.trace)).json()) as { unreachable: string[]; summary: string };
      return body.unreachable?.length > 0 && body;
    });
    expect(trace.unreachable).toEqual(['000.00.16.H49']);
  });
});
