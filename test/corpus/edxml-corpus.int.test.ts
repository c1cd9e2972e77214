/**
 * The hand-written edXML corpus (test/corpus/edxml/README.md) through a real hub and broker: each
 * package is POSTed to `/v1/connectors/{id}/inbound` by the edxml connector of its sender, with
 * the content type it travels with (bare XML, SOAP, multipart/related), and must reach the edXML
 * recipient simulator of each agency it is addressed to with every leaf of the original, in order
 * (test/corpus/edxml/leaves.ts); signed packages must arrive byte for byte. Bad packages must be
 * refused with 422 decode-failed naming the rule (the codec's code) and the path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEofficeSimulator, type EofficeSimulator } from '../../connectors/edxml/simulator.ts';
import { decodeEdxml } from '../../connectors/edxml/codec.ts';
import type { Hub } from '../../src/hub.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BAD, GOOD, packageBytes } from './edxml/corpus.ts';
import { leavesOf } from './edxml/leaves.ts';

const DOCUMENT_TYPES = ['sent', 'status', 'revoked', 'updated', 'replaced'].map((t) => ({ type: `vn.gov.document.${t}` }));
const AGENCIES = [
  '000.00.00.G22', '000.00.00.G15', '000.00.00.H49', '000.00.15.H49', '000.00.16.H49',
  '000.00.05.H49', '000.01.05.H49', '000.00.09.H49', '000.01.09.H49',
];
const connectorOf = (agency: string) => `corpus-${agency.replaceAll('.', '-').toLowerCase()}`;
const STRICT = 'corpus-strict-signatures';

describe('the edXML corpus through the HTTP inbound route', () => {
  let hub: Hub;
  /** One e-office system per agency: each recipient is told apart (the hub's Idempotency-Key is per message). */
  const recipients = new Map<string, EofficeSimulator>();
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    // 20 MB files travel as 27 MB of base64: the operator raises the body limit (docs/edxml.md).
    hub = await startTestHub(testConfig({ LGSP_MAX_BODY_BYTES: String(40 * 1024 * 1024) }));
    await importDemoAgencies(hub.url);
    for (const agency of AGENCIES) {
      const recipient = await startEofficeSimulator();
      recipients.set(agency, recipient);
      tokens.set(agency, await registerConnector(hub.url, { id: connectorOf(agency), agency, kind: 'edxml', endpoint: recipient.endpoint, subscriptions: DOCUMENT_TYPES }));
    }
    const strictEndpoint = recipients.get('000.00.00.H49')!.endpoint;
    tokens.set(STRICT, await registerConnector(hub.url, { id: STRICT, agency: '000.00.00.H49', kind: 'edxml', endpoint: strictEndpoint, settings: { refuseInvalidSignatures: true } }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...recipients.values()].map((r) => r.close()));
    await hub?.close();
  });

  async function post(connector: string, token: string, body: Buffer, contentType: string): Promise<Response> {
    return fetch(`${hub.url}/v1/connectors/${connector}/inbound`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: new Uint8Array(body) });
  }

  /** The package delivered to `agency`'s system for the event `id`, once it is there. */
  function deliveredTo(agency: string, id: string): Buffer | undefined {
    return recipients.get(agency)!.requests().find((r) => decodeEdxml(r.body).some((e) => e.id === id))?.body;
  }

  it.each(GOOD.map((p) => [p.file, p] as const))('%s arrives with every leaf of the original', { timeout: 120_000 }, async (_file, entry) => {
    const body = await packageBytes(entry);
    const res = await post(connectorOf(entry.from), tokens.get(entry.from)!, body, entry.contentType);
    expect(res.status, await res.clone().text().then((t) => t.slice(0, 500))).toBe(202);
    const { accepted } = (await res.json()) as { accepted: { id: string; trace: string }[] };
    expect(accepted).toHaveLength(entry.types.length);
    if (entry.signed) {
      // The trace says what the hub found: valid or invalid (altered), and who signed.
      const trace = await waitFor(`the trace of ${entry.file}`, async () => {
        const answer = await asOperator(hub.url, accepted[0]!.trace);
        return answer.status === 200 && ((await answer.json()) as { message: { signature?: { status: string; signer?: string } } });
      });
      expect(trace.message.signature?.status).toBe(entry.file.includes('altered') ? 'invalid' : 'valid');
      expect(trace.message.signature?.signer).toMatch(/CN=/);
    }
    const original = leavesOf(body, entry.contentType);
    for (const { id } of accepted) {
      const events = decodeEdxml(body, { contentType: entry.contentType }).filter((e) => e.id === id);
      const addressed = [...new Set((events[0]?.to ?? '').split(','))];
      expect(addressed.length).toBeGreaterThan(0);
      for (const agency of addressed) {
        const package_ = await waitFor(`${entry.file} delivered to ${agency}`, () => deliveredTo(agency, id), 60_000);
        if (entry.signed) expect(package_.equals(body)).toBe(true);
        expect(leavesOf(package_)).toEqual(original);
      }
    }
  });

  it.each(BAD.map((p) => [p.file, p] as const))('%s is refused: 422 decode-failed with the rule and the path', async (_file, entry) => {
    const connector = entry.refuseInvalidSignatures ? STRICT : connectorOf(entry.from);
    const res = await post(connector, tokens.get(entry.refuseInvalidSignatures ? STRICT : entry.from)!, await packageBytes(entry), entry.contentType);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; errors: { path: string; message: string }[] };
    expect(problem.type).toBe('https://lgsp-hub.dev/problems/decode-failed');
    expect(problem.errors[0]?.path).toBe(entry.path);
    expect(problem.errors[0]?.message.startsWith(`${entry.code}:`)).toBe(true);
  });
});
