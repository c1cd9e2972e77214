/**
 * The `webhook` kind: canonical CloudEvents JSON in and out, for any agency system that adopts the
 * hub's own format. Inbound: structured mode, one event or a batch (`codec.ts`). Outbound: POST to
 * `manifest.endpoint` through the kit's push sender, binary mode unless `delivery.mode` is
 * `structured`, signed with the connector's signing key (which the hub keeps, never `settings`):
 * v2 covers every `ce-*` header and the body (docs/webhooks.md).
 */
import { Type } from '@sinclair/typebox';
import type { ConnectorAdapter } from '../kit/adapter.ts';
import { pushSender } from '../kit/push-sender.ts';
import { decodeEvents, encodeEvent } from './codec.ts';

/** `manifest.settings` of `webhook` connectors (every field optional). */
export const WEBHOOK_SETTINGS = Type.Object(
  {
    headers: Type.Optional(
      Type.Record(
        Type.String({ pattern: "^(?![Cc][Ee]-)[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$" }),
        Type.String({ maxLength: 1024, pattern: '^[\\t\\x20-\\x7e]*$' }),
        {
          maxProperties: 20,
          additionalProperties: false,
          description:
            "Static headers added to every delivery, e.g. an API gateway key. They cannot replace the hub's own (ce-*, content-type, Idempotency-Key, webhook-id, webhook-timestamp, webhook-signature, X-LGSP-Signature, lgsp-hub-signature).",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const webhookAdapter: ConnectorAdapter<typeof WEBHOOK_SETTINGS> = {
  kind: 'webhook',
  summary: 'CloudEvents JSON both ways: structured events in, binary (or structured) mode deliveries out, signed.',
  endpointRequired: true,
  settingsSchema: WEBHOOK_SETTINGS,
  // Gateway headers carry API keys: sealed in the registry, shown as "(hidden)".
  secretSettings: ['headers'],
  simulator: async ({ signingKey, schemas }) => {
    const { startWebhookSimulator } = await import('./simulator.ts');
    const sim = await startWebhookSimulator({ signingKey, schemas });
    return { endpoint: sim.endpoint, misbehave: (modes) => sim.misbehave(modes), close: () => sim.close() };
  },
  conformance: {},
  decode: (request) => decodeEvents(request),
  /** Throws (a programmer error: registration checks it) when the manifest has no http(s) `endpoint`. */
  createSender(manifest, ctx) {
    const extraHeaders = ctx.settings.headers ?? {};
    const mode = manifest.delivery.mode;
    return pushSender(manifest, ctx, (delivery) => encodeEvent(delivery.event, mode, extraHeaders, delivery.dataBytes));
  },
};
