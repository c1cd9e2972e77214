/**
 * The `vdxp` connector kind: the hub's seat on the national document exchange axis (VDXP,
 * domain/levels.md, domain/edxml.md "Transport"). `manifest.agency` is the organ id the axis knows
 * the hub by: its mailbox is polled, and it is the `from` of what the hub sends.
 * - `decode`: a package pushed to `/v1/connectors/{id}/inbound` (bare, SOAP 1.1 or multipart/related),
 *   decoded as the edxml kind does; its events keep their own `source` (a relay);
 * - `createPoller`: pulls the mailbox (`poller.ts`), acknowledging a package only once its events
 *   are in Kafka;
 * - `createSender`: sends `vn.gov.document.*` events as edXML packages with `sendEdoc`
 *   (messagetype `status` for `vn.gov.document.status`, else `edoc`; `to` = the agency codes of
 *   the envelope `to`). Outcomes: `delivered` when the axis answers `{ status: 'OK', docId }`;
 *   `retry` for 408/429/5xx, timeouts, connection errors and answers without a docId; `refused`
 *   for other 4xx (a package the axis will never take). Throws `AdapterError`
 *   (`adapter-encode-failed`, with the event path) when the event has no edXML form.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { decodeInbound } from '../edxml/inbound-decoding.ts';
import { encodeForDelivery } from '../edxml/delivery-encoding.ts';
import type { ConnectorAdapter, DeliveryOutcome } from '../kit/adapter.ts';
import { VdxpClient, type SendEdocHeader } from './client.ts';
import { createVdxpPoller } from './poller.ts';
import { VDXP_SETTINGS } from './settings.ts';

const AGENCY_CODE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

export const vdxpAdapter: ConnectorAdapter<typeof VDXP_SETTINGS> = {
  kind: 'vdxp',
  summary: "National document exchange axis (VDXP): polls the hub's mailbox and sends edXML packages with sendEdoc.",
  /** Packages on the axis come from every ministry and province: their events keep their own `source`. */
  relay: true,
  settingsSchema: VDXP_SETTINGS,
  secretSettings: ['secret'],
  naturalTypes: ['vn.gov.document.*'],
  simulator: async ({ schemas }) => {
    const { startAxisSimulator } = await import('./simulator.ts');
    const sim = await startAxisSimulator({ systemId: 'lgsp-h49', secret: 'secret', schemas });
    return { settings: { baseUrl: sim.url, systemId: 'lgsp-h49', secret: 'secret' }, misbehave: (modes) => sim.misbehave(modes), close: () => sim.close() };
  },
  conformance: {
    gaps: { 'vn.gov.document.sent': 'sent as edXML, which carries attachments inline; the examples reference them by href (docs/conformance.md, "Known gap")' },
  },
  /** Packages pushed by an SDK bridge to the inbound route, as the poller decodes them (bare, SOAP, multipart). */
  decode: (request, manifest) => decodeInbound(request, manifest.settings),
  createPoller: (manifest, ctx, sink) => createVdxpPoller(manifest, ctx, sink, { onError: (err) => sink.error(err) }),
  createSender(manifest, { settings, transport }) {
    const client = new VdxpClient(
      { baseUrl: settings.baseUrl, systemId: settings.systemId, secret: settings.secret, timeoutMs: manifest.delivery.timeoutMs },
      transport,
    );
    return {
      async deliver({ event, hubId }): Promise<DeliveryOutcome> {
        const file = encodeForDelivery(event);
        const answer = await client.sendEdoc(sendHeader(manifest.agency, event), file, hubId);
        return answer.outcome === 'ok' ? { outcome: 'delivered', status: answer.status } : answer;
      },
      // The transport belongs to the kind context; the hub closes it.
      close: async () => {},
    };
  },
};

/** The sendEdoc header for `event`, sent by the organ `from`. */
export function sendHeader(from: string, event: CloudEvent): SendEdocHeader {
  const to = (event.to ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => AGENCY_CODE.test(r));
  return {
    from,
    ...(to.length > 0 ? { to } : {}),
    servicetype: 'eDoc',
    messagetype: event.type === 'vn.gov.document.status' ? 'status' : 'edoc',
  };
}
