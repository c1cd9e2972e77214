import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../contract/cloud-event.ts';
import type { AgencyRecord, ConnectorManifest } from '../contract/schema-set.ts';
import { AgencyDirectory } from '../registry/agency-directory.ts';
import { resolveRecipients } from './recipients.ts';

const directory = AgencyDirectory.from(JSON.parse(readFileSync('directory/demo-province.json', 'utf8')) as AgencyRecord[]);
const DOC = 'vn.gov.document.sent';
const connector = (id: string, agency: string, subscriptions: ConnectorManifest['subscriptions'] = [{ type: DOC }]) =>
  ({ id, agency, kind: 'webhook', subscriptions }) as unknown as ConnectorManifest;
const receivers = [
  connector('ubnd-tinh', '000.00.00.H49'),
  connector('stp', '000.00.15.H49'),
  connector('ha-long', '000.00.05.H49'),
  connector('bai-chay', '000.01.05.H49'),
  connector('hong-gai', '000.02.05.H49'),
  connector('quan-lan', '000.01.09.H49'),
  connector('vpcp-vdxp', '000.00.00.G22'),
  connector('vpcp-dvcqg', '000.00.00.G22', [{ type: 'vn.gov.dossier.status' }]),
  connector('archive', '000.00.00.H49', [{ type: 'vn.gov.dossier.status', filter: { sourceLevel: 'commune' } }]),
];
const message = (source: string, extra: Partial<CloudEvent> = {}, ingestedBy = 'sender') => ({
  event: { specversion: '1.0', id: 'x', source: `urn:lgsp:agency:${source}`, type: DOC, subject: 's', data: {}, ...extra } as CloudEvent,
  hubId: 'h',
  connector: ingestedBy,
  acceptedAt: '',
});
const ids = (r: ReturnType<typeof resolveRecipients>) => r.recipients.map((x) => x.connector).sort();

describe('resolveRecipients', () => {
  it('sends a commune document to its parent district and to the national node', () => {
    const r = resolveRecipients(message('000.01.05.H49', { to: 'parent,national' }), { directory, receivers });
    expect(ids(r)).toEqual(['ha-long', 'vpcp-vdxp']);
    expect(r.unreachable).toEqual([]);
  });

  it('sends a province directive to its whole subtree, at any depth, and records agencies without a connector', () => {
    const r = resolveRecipients(message('000.00.00.H49', { to: 'subtree' }), { directory, receivers });
    expect(ids(r)).toEqual(['bai-chay', 'ha-long', 'hong-gai', 'quan-lan', 'stp']);
    expect(r.unreachable).toEqual(expect.arrayContaining(['000.00.16.H49', '000.00.09.H49', '000.12.05.H49']));
  });

  it('delivers only to connectors of the addressed agency that subscribe to the type', () => {
    const r = resolveRecipients(message('000.01.05.H49', { type: 'vn.gov.dossier.status', to: 'national' }), { directory, receivers });
    expect(ids(r)).toEqual(['vpcp-dvcqg']);
  });

  it('sends an unaddressed message to the subscribers whose filters match', () => {
    const fromCommune = resolveRecipients(message('000.01.09.H49', { type: 'vn.gov.dossier.status' }), { directory, receivers });
    expect(ids(fromCommune)).toEqual(['archive', 'vpcp-dvcqg']);
    const fromDepartment = resolveRecipients(message('000.00.15.H49', { type: 'vn.gov.dossier.status' }), { directory, receivers });
    expect(ids(fromDepartment)).toEqual(['vpcp-dvcqg']);
  });

  it('returns a reply without `to` to the original sender, and never to the connector that sent it', () => {
    const reply = resolveRecipients(message('000.01.05.H49', { correlationid: 'doc-1' }), { directory, receivers, originalSender: '000.00.00.H49' });
    expect(ids(reply)).toEqual(['ubnd-tinh']);
    const self = resolveRecipients(message('000.00.00.H49', { to: '000.00.15.H49' }, 'stp'), { directory, receivers });
    expect(self.recipients).toEqual([]);
    expect(self.unreachable).toEqual(['000.00.15.H49']);
  });
});
