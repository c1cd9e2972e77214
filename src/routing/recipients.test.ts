import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../connectors/index.ts';
import type { CloudEvent } from '../contract/cloud-event.ts';
import { SchemaSet, type AgencyRecord, type ConnectorManifest } from '../contract/schema-set.ts';
import { AgencyDirectory } from '../registry/agency-directory.ts';
import { ConnectorKinds } from '../registry/connector-kinds.ts';
import { receiversOf, resolveRecipients } from './recipients.ts';

const directory = AgencyDirectory.from(JSON.parse(readFileSync('directory/demo-province.json', 'utf8')) as AgencyRecord[]);
const schemas = await SchemaSet.load();
const kinds = new ConnectorKinds(ADAPTERS, schemas, [5_000]);
const DOC = 'vn.gov.document.sent';
const DOSSIER = 'vn.gov.dossier.status';
/** A manifest as registered; a webhook with an endpoint and no subscriptions unless `extra` says otherwise. */
const connector = (id: string, agency: string, extra: Partial<ConnectorManifest> = {}) =>
  ({ id, agency, kind: 'webhook', endpoint: `https://${id}.example/events`, subscriptions: [], ...extra }) as ConnectorManifest;
const PORTAL_SETTINGS = { adapterUrl: 'https://dvcqg.example/', username: 'u', password: 'p', dstcode: 'H49', madonvi: '000.00.00.H49' };
const receivers = receiversOf(
  [
    connector('ubnd-tinh', '000.00.00.H49'),
    connector('stp', '000.00.15.H49'),
    connector('ha-long', '000.00.05.H49', { kind: 'edxml' }),
    connector('ha-long-motcua', '000.00.05.H49', { accepts: ['vn.gov.dossier.transferred', DOSSIER] }),
    connector('bai-chay', '000.01.05.H49'),
    connector('hong-gai', '000.02.05.H49', { kind: 'edxml', subscriptions: [{ type: DOC }] }),
    connector('quan-lan', '000.01.09.H49'),
    connector('vpcp-edoc', '000.00.00.G22', { kind: 'edxml' }),
    connector('vpcp-dvcqg', '000.00.00.G22', { kind: 'dvcqg', endpoint: undefined, settings: PORTAL_SETTINGS }),
    connector('archive', '000.00.00.H49', { accepts: [], subscriptions: [{ type: DOSSIER, filter: { sourceLevel: 'commune' } }] }),
    // Accept nothing addressed: a webhook without an endpoint, and the province's seat on the national axis (a relay).
    connector('ubnd-sender', '000.00.00.H49', { endpoint: undefined }),
    connector('vdxp-axis', '000.00.00.H49', { kind: 'vdxp', endpoint: undefined, settings: { baseUrl: 'https://axis.example/', systemId: 's', secret: 'x' } }),
  ],
  kinds,
);

const message = (source: string, extra: Partial<CloudEvent> = {}, ingestedBy = 'sender') => ({
  event: { specversion: '1.0', id: 'x', source: `urn:lgsp:agency:${source}`, type: DOC, subject: 's', data: {}, ...extra } as CloudEvent,
  hubId: 'h',
  connector: ingestedBy,
  acceptedAt: '',
});
const ids = (r: ReturnType<typeof resolveRecipients>) => r.recipients.map((x) => x.connector).sort();

describe('receiversOf', () => {
  it('keeps the connectors the hub can deliver to, with the types each accepts addressed', () => {
    const accepts = Object.fromEntries(receivers.map((r) => [r.manifest.id, [...r.accepts]]));
    expect(Object.keys(accepts)).not.toContain('ubnd-sender'); // a webhook without an endpoint
    expect(accepts['ubnd-tinh']).toEqual(schemas.messageTypes); // a webhook: every type there is a schema of
    expect(accepts['ha-long']).toEqual(expect.arrayContaining([DOC, 'vn.gov.document.status', 'vn.gov.document.revoked']));
    expect(accepts['ha-long']).not.toContain(DOSSIER);
    expect(accepts['ha-long-motcua']!.sort()).toEqual([DOSSIER, 'vn.gov.dossier.transferred']);
    expect(accepts['vpcp-dvcqg']).toEqual([DOSSIER]);
    expect(accepts.archive).toEqual([]);
    expect(accepts['vdxp-axis']).toEqual([]);
  });
});

