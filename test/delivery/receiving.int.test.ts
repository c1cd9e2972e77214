/**
 * Receiving (SPEC §1, v2), as a new user meets it: the demo directory imported, webhook connectors
 * registered with an endpoint and no subscriptions, a commune writing to `parent`. What is addressed
 * to an agency reaches each of its connectors that accepts the type; `accepts` narrows that and the
 * trace says which agency had no connector for which type; subscriptions are for unaddressed
 * messages only; registration says when a connector accepts nothing addressed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const COMMUNE = '000.01.05.H49'; // UBND phường Bãi Cháy
const DISTRICT = '000.00.05.H49'; // UBND thành phố Hạ Long, its parent
const PROVINCE = '000.00.00.H49';
const source = (code: string) => `urn:lgsp:agency:${code}`;
const TRANSFER = JSON.parse(
  readFileSync('schemas/messages/examples/vn.gov.dossier.transferred.v1/valid-lien-thong-khai-sinh-thuong-tru.json', 'utf8'),
) as Record<string, unknown>;

interface TraceBody {
  recipients: { connector: string; state: string }[];
  unreachable: string[];
  unreachableReasons: Record<string, string>;
  summary: string;
}

describe('receiving: addressed messages go to the connectors that accept their type', () => {
  let hub: Hub;
  let commune: AgencySystem;
  let district: AgencySystem;
  let archive: AgencySystem;

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    await importDemoAgencies(hub.url);
    // It also hands dossiers over (sending rights: a one-stop system, docs/policies.md).
    commune = await addAgencySystem(hub.url, 'qn-baichay-eoffice', COMMUNE, { subscriptions: [], roles: ['one-stop'] });
    district = await addAgencySystem(hub.url, 'qn-halong-eoffice', DISTRICT, { subscriptions: [] });
    // The province's records archive: it subscribes to every document sent without `to`.
    archive = await addAgencySystem(hub.url, 'qn-ubnd-archive', PROVINCE, { subscriptions: [{ type: 'vn.gov.document.sent' }] });
  });
  afterAll(async () => {
    await Promise.all([commune, district, archive].map((s) => s?.sim.close()));
    await hub?.close();
  });

  /** Sends `event` from the commune; the trace URL. */
  async function send(event: Record<string, unknown>): Promise<string> {
    const res = await post(hub.url, event, { token: commune.token });
    expect(res.status, await res.clone().text()).toBe(202);
    return ((await res.json()) as { accepted: { trace: string }[] }).accepted[0]!.trace;
  }

  const routedTrace = (trace: string) =>
    waitFor(`the routed trace ${trace}`, async () => {
      const res = await asOperator(hub.url, trace);
      const body = (await res.json()) as TraceBody;
      return res.status === 200 && body.summary !== 'accepted, not routed yet' && body;
    });

  it('delivers a commune document to `parent` at a district connector registered without subscriptions (the issue)', async () => {
    const document = documentSent({ source: source(COMMUNE), to: 'parent' });
    const trace = await send(document);
    await waitFor('the document at the district', () => receivedIds(district).includes(document.id as string));
    const body = await waitFor('the trace to show it delivered', async () => {
      const t = (await (await asOperator(hub.url, trace)).json()) as TraceBody;
      return t.recipients.every((r) => r.state === 'delivered') && t;
    });
    expect(body.recipients.map((r) => r.connector)).toEqual(['qn-halong-eoffice']);
    expect(body).toMatchObject({ unreachable: [], unreachableReasons: {}, summary: '1 recipient: 1 delivered' });
    expect(receivedIds(archive)).not.toContain(document.id); // it subscribes, but the document was addressed
  });

  it('gives an unaddressed message to the subscribers only, and an addressed one once to a connector that also subscribes', async () => {
    const unaddressed = documentSent({ source: source(COMMUNE), to: undefined });
    await send(unaddressed);
    await waitFor('the unaddressed document at the subscriber', () => receivedIds(archive).includes(unaddressed.id as string));

    const toProvince = documentSent({ source: source(COMMUNE), to: PROVINCE });
    const trace = await send(toProvince);
    await waitFor('the addressed document at the province', () => receivedIds(archive).includes(toProvince.id as string));
    const body = await waitFor('the delivered trace', async () => {
      const t = (await (await asOperator(hub.url, trace)).json()) as TraceBody;
      return t.recipients.every((r) => r.state === 'delivered') && t;
    });
    expect(body.recipients.map((r) => r.connector)).toEqual(['qn-ubnd-archive']);
    expect(receivedIds(archive).filter((id) => id === toProvince.id)).toHaveLength(1);
    expect(receivedIds(district)).not.toContain(unaddressed.id);
  });

  it('narrows by `accepts`: a refused type is unreachable, with the agency and the type in the trace; an accepted one is delivered', async () => {
    const {
      createdAt: _c,
      updatedAt: _u,
      ...manifest
    } = (await (await asOperator(hub.url, '/v1/connectors/qn-halong-eoffice')).json()) as Record<string, unknown>;
    const put = await asOperator(hub.url, '/v1/connectors/qn-halong-eoffice', {
      method: 'PUT',
      body: { ...manifest, accepts: ['vn.gov.dossier.transferred'] },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ accepts: ['vn.gov.dossier.transferred'], warnings: [] });

    const document = documentSent({ source: source(COMMUNE), to: 'parent' });
    const refused = await routedTrace(await send(document));
    expect(refused).toMatchObject({
      recipients: [],
      unreachable: [DISTRICT],
      unreachableReasons: { [DISTRICT]: `${DISTRICT} has no connector that accepts vn.gov.document.sent` },
      summary: '0 recipients; 1 unreachable',
    });

    const data = { ...(TRANSFER.data as object), fromAgency: COMMUNE, toAgency: DISTRICT };
    const transfer = { ...structuredClone(TRANSFER), id: `lt-${document.id as string}`, source: source(COMMUNE), to: 'parent', data };
    await send(transfer);
    await waitFor('the dossier at the district', () => receivedIds(district).includes(transfer.id));
    expect(receivedIds(district)).not.toContain(document.id);
  });

  it('registers a connector that accepts nothing addressed, and says so', async () => {
    const register = async (manifest: Record<string, unknown>) => {
      const res = await asOperator(hub.url, '/v1/connectors', { body: manifest });
      expect(res.status).toBe(201);
      return ((await res.json()) as { warnings: string[] }).warnings;
    };
    expect(await register({ id: 'qn-syt-sender', agency: '000.00.16.H49', kind: 'webhook' })).toEqual([
      'qn-syt-sender accepts nothing addressed to 000.00.16.H49: it has no endpoint; add "endpoint" for it to receive what is sent to its agency.',
    ]);
    expect(await register({ id: 'qn-syt-quiet', agency: '000.00.16.H49', kind: 'webhook', endpoint: 'http://127.0.0.1:9/events', accepts: [] })).toEqual([
      'qn-syt-quiet accepts nothing addressed to 000.00.16.H49: its "accepts" is empty.',
    ]);
    const validated = await asOperator(hub.url, '/v1/connectors:validate', { body: { id: 'qn-syt-other', agency: '000.00.16.H49', kind: 'webhook' } });
    expect(((await validated.json()) as { warnings: string[] }).warnings).toHaveLength(1);

    const refused = await asOperator(hub.url, '/v1/connectors', {
      body: { id: 'qn-syt-bad', agency: '000.00.16.H49', kind: 'edxml', endpoint: 'http://127.0.0.1:9/edxml', accepts: ['vn.gov.dossier.status'] },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['/accepts/0']);

    // Nothing addressed to Sở Y tế reaches either, and the trace says so.
    const trace = await routedTrace(await send(documentSent({ source: source(COMMUNE), to: '000.00.16.H49' })));
    expect(trace.unreachableReasons).toEqual({ '000.00.16.H49': '000.00.16.H49 has no connector that accepts vn.gov.document.sent' });
  });
});
