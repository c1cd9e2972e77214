/**
 * The `webhook` kind: canonical CloudEvents JSON in and out, for any agency system that adopts the
 * hub's own format. Inbound: structured mode, one event or a batch (`codec.ts`). Outbound: POST to
 * `manifest.endpoint` through the kit's HTTP sender, binary mode unless `delivery.mode` is
 * `structured`, signed with the connector's signing key.
 *
 * The signing key is a secret the manifest never holds (`settings` has no such field and rejects
 * unknown ones). The hub calls `webhookSender(manifest, signingKey)` with the key from the registry;
 * `webhookAdapter.createSender(manifest)` is the generic entry point and reads the key from
 * `manifest.settings.signingKey`, which the hub injects into its in-memory copy after validation.
 */
import type { ConnectorAdapter, Sender } from '../kit/adapter.ts';
import { createHttpSender } from '../kit/http-sender.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { decodeEvents, encodeEvent } from './codec.ts';

/** JSON Schema of `manifest.settings` for `webhook` connectors (every field optional). */
export const webhookSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    headers: {
      type: 'object',
      description:
        'Static headers added to every delivery, e.g. an API gateway key. They cannot replace the hub\'s own (ce-*, content-type, Idempotency-Key, X-LGSP-Signature).',
      maxProperties: 20,
      propertyNames: { type: 'string', pattern: "^(?![Cc][Ee]-)[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$" },
      additionalProperties: { type: 'string', maxLength: 1024, pattern: '^[\\t\\x20-\\x7e]*$' },
    },
  },
} as const;

export const webhookAdapter: ConnectorAdapter = {
  kind: 'webhook',
  summary: 'CloudEvents JSON both ways: structured events in, binary (or structured) mode deliveries out, signed.',
  endpointRequired: true,
  settingsSchema: webhookSettingsSchema,
  decode: (request) => decodeEvents(request),
  createSender(manifest) {
    const key = manifest.settings?.signingKey;
    if (typeof key !== 'string' || key === '') {
      throw new Error(`connector ${manifest.id}: no signing key; the hub injects settings.signingKey or calls webhookSender`);
    }
    return webhookSender(manifest, key);
  },
};

/**
 * The sender of one `webhook` connector. Throws (a programmer error: registration checks these)
 * when the manifest has no http(s) `endpoint`.
 */
export function webhookSender(manifest: ConnectorManifest, signingKey: string): Sender {
  if (manifest.endpoint === undefined) throw new Error(`connector ${manifest.id} has no endpoint to deliver to`);
  const extraHeaders = staticHeaders(manifest.settings?.headers);
  const mode = manifest.delivery.mode;
  return createHttpSender({
    endpoint: manifest.endpoint,
    timeoutMs: manifest.delivery.timeoutMs,
    signingKey,
    encode: (delivery) => encodeEvent(delivery.event, mode, extraHeaders),
  });
}

/** `settings.headers` as validated by the schema; anything else is ignored. */
function staticHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string') headers[name] = v;
  return headers;
}
