import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../connectors/index.ts';
import { SchemaSet, type AgencyRecord } from '../contract/schema-set.ts';
import { AgencyDirectory } from './agency-directory.ts';
import { ConnectorKinds } from './connector-kinds.ts';
import { receivingWarnings } from './receiving-warnings.ts';

const directory = AgencyDirectory.from(JSON.parse(readFileSync('directory/demo-province.json', 'utf8')) as AgencyRecord[]);
const kinds = new ConnectorKinds(ADAPTERS, await SchemaSet.load(), [5_000, 60_000, 600_000]);
const ENDPOINT = 'http://127.0.0.1:9/events';
const AXIS = { kind: 'vdxp', settings: { baseUrl: 'http://127.0.0.1:9/', systemId: 's', secret: 'x' } };
const PORTAL = { kind: 'dvcqg', settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'u', password: 'p', dstcode: 'H49', madonvi: '000.00.00.H49' } };

/** `kinds.check` of a manifest for Sở Tư pháp; the issues, or the warnings of the checked manifest. */
async function check(extra: Record<string, unknown>) {
  const { issues, manifest } = await kinds.check({ id: 'qn-stp', agency: '000.00.15.H49', kind: 'webhook', ...extra }, directory);
  return { issues, warnings: manifest ? receivingWarnings(manifest, kinds) : undefined };
}

describe('accepts, as registration checks it', () => {
  it('takes known types the kind carries', async () => {
    expect(await check({ endpoint: ENDPOINT, accepts: ['vn.gov.dossier.status', 'vn.gov.record.synced'] })).toEqual({ issues: [], warnings: [] });
    expect((await check({ kind: 'edxml', endpoint: ENDPOINT, accepts: ['vn.gov.document.sent'] })).issues).toEqual([]);
  });

  it('refuses an unknown type, a type the kind does not carry, any type for a relay, and names each at its pointer', async () => {
    const { issues } = await check({ kind: 'edxml', endpoint: ENDPOINT, accepts: ['vn.gov.document.sent', 'vn.gov.fax.sent', 'vn.gov.dossier.status'] });
    expect(issues).toEqual([
      { path: '/accepts/1', message: expect.stringMatching(/^unknown message type "vn.gov.fax.sent"; known types: /) },
      { path: '/accepts/2', message: expect.stringMatching(/^edxml connectors do not carry vn.gov.dossier.status; they carry vn.gov.document/) },
    ]);
    const relay = await check({ ...AXIS, accepts: ['vn.gov.document.sent'] });
    expect(relay.issues).toEqual([{ path: '/accepts/0', message: expect.stringContaining('relay other agencies') }]);
    expect((await check({ accepts: ['vn.gov.document.sent', 'vn.gov.document.sent'] })).issues.map((i) => i.path)).toContain('/accepts');
  });

  it('wants an endpoint for a webhook that accepts types', async () => {
    expect((await check({ accepts: ['vn.gov.document.sent'] })).issues).toEqual([
      { path: '/endpoint', message: 'a webhook connector that subscribes to or accepts messages needs the endpoint the hub delivers to' },
    ]);
  });
});

describe('receivingWarnings', () => {
  it('says nothing of a connector that receives what is addressed to its agency', async () => {
    expect((await check({ endpoint: ENDPOINT })).warnings).toEqual([]);
    expect((await check(PORTAL)).warnings).toEqual([]);
  });

  it('says why a valid connector accepts nothing addressed', async () => {
    expect((await check({})).warnings).toEqual([
      'qn-stp accepts nothing addressed to 000.00.15.H49: it has no endpoint; add "endpoint" for it to receive what is sent to its agency.',
    ]);
    expect((await check({ endpoint: ENDPOINT, accepts: [] })).warnings).toEqual(['qn-stp accepts nothing addressed to 000.00.15.H49: its "accepts" is empty.']);
    expect((await check(AXIS)).warnings).toEqual([
      "qn-stp accepts nothing addressed to 000.00.15.H49: vdxp connectors relay other agencies' messages, so it receives only what its subscriptions select.",
    ]);
  });
});
