/**
 * The guide's kind (docs/connectors.md), registered as connectors/index.ts would register it: the
 * hub checks its manifests against its settings spec, decodes with it, and it passes the shared
 * conformance suite against its simulator on 127.0.0.1.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { SchemaSet, type AgencyRecord } from '../../../src/contract/schema-set.ts';
import { AgencyDirectory } from '../../../src/registry/agency-directory.ts';
import { ConnectorKinds } from '../../../src/registry/connector-kinds.ts';
import { ADAPTERS } from '../../index.ts';
import { conformanceSuite } from '../conformance-suite.ts';
import { ndjsonAdapter } from './adapter.ts';
import { encodeLine } from './codec.ts';

// The registration line, as connectors/index.ts would have it.
const REGISTERED = [...ADAPTERS, ndjsonAdapter];

it('registered, it checks manifests against its settings spec and decodes what it encodes', async () => {
  const kinds = new ConnectorKinds(REGISTERED, await SchemaSet.load(), [5_000]);
  const directory = AgencyDirectory.from(
    JSON.parse(await readFile(new URL('../../../directory/demo-province.json', import.meta.url), 'utf8')) as AgencyRecord[],
  );
  const given = { id: 'stp-log', agency: '000.00.15.H49', kind: 'ndjson', endpoint: 'http://127.0.0.1:9/log', settings: { apiKey: 'guide-api-key' } };
  const { issues, manifest } = await kinds.check(given, directory);
  expect(issues).toEqual([]);
  expect((await kinds.check({ ...given, settings: {} }, directory)).issues.map((issue) => issue.path)).toEqual(['/settings/apiKey']);

  const event = {
    specversion: '1.0',
    id: 'hs-1',
    source: 'urn:lgsp:agency:000.00.15.H49',
    type: 'vn.gov.dossier.status',
    subject: 'H49-0001',
    data: { statusCode: 4 },
  } as const;
  const body = Buffer.concat([encodeLine(event), encodeLine({ ...event, id: 'hs-2' })]);
  const decoded = kinds.get('ndjson')!.decode!({ contentType: 'application/x-ndjson', headers: {}, body }, manifest!);
  expect(decoded).toEqual([event, { ...event, id: 'hs-2' }]);
});

conformanceSuite(REGISTERED.filter((kind) => kind.kind === 'ndjson'));
