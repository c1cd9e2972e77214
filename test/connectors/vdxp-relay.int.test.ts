/**
 * Whom the national axis may speak for (docs/edxml.md, "The national axis"): a package in another
 * organ's name, or in the name of an agency of the directory, is a dead letter that leaves no
 * dedupe mark, so the real document still comes in through the agency's own connector.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAxisSimulator, type AxisSimulator } from '../../connectors/vdxp/simulator.ts';
import type { Hub } from '../../src/hub.ts';
import { importDemoAgencies, registerConnector, startTestHub } from '../helpers/hub.ts';
import { endOffsets, readTopic, readTopicUntil } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const PROVINCE = '000.00.00.H49'; // UBND tỉnh Quảng Ninh, in the directory, with its own e-office connector
const DOCUMENT = readFileSync('connectors/edxml/fixtures/document-sent.xml', 'utf8'); // From 000.00.00.H49
const DOCUMENT_ID = '000.00.00.H49,2025/07/14,2150/UBND-NC';
const GOVERNMENT = readFileSync('test/corpus/edxml/07-soap-envelope.xml'); // From 000.00.00.G22, in the directory
const OUTSIDE = '000.00.00.G09'; // a ministry the province's directory does not hold

describe('the vdxp relay speaks only for whom it may', () => {
  let hub: Hub;
  let axis: AxisSimulator;
  let eofficeToken: string;

  beforeAll(async () => {
    axis = await startAxisSimulator();
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
    await registerConnector(hub.url, {
      id: 'qn-vdxp',
      agency: PROVINCE,
      kind: 'vdxp',
      settings: { baseUrl: axis.url, systemId: 'lgsp-h49', secret: 'secret', pollIntervalMs: 100, relayFor: ['000.00.00.G22'] },
    });
    eofficeToken = await registerConnector(hub.url, { id: 'qn-ubnd-eoffice', agency: PROVINCE, kind: 'edxml' });
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await axis?.close();
  });

  const deadLetters = (count: number) => readTopicUntil(hub.topics.deadLetters, (all) => all.length >= count);

  it('dead-letters a package whose listed sender is not its From, and one in the name of a directory agency, writing nothing else', async () => {
    const spoofed = axis.deposit(PROVINCE, DOCUMENT, { from: '000.00.00.G15' });
    await waitFor('the spoofed package acknowledged fail', () => axis.status(spoofed) === 'fail');
    // Listed honestly, but the People's Committee sends through its own connector, not the axis.
    const inItsName = axis.deposit(PROVINCE, DOCUMENT);
    await waitFor('the package in its name taken (held as a dead letter)', () => axis.status(inItsName) === 'done');

    const letters = await deadLetters(2);
    expect(letters.map((l) => [l.headers.lgsp_dlq_stage, l.headers.lgsp_dlq_connector, l.headers.lgsp_dlq_reason])).toEqual([
      [
        'decode',
        'qn-vdxp',
        `sender mismatch: the axis lists package ${spoofed} as sent by 000.00.00.G15, but its From/OrganId is ${PROVINCE}; a package in another organ's name is refused. Ask 000.00.00.G15 to send as itself.`,
      ],
      [
        'validate',
        'qn-vdxp',
        `Connector "qn-vdxp" relays only for agencies outside the directory, and ${PROVINCE} is in it: its messages come through its own connector. If this gateway must carry them, add ${PROVINCE} to the connector's settings.relayFor.`,
      ],
    ]);
    expect(letters[0]?.value).toBe(DOCUMENT); // the original bytes, for an operator
    for (const topic of [hub.topics.ingress, hub.topics.dedupe]) {
      expect(
        Object.values(await endOffsets(topic)).every((end) => end === '0'),
        topic,
      ).toBe(true);
    }
  });

  it('still accepts the real document from the agency’s own connector, with the same id', async () => {
    const res = await fetch(`${hub.url}/v1/connectors/qn-ubnd-eoffice/inbound`, {
      method: 'POST',
      headers: { authorization: `Bearer ${eofficeToken}`, 'content-type': 'application/xml' },
      body: DOCUMENT,
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: { id: string }[] }).accepted.map((a) => a.id)).toEqual([DOCUMENT_ID]);
    const ingress = await readTopicUntil(hub.topics.ingress, (all) => all.length > 0);
    expect(ingress.map((r) => [r.headers.ce_id, r.headers.lgsp_connector])).toEqual([[DOCUMENT_ID, 'qn-ubnd-eoffice']]);
  });

  it('relays for an agency of the directory listed in relayFor, and for one outside the directory', async () => {
    const allowed = axis.deposit(PROVINCE, GOVERNMENT);
    const outside = axis.deposit(PROVINCE, DOCUMENT.replaceAll(PROVINCE, OUTSIDE));
    await waitFor('both acknowledged done', () => axis.status(allowed) === 'done' && axis.status(outside) === 'done');
    const ingress = await readTopicUntil(hub.topics.ingress, (all) => all.length >= 3);
    const relayed = ingress.filter((r) => r.headers.lgsp_connector === 'qn-vdxp').map((r) => r.headers.ce_source);
    expect(relayed.sort()).toEqual([`urn:lgsp:agency:${OUTSIDE}`, 'urn:lgsp:agency:000.00.00.G22']);
    expect(ingress).toHaveLength(3);
    expect(await readTopic(hub.topics.deadLetters)).toHaveLength(2); // no new refusal
  });
});
