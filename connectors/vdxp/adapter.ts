/**
 * The `vdxp` connector kind: the hub's seat on the national document exchange axis (VDXP,
 * domain/levels.md, domain/edxml.md "Transport"). `manifest.agency` is the organ id the axis knows
 * the hub by: its mailbox is polled, and it is the `from` of what the hub sends.
 * - `createPoller`: pulls the mailbox (`poller.ts`), acknowledging a package only once its events
 *   are in Kafka;
 * - `createSender`: sends `vn.gov.document.*` events as edXML packages with `sendEdoc`
 *   (messagetype `status` for `vn.gov.document.status`, else `edoc`; `to` = the agency codes of
 *   the envelope `to`). Outcomes: `delivered` when the axis answers `{ status: 'OK', docId }`;
 *   `retry` for 408/429/5xx, timeouts, connection errors and answers without a docId; `refused`
 *   for other 4xx (a package the axis will never take). Throws `AdapterError`
 *   (`ADAPTER_ENCODE_FAILED`, with the event path) when the event has no edXML form.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { encodeForDelivery } from '../edxml/adapter.ts';
import type { ConnectorAdapter, DeliveryOutcome } from '../kit/adapter.ts';
import { VdxpClient, type SendEdocHeader } from './client.ts';
import { createVdxpPoller } from './poller.ts';
import { readVdxpSettings, VDXP_SETTINGS_SCHEMA } from './settings.ts';

const AGENCY_CODE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

export const vdxpAdapter: ConnectorAdapter = {
  kind: 'vdxp',
  summary: 'National document exchange axis (VDXP): polls the hub\'s mailbox and sends edXML packages with sendEdoc.',
  /** Packages on the axis come from every ministry and province: their events keep their own `source`. */
  relay: true,
  settingsSchema: VDXP_SETTINGS_SCHEMA,
  secretSettings: ['secret'],
  createPoller: (manifest, sink) => createVdxpPoller(manifest, sink, { onError: (err) => sink.error(err) }),
  createSender(manifest) {
    const settings = readVdxpSettings(manifest);
    const client = new VdxpClient({ baseUrl: settings.baseUrl, systemId: settings.systemId, secret: settings.secret, timeoutMs: manifest.delivery.timeoutMs });
    return {
      async deliver({ event, hubId }): Promise<DeliveryOutcome> {
        const file = encodeForDelivery(event);
        const answer = await client.sendEdoc(sendHeader(manifest.agency, event), file, { 'Idempotency-Key': hubId });
        return answer.outcome === 'ok' ? { outcome: 'delivered', status: answer.status } : answer;
      },
      async close() {
        client.close();
      },
    };
  },
};

/** The sendEdoc header for `event`, sent by the organ `from`. */
export function sendHeader(from: string, event: CloudEvent): SendEdocHeader {
  const to = (event.to ?? '').split(',').map((r) => r.trim()).filter((r) => AGENCY_CODE.test(r));
  return {
    from,
    ...(to.length > 0 ? { to } : {}),
    servicetype: 'eDoc',
    messagetype: event.type === 'vn.gov.document.status' ? 'status' : 'edoc',
  };
}
