/**
 * LGSP_MAX_BATCH on every way messages come in, against a real hub: a `POST /v1/messages` batch and
 * each kind's native inbound route (a webhook batch, an edXML package, the portal's body, a package
 * the axis bridge pushes). One message over the limit is `413 batch-too-large` with nothing written
 * to ingress or the dedupe topic; at the limit the same input is accepted, so the refusal is the limit's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { endOffsets } from '../helpers/kafka.ts';
import { documentSent, seedSenders } from '../helpers/messages.ts';

const MAX_BATCH = 2;

/** The connector of each kind whose native inbound route is tried. */
const IDS: Readonly<Record<string, string>> = { webhook: 'qn-stp-eoffice', edxml: 'qn-ubnd-edxml', dvcqg: 'qn-motcua', vdxp: 'vdxp-bridge' };

/** `count` events of each input, as that route takes them. */
const INPUTS: Readonly<Record<string, (count: number, round: string) => { contentType: string; body: string }>> = {
  webhook: (count) => ({ contentType: 'application/cloudevents-batch+json', body: JSON.stringify(Array.from({ length: count }, () => documentSent())) }),
  edxml: (count, round) => ({ contentType: 'application/xml', body: replacing(count, round) }),
  dvcqg: (count, round) => {
    const portal = JSON.parse(readFileSync('connectors/dvcqg/fixtures/dong-bo-ho-so-mc.json', 'utf8')) as { data: Record<string, unknown>[] };
    const template = portal.data[0]!;
    portal.data = Array.from({ length: count }, (_, i) => ({ ...template, MaHoSo: `H49.31-250715-${round}${i}` }));
    return { contentType: 'application/json', body: JSON.stringify(portal) };
  },
  vdxp: (count, round) => ({ contentType: 'application/xml', body: replacing(count, round) }),
};

/** An edXML replacement package naming `count` replaced documents: one event each. */
function replacing(count: number, round: string): string {
  const pkg = readFileSync('connectors/edxml/fixtures/document-replaced.xml', 'utf8');
  const info = /<edXML:ReplacementInfo>[\s\S]*?<\/edXML:ReplacementInfo>/.exec(pkg)![0];
  const infos = Array.from({ length: count }, (_, i) => info.replace('2150/UBND-NC', `${2100 + i}/UBND-NC-${round}`)).join('\n');
  return pkg.replace(info, infos);
}

describe('LGSP_MAX_BATCH on every ingest route', () => {
  let hub: Hub;
  const tokens: Record<string, string> = {};
  const written = () => Promise.all([hub.topics.ingress, hub.topics.dedupe].map((topic) => endOffsets(topic)));

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_MAX_BATCH: String(MAX_BATCH) }));
    tokens.sender = (await seedSenders(hub.url)).sender;
    tokens.webhook = tokens.sender;
    tokens.edxml = await registerConnector(hub.url, { id: 'qn-ubnd-edxml', agency: '000.00.00.H49', kind: 'edxml' });
    tokens.dvcqg = await registerConnector(hub.url, {
      id: 'qn-motcua',
      agency: '000.00.00.H49',
      kind: 'dvcqg',
      roles: ['one-stop'], // dossier statuses come from one-stop systems (sending rights)
      settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: 'mat-khau-bi-mat', dstcode: 'H49', madonvi: '000.00.00.H49' },
    });
    tokens.vdxp = await registerConnector(hub.url, {
      id: 'vdxp-bridge',
      agency: '000.00.00.H49',
      kind: 'vdxp',
      // The packages are the People's Committee's, an agency of the directory: a relay carries it only when listed.
      settings: { baseUrl: 'http://127.0.0.1:9/', systemId: 'qn-lgsp', secret: 'bi-mat-cua-truc', pollIntervalMs: 60_000, relayFor: ['000.00.00.H49'] },
    });
  });
  afterAll(() => hub?.close());

  /** Sends `count` messages the way `route` takes them. */
  const send = (route: string, count: number, round: string) => {
    const [path, token, input] =
      route === 'messages'
        ? ['/v1/messages', tokens.sender!, INPUTS.webhook!(count, round)]
        : [`/v1/connectors/${IDS[route]}/inbound`, tokens[route]!, INPUTS[route]!(count, round)];
    return fetch(`${hub.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': input.contentType }, body: input.body });
  };
  const ROUTES = ['messages', ...Object.keys(IDS)];

  // Refusals first, before anything is accepted: then "nothing written" is exact (no commit marker of an earlier write still landing).
  it('refuses one message over the limit on every route, whole, writing nothing', async () => {
    for (const route of ROUTES) {
      const refused = await send(route, MAX_BATCH + 1, 'a');
      expect(refused.status, `${route}: ${await refused.clone().text()}`).toBe(413);
      expect(await refused.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/batch-too-large', detail: expect.stringContaining('LGSP_MAX_BATCH') });
    }
    for (const offsets of await written())
      expect(
        Object.values(offsets).every((end) => end === '0'),
        JSON.stringify(offsets),
      ).toBe(true);
  });

  it('accepts the same inputs at the limit on every route', async () => {
    for (const route of ROUTES) {
      const accepted = await send(route, MAX_BATCH, 'b');
      expect(accepted.status, `${route}: ${await accepted.clone().text()}`).toBe(202);
      expect(((await accepted.json()) as { accepted: unknown[] }).accepted).toHaveLength(MAX_BATCH);
    }
  });
});
