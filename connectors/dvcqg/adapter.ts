/**
 * The `dvcqg` kind: the national public-service portal (Cổng Dịch vụ công quốc gia) and the
 * one-stop-shop systems that speak its JSON (domain/dvcqg.md).
 * - Outbound (`createSender`): `vn.gov.dossier.status` events to the portal adapter through
 *   `DvcqgClient` (login, DongBoHoSoMC, CapNhatTienDoHoSoMC). The portal's URL and credentials are
 *   `manifest.settings` (`dvcqgSettingsSchema`); `manifest.endpoint` is not used.
 * - Inbound (`decode`): a one-stop system posts the portal's own DongBoHoSoMC body to
 *   `POST /v1/connectors/{id}/inbound`; each dossier becomes an event from the connector's agency.
 * Mapping failures become `AdapterError` with the failing field's JSON Pointer: `ADAPTER_ENCODE_FAILED`
 * (pointer from the event root) or `ADAPTER_DECODE_FAILED` (pointer from the portal body).
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { AdapterError, type AdapterErrorCode, type ConnectorAdapter, type Sender } from '../kit/adapter.ts';
import { DvcqgClient, type DvcqgClientSettings } from './client.ts';
import { DvcqgMappingError } from './errors.ts';
import { fromDongBoHoSoMC } from './mapping.ts';

const text = (description: string, maxLength = 200) => ({ type: 'string', minLength: 1, maxLength, description });
const path = (description: string) => ({ type: 'string', pattern: '^/', maxLength: 200, description });

/** JSON Schema of `manifest.settings` for `dvcqg` connectors: what `DvcqgClient` needs. */
export const dvcqgSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['adapterUrl', 'username', 'password', 'dstcode', 'madonvi'],
  properties: {
    adapterUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'The portal adapter\'s base URL (ADAPTER_URL of the integration guide).' },
    authPath: path('Login path under adapterUrl; default /auth.'),
    integrationPath: path('Integration path under adapterUrl; default /integration.'),
    username: text('Portal account the hub logs in with.'),
    password: text('Password of that account.'),
    dstcode: text('Sent as the dstcode header at login.', 50),
    madonvi: text('The province/unit code the portal knows the sender by, e.g. 000.00.00.H49.', 50),
  },
} as const;

export const dvcqgAdapter: ConnectorAdapter = {
  kind: 'dvcqg',
  summary: 'National public-service portal (DVCQG): dossier statuses out via DongBoHoSoMC / CapNhatTienDoHoSoMC; the portal JSON in from one-stop systems.',
  settingsSchema: dvcqgSettingsSchema,
  secretSettings: ['password'],

  /**
   * A DongBoHoSoMC body (UTF-8 JSON; `service`, when present, must be `DongBoHoSoMC`) → one
   * `vn.gov.dossier.status` event per dossier, `source` the connector's agency, `to` `national`.
   */
  decode(request, connector): CloudEvent[] {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
    } catch (cause) {
      throw new AdapterError('ADAPTER_DECODE_FAILED', `body is not UTF-8 JSON: ${(cause as Error).message}`, '', { cause });
    }
    const service = typeof body === 'object' && body !== null ? (body as { service?: unknown }).service : undefined;
    if (service !== undefined && service !== 'DongBoHoSoMC') {
      throw new AdapterError('ADAPTER_DECODE_FAILED', `only DongBoHoSoMC is accepted inbound, got ${JSON.stringify(service)}`, '/service');
    }
    try {
      return fromDongBoHoSoMC(body, { agency: connector.agency });
    } catch (err) {
      throw asAdapterError('ADAPTER_DECODE_FAILED', err);
    }
  },

  /** Throws (a programmer error: registration validates settings) when `settings` lack what the client needs. */
  createSender(connector): Sender {
    const client = new DvcqgClient({ ...clientSettings(connector), timeoutMs: connector.delivery.timeoutMs });
    return {
      async deliver(delivery) {
        try {
          return await client.deliver(delivery.event);
        } catch (err) {
          throw asAdapterError('ADAPTER_ENCODE_FAILED', err);
        }
      },
      close: async () => client.close(),
    };
  },
};

/** A `DvcqgMappingError` as an `AdapterError` with the same pointer; anything else unchanged. */
function asAdapterError(code: AdapterErrorCode, err: unknown): unknown {
  return err instanceof DvcqgMappingError ? new AdapterError(code, err.message, err.path, { cause: err }) : err;
}

function clientSettings(connector: ConnectorManifest): Omit<DvcqgClientSettings, 'timeoutMs'> {
  const s = connector.settings ?? {};
  const required = (name: string): string => {
    const value = s[name];
    if (typeof value !== 'string' || value === '') throw new Error(`connector ${connector.id}: settings.${name} is required`);
    return value;
  };
  const optional = (name: string): string | undefined => (typeof s[name] === 'string' ? (s[name] as string) : undefined);
  const authPath = optional('authPath');
  const integrationPath = optional('integrationPath');
  return {
    adapterUrl: required('adapterUrl'),
    username: required('username'),
    password: required('password'),
    dstcode: required('dstcode'),
    madonvi: required('madonvi'),
    ...(authPath === undefined ? {} : { authPath }),
    ...(integrationPath === undefined ? {} : { integrationPath }),
  };
}
