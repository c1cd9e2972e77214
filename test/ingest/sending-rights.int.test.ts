/**
 * Sending rights at the front door (SPEC §1, docs/policies.md), against a real broker: each
 * default rule refusing and allowing, a forged status refused with nothing written, an operator's
 * rule allowing what the default refuses until it is deleted, and both changes audited.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubIdOf } from '../../src/contract/hub-id.ts';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { lgsp } from '../cli/run-lgsp.ts';

const PROVINCE = '000.00.00.H49';
const BAI_CHAY = '000.01.05.H49';
const HONG_GAI = '000.02.05.H49';
const HA_LONG = '000.00.05.H49';
const source = (code: string) => `urn:lgsp:agency:${code}`;
const example = (file: string) => JSON.parse(readFileSync(`schemas/messages/examples/${file}`, 'utf8')) as Record<string, unknown>;
const DOSSIER_STATUS = example('vn.gov.dossier.status.v1/valid-da-tra-ket-qua.json');
const RECORD = example('vn.gov.record.synced.v1/valid-delete.json');

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

describe('sending rights', () => {
  let hub: Hub;
  let province: AgencySystem, baiChay: AgencySystem, hongGai: AgencySystem, haLongEoffice: AgencySystem, haLongOneStop: AgencySystem;
  let n = 0;
  const fresh = (event: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> => ({
    ...event,
    id: `sr-${Date.now()}-${n++}`,
    ...overrides,
  });
  const send = async (system: AgencySystem, event: unknown) => {
    const contentType = Array.isArray(event) ? 'application/cloudevents-batch+json' : 'application/cloudevents+json';
    const res = await post(hub.url, event, { token: system.token, contentType });
    return { status: res.status, body: (await res.json()) as Problem & { accepted: { trace: string }[] } };
  };
  const dossierStatus = (from: string, to: string) =>
    fresh(DOSSIER_STATUS, { source: source(from), to, subject: `${from}-sr`, data: { ...(DOSSIER_STATUS.data as object), dossierCode: `${from}-sr` } });
  const traceOf = async (path: string) => (await asOperator(hub.url, path)).json() as Promise<{ statuses: { agency: string; code: string }[] }>;

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    await importDemoAgencies(hub.url);
    province = await addAgencySystem(hub.url, 'sr-province', PROVINCE);
    baiChay = await addAgencySystem(hub.url, 'sr-baichay', BAI_CHAY);
    hongGai = await addAgencySystem(hub.url, 'sr-honggai', HONG_GAI);
    haLongEoffice = await addAgencySystem(hub.url, 'sr-halong-eoffice', HA_LONG);
    haLongOneStop = await addAgencySystem(hub.url, 'sr-halong-motcua', HA_LONG, { roles: ['one-stop'], subscriptions: [] });
  });
  afterAll(async () => {
    await Promise.all([province, baiChay, hongGai, haLongEoffice, haLongOneStop].map((s) => s?.sim.close()));
    await hub?.close();
  });

  it('documents go to any agency of the directory; an unknown code is still unknown-recipient', async () => {
    expect((await send(hongGai, documentSent({ source: source(HONG_GAI), to: `parent,${PROVINCE}` }))).status).toBe(202);
    const unknown = await send(hongGai, documentSent({ source: source(HONG_GAI), to: '000.99.99.H49' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.type).toBe('https://lgsp-hub.dev/problems/unknown-recipient');
  });

  it('dossier messages only from a one-stop connector', async () => {
    const refused = await send(haLongEoffice, dossierStatus(HA_LONG, 'national'));
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('https://lgsp-hub.dev/problems/send-not-allowed');
    expect(refused.body.detail).toContain('vn.gov.dossier.status from connector "sr-halong-eoffice" refused by the default rule');
    expect(refused.body.detail).toContain('from.roles: connector "sr-halong-eoffice" has no role, not one-stop');
    expect(refused.body.detail).toContain('manifest "roles"');
    expect(refused.body.errors).toEqual([{ path: '/source', message: expect.stringContaining('from.roles') as string }]);

    expect((await send(haLongOneStop, dossierStatus(HA_LONG, 'national'))).status).toBe(202);
    const elsewhere = await send(haLongOneStop, dossierStatus(HA_LONG, `national,${PROVINCE}`));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.detail).toContain(`to: ${PROVINCE} is none of national, dossier`);
  });

  it('a batch with one refused event writes nothing', async () => {
    const ok = documentSent({ source: source(HA_LONG), to: PROVINCE });
    const refused = await send(haLongEoffice, [ok, dossierStatus(HA_LONG, 'national')]);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('(event 1)');
    expect(refused.body.errors?.[0]?.path).toBe('/1/source');
    expect((await asOperator(hub.url, `/v1/messages/${hubIdOf(source(HA_LONG), ok.id as string)}`)).status).toBe(404);
  });

  it('refuses a forged status for a document its sender was not routed, writes nothing, adds nothing to the trace; takes the genuine one', async () => {
    const document = documentSent({ source: source(PROVINCE), to: BAI_CHAY });
    const { body } = await send(province, document);
    const trace = body.accepted[0]!.trace;
    await waitFor('the document at Bãi Cháy', () => receivedIds(baiChay).includes(document.id as string));
    const status = (by: string) =>
      fresh(
        {
          specversion: '1.0',
          source: source(by),
          type: 'vn.gov.document.status',
          subject: document.subject,
          correlationid: document.id,
          data: { documentId: (document.data as { documentId: string }).documentId, statusCode: '06', timestamp: new Date().toISOString(), from: by },
        },
        {},
      );

    const forged = status(HONG_GAI);
    const refused = await send(hongGai, forged);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain(
      `correlationid: it answers "${String(document.id)}", and the hub knows no message with that id it routed to ${HONG_GAI}`,
    );
    expect((await asOperator(hub.url, `/v1/messages/${hubIdOf(forged.source as string, forged.id as string)}`)).status).toBe(404);

    const genuine = status(BAI_CHAY);
    expect((await send(baiChay, genuine)).status).toBe(202);
    const statuses = await waitFor('the genuine status on the trace', async () => {
      const t = await traceOf(trace);
      return t.statuses.length > 0 && t.statuses;
    });
    expect(statuses).toEqual([expect.objectContaining({ agency: BAI_CHAY, code: '06' })]);
    await waitFor('the genuine status at the province', () => receivedIds(province).includes(genuine.id as string));
    expect(receivedIds(province)).not.toContain(forged.id);
  });

  it('records only from the source an operator registers for the record set', async () => {
    const record = () => fresh(RECORD, { source: source(PROVINCE) });
    const refused = await send(province, record());
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('register "danh-muc-don-vi-hanh-chinh" has no registered source');
    const rule = { from: { registers: { 'danh-muc-don-vi-hanh-chinh': ['sr-province'] } }, to: ['directory'] };
    expect((await asOperator(hub.url, '/v1/policies/vn.gov.record.synced', { method: 'PUT', body: rule })).status).toBe(200);
    expect((await send(province, record())).status).toBe(202);
    expect((await send(haLongEoffice, fresh(RECORD, { source: source(HA_LONG) }))).status).toBe(403);
    expect((await asOperator(hub.url, '/v1/policies/vn.gov.record.synced', { method: 'DELETE' })).status).toBe(200);
  });

  it("an operator's rule allows what the default refuses, until it is deleted; both changes are audited", async () => {
    const type = 'vn.gov.dossier.status';
    const shown = (await (await asOperator(hub.url, `/v1/policies/${type}`)).json()) as { origin: string; rule: unknown };
    expect(shown).toMatchObject({ origin: 'default', rule: { from: { roles: ['one-stop'] }, to: ['national', 'dossier'] } });

    const rule = {
      from: { connectors: ['sr-halong-eoffice'] },
      to: ['national'],
      note: 'the e-office system also syncs dossiers until the one-stop goes live',
    };
    const put = await asOperator(hub.url, `/v1/policies/${type}`, { method: 'PUT', body: rule });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ type, origin: 'operator', rule, updatedBy: 'admin' });
    expect((await send(haLongEoffice, dossierStatus(HA_LONG, 'national'))).status).toBe(202);
    const byRule = await send(haLongOneStop, dossierStatus(HA_LONG, 'national'));
    expect(byRule.body.detail).toContain('refused by the rule an operator set');

    const list = (await (await asOperator(hub.url, '/v1/policies')).json()) as { policies: { type: string; origin: string }[] };
    expect(list.policies.find((p) => p.type === type)?.origin).toBe('operator');
    expect(list.policies.find((p) => p.type === 'vn.gov.document.sent')?.origin).toBe('default');

    const reset = await asOperator(hub.url, `/v1/policies/${type}`, { method: 'DELETE' });
    expect(await reset.json()).toMatchObject({ origin: 'default' });
    expect((await send(haLongEoffice, dossierStatus(HA_LONG, 'national'))).status).toBe(403);

    const audit = (await (await asOperator(hub.url, '/v1/audit?action=policies')).json()) as { entries: { action: string; params?: { type?: string } }[] };
    const actions = audit.entries.filter((e) => e.params?.type === type).map((e) => e.action);
    expect(actions).toEqual(['DELETE /v1/policies/{type}', 'PUT /v1/policies/{type}']);
  });

  it('lgsp policies list, show, set and reset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-policies-'));
    try {
      const file = join(dir, 'rule.json');
      await writeFile(file, JSON.stringify({ from: { kinds: ['edxml'] }, to: ['subtree'], note: 'e-office systems only, downwards' }));
      const set = await lgsp(hub.url, ['policies', 'set', 'vn.gov.document.revoked', file]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toMatch(/vn\.gov\.document\.revoked now follows the rule below\n[\s\S]*origin +set by admin at /);
      const list = await lgsp(hub.url, ['policies', 'list']);
      expect(list.stdout).toMatch(/vn\.gov\.document\.revoked +operator +\{"kinds":\["edxml"\]\} +subtree/);
      expect(list.stdout).toMatch(/vn\.gov\.document\.sent +default +any connector +directory/);
      expect(list.stdout).toContain('8 types');
      const show = await lgsp(hub.url, ['policies', 'show', 'vn.gov.document.revoked', '--json']);
      expect(JSON.parse(show.stdout)).toMatchObject({ origin: 'operator', rule: { to: ['subtree'] } });
      const reset = await lgsp(hub.url, ['policies', 'reset', 'vn.gov.document.revoked']);
      expect(reset.stdout).toMatch(/follows its default again[\s\S]*documents: any connector, to any agency of the directory/);
      const unknown = await lgsp(hub.url, ['policies', 'show', 'vn.gov.permit.issued']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('lgsp policies list shows every message type');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a rule that is not one, and a type that does not exist', async () => {
    const bad = await asOperator(hub.url, '/v1/policies/vn.gov.dossier.status', { method: 'PUT', body: { from: { roles: ['mayor'] }, to: ['everyone'] } });
    expect(bad.status).toBe(422);
    expect((await asOperator(hub.url, '/v1/policies/vn.gov.permit.issued')).status).toBe(404);
  });
});
