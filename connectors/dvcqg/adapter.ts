/**
 * The `dvcqg` kind: the national public-service portal (Cổng Dịch vụ công quốc gia) and the
 * one-stop-shop systems that speak its JSON (domain/dvcqg.md).
 * - Outbound (`createSender`): `vn.gov.dossier.status` events to the portal adapter through
 *   `DvcqgClient` (login, LayThuTuc, TraCuuHoSo, DongBoHoSoMC, CapNhatTienDoHoSoMC, one deadline
 *   for all). The portal's URL, credentials and status table are `manifest.settings`
 *   (`settings.ts`); `manifest.endpoint` is not used.
 * - Inbound (`decode`): a one-stop system posts the portal's own DongBoHoSoMC body to
 *   `POST /v1/connectors/{id}/inbound`; each dossier becomes an event from the connector's agency,
 *   its TrangThaiHoSo read back through the connector's status table.
 * The mapping, the default status table and every decision the facts file left open: docs/dvcqg.md.
 * Mapping failures become `AdapterError` with the failing field's JSON Pointer: `adapter-encode-failed`
 * (pointer from the event root) or `adapter-decode-failed` (pointer from the portal body).
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError, type AdapterErrorCode, type ConnectorAdapter, type Sender } from '../kit/adapter.ts';
import { DvcqgClient } from './client.ts';
import { DvcqgMappingError } from './errors.ts';
import { DOSSIER_STATUS_TYPE, fromDongBoHoSoMC } from './mapping.ts';
import { DVCQG_SETTINGS } from './settings.ts';
import { statusTableOf } from './status.ts';

export const dvcqgAdapter: ConnectorAdapter<typeof DVCQG_SETTINGS> = {
  kind: 'dvcqg',
  summary: 'National public-service portal (DVCQG): dossier statuses out via DongBoHoSoMC / CapNhatTienDoHoSoMC; the portal JSON in from one-stop systems.',
  settingsSchema: DVCQG_SETTINGS,
  secretSettings: ['password'],
  naturalTypes: [DOSSIER_STATUS_TYPE],
  simulator: async () => {
    const { startPortalSimulator } = await import('./simulator.ts');
    const sim = await startPortalSimulator({ username: 'lgsp', password: 'secret', dstcode: 'H49' });
    const settings = { adapterUrl: sim.url, username: 'lgsp', password: 'secret', dstcode: 'H49', madonvi: '000.00.00.H49' };
    return { settings, misbehave: (modes) => sim.misbehave(modes), close: () => sim.close() };
  },
  conformance: {},

  /**
   * A DongBoHoSoMC body (UTF-8 JSON; `service`, when present, must be `DongBoHoSoMC`) → one
   * `vn.gov.dossier.status` event per dossier, `source` the connector's agency, `to` `national`.
   */
  decode(request, connector): CloudEvent[] {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
    } catch (cause) {
      throw new AdapterError('adapter-decode-failed', `body is not UTF-8 JSON: ${(cause as Error).message}`, '', { cause });
    }
    const service = typeof body === 'object' && body !== null ? (body as { service?: unknown }).service : undefined;
    if (service !== undefined && service !== 'DongBoHoSoMC') {
      throw new AdapterError('adapter-decode-failed', `only DongBoHoSoMC is accepted inbound, got ${JSON.stringify(service)}`, '/service');
    }
    try {
      const overrides = (connector.settings as { statusTable?: Record<string, string> } | undefined)?.statusTable;
      return fromDongBoHoSoMC(body, { agency: connector.agency, table: statusTableOf(overrides) });
    } catch (err) {
      throw asAdapterError('adapter-decode-failed', err);
    }
  },

  createSender(connector, ctx): Sender {
    const client = new DvcqgClient(ctx.settings, ctx.transport, connector.delivery.timeoutMs, { logger: ctx.logger });
    return {
      async deliver(delivery) {
        try {
          return await client.deliver(delivery.event);
        } catch (err) {
          throw asAdapterError('adapter-encode-failed', err);
        }
      },
      // The transport belongs to the kind context; the hub closes it.
      close: async () => {},
    };
  },
};

/** A `DvcqgMappingError` as an `AdapterError` with the same pointer; anything else unchanged. */
function asAdapterError(code: AdapterErrorCode, err: unknown): unknown {
  return err instanceof DvcqgMappingError ? new AdapterError(code, err.message, err.path, { cause: err }) : err;
}