describe('resolveRecipients', () => {
  it('delivers what is addressed to an agency to its connectors without subscriptions (the issue: a commune writing to its parent)', () => {
    const r = resolveRecipients(message('000.01.05.H49', { to: 'parent,national' }), { directory, receivers });
    expect(ids(r)).toEqual(['ha-long', 'vpcp-edoc']);
    expect(r.unreachable).toEqual([]);
    expect(r.reasons).toEqual({});
    expect(ids(resolveRecipients(message('000.00.00.H49', { to: '000.01.05.H49' }), { directory, receivers }))).toEqual(['bai-chay']);
  });

  it('sends a province directive to its whole subtree, at any depth, and records why agencies are unreachable', () => {
    const r = resolveRecipients(message('000.00.00.H49', { to: 'subtree' }), { directory, receivers });
    expect(ids(r)).toEqual(['bai-chay', 'ha-long', 'hong-gai', 'quan-lan', 'stp']);
    expect(r.unreachable).toEqual(expect.arrayContaining(['000.00.16.H49', '000.00.09.H49', '000.12.05.H49']));
    expect(Object.keys(r.reasons).sort()).toEqual([...r.unreachable].sort());
    expect(r.reasons['000.00.09.H49']).toBe('000.00.09.H49 has no connector that accepts vn.gov.document.sent');
  });

  it("narrows by the connector's kind and its `accepts`, and names the agency and type nobody accepts", () => {
    const transferred = resolveRecipients(message('000.01.05.H49', { type: 'vn.gov.dossier.transferred', to: 'parent' }), { directory, receivers });
    expect(ids(transferred)).toEqual(['ha-long-motcua']);
    const document = resolveRecipients(message('000.01.05.H49', { to: 'parent' }), { directory, receivers });
    expect(ids(document)).toEqual(['ha-long']);
    expect(ids(resolveRecipients(message('000.01.05.H49', { type: DOSSIER, to: 'national' }), { directory, receivers }))).toEqual(['vpcp-dvcqg']);

    const nobody = resolveRecipients(message('000.01.05.H49', { type: 'vn.gov.dossier.transferred', to: 'national' }), { directory, receivers });
    expect(nobody.recipients).toEqual([]);
    expect(nobody.unreachable).toEqual(['000.00.00.G22']);
    expect(nobody.reasons).toEqual({ '000.00.00.G22': '000.00.00.G22 has no connector that accepts vn.gov.dossier.transferred' });
  });

  it('gives nothing addressed to a connector with `accepts: []`, one without an endpoint, or a relay', () => {
    const r = resolveRecipients(message('000.00.15.H49', { type: DOSSIER, to: '000.00.00.H49' }), { directory, receivers });
    expect(ids(r)).toEqual(['ubnd-tinh']);
  });

  it('sends an unaddressed message to the subscribers whose filters match, whatever they accept', () => {
    const fromCommune = resolveRecipients(message('000.01.09.H49', { type: DOSSIER }), { directory, receivers });
    expect(ids(fromCommune)).toEqual(['archive']);
    const fromDepartment = resolveRecipients(message('000.00.15.H49', { type: DOSSIER }), { directory, receivers });
    expect(ids(fromDepartment)).toEqual([]);
    expect(fromDepartment.unreachable).toEqual([]);
    expect(ids(resolveRecipients(message('000.00.15.H49'), { directory, receivers }))).toEqual(['hong-gai']);
  });

  it('ignores subscriptions for addressed messages: a subscriber elsewhere gets nothing, one that also accepts gets it once', () => {
    expect(ids(resolveRecipients(message('000.00.00.H49', { to: '000.01.05.H49' }), { directory, receivers }))).toEqual(['bai-chay']);
    const twice = resolveRecipients(message('000.00.05.H49', { to: '000.02.05.H49,children' }), { directory, receivers });
    expect(twice.recipients.map((x) => x.connector).filter((id) => id === 'hong-gai')).toHaveLength(1);
  });

  it('returns a reply without `to` to the connectors of the original sender that accept it, and never to the connector that sent it', () => {
    const reply = resolveRecipients(message('000.01.05.H49', { type: 'vn.gov.document.status', correlationid: 'doc-1' }), {
      directory,
      receivers,
      originalSender: '000.00.00.H49',
    });
    expect(ids(reply)).toEqual(['ubnd-tinh']);
    const self = resolveRecipients(message('000.00.00.H49', { to: '000.00.15.H49' }, 'stp'), { directory, receivers });
    expect(self.recipients).toEqual([]);
    expect(self.reasons).toEqual({ '000.00.15.H49': '000.00.15.H49 has no connector that accepts vn.gov.document.sent other than the sender' });
  });
});
