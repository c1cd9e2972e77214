import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startAxisSimulator } from '../../connectors/vdxp/simulator.ts';
import { asOperator, registerConnector } from '../helpers/hub.ts';
import { startHubProcess } from '../helpers/hub-process.ts';
import { readTopic, readTopicUntil, uniqueName } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const PACKAGE = readFileSync('connectors/edxml/fixtures/document-sent.xml', 'utf8');

describe('the national document axis (pull mailbox)', () => {
  it('loses nothing and produces nothing twice when the hub is killed between fetch and acknowledgement', { timeout: 180_000 }, async () => {
    const axis = await startAxisSimulator();
    onTestFinished(() => axis.close());
    const prefix = `${uniqueName('t')}.`;
    const env = { LGSP_AGENCIES_FILE: 'directory/demo-province.json' };
    let hub = await startHubProcess(prefix, env);
    await registerConnector(hub.url, {
      id: 'qn-vdxp',
      agency: '000.00.00.H49',
      kind: 'vdxp',
      // The package is the People's Committee's (000.00.00.H49, in the directory): relayed only when listed.
      settings: { baseUrl: axis.url, systemId: 'lgsp-h49', secret: 'secret', pollIntervalMs: 200, relayFor: ['000.00.00.H49'] },
    });

    axis.holdAcknowledgements(true);
    const docId = axis.deposit('000.00.00.H49', PACKAGE);
    await waitFor('the hub to fetch the package and ask to acknowledge it', () => axis.requests.updateStatus > 0, 20_000);
    await hub.kill();
    expect(axis.status(docId)).toBe('pending');
    const ingress = `${prefix}ingress`;
    const documentId = (await readTopicUntil(ingress, (all) => all.length > 0)).map((r) => r.headers.ce_id);
    expect(documentId).toHaveLength(1);

    axis.holdAcknowledgements(false);
    hub = await startHubProcess(prefix, env);
    await waitFor('the restarted hub to acknowledge the package', () => axis.status(docId) === 'done', 20_000);
    expect((await readTopic(ingress)).map((r) => r.headers.ce_id)).toEqual(documentId);

    const rejected = axis.deposit('000.00.00.H49', '<edXML:edXML><broken');
    await waitFor('a malformed package to be acknowledged as failed', () => axis.status(rejected) === 'fail', 20_000);
    const deadLetters = await readTopicUntil(`${prefix}dead-letters`, (all) => all.length > 0);
    expect(deadLetters.map((d) => [d.headers.lgsp_dlq_stage, d.headers.lgsp_dlq_connector])).toEqual([['decode', 'qn-vdxp']]);
    expect((await asOperator(hub.url, '/v1/connectors/qn-vdxp')).status).toBe(200);
  });
});
