/**
 * The push delivery (SPEC §3 "Outbound") of kinds whose system takes one signed POST per message
 * at `manifest.endpoint` (webhook, edxml): the kind supplies `encode` (event → headers and body
 * bytes); the POST carries `Idempotency-Key: <hubId>` (the same on every attempt) and
 * `X-LGSP-Signature` over the exact bytes sent; the answer's status alone decides, by the kit's
 * rules (`classify.ts`). A 2xx is delivered whatever its body, even one cut at the size cap.
 */
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import type { Delivery, KindContext, Sender } from './adapter.ts';
import { classify } from './classify.ts';
import type { Transport } from './transport.ts';

/** What `encode` makes of one delivery; header names are case-insensitive. */
export interface EncodedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface PushSenderOptions {
  /** The connector's `endpoint` (absolute http or https URL). */
  readonly endpoint: string | undefined;
  /** The deadline of one attempt (`manifest.delivery.timeoutMs`), connection to last byte. */
  readonly timeoutMs: number;
  /** The connector's transport (`ctx.transport`). */
  readonly transport: Transport;
  /** The key of `X-LGSP-Signature` (`ctx.signingKey`). */
  readonly signingKey: string;
  /** Event → request; throws `AdapterError` (`adapter-encode-failed`) when it cannot, which `deliver` passes on. */
  readonly encode: (delivery: Delivery) => EncodedRequest;
}

/**
 * The push sender of one connector, as a kind's `createSender` makes it: the endpoint and the
 * attempt deadline from its manifest, the transport and signing key from its kind context.
 */
export function pushSender(manifest: ConnectorManifest, ctx: KindContext, encode: PushSenderOptions['encode']): Sender {
  return createPushSender({
    endpoint: manifest.endpoint,
    timeoutMs: manifest.delivery.timeoutMs,
    transport: ctx.transport,
    signingKey: ctx.signingKey,
    encode,
  });
}

/**
 * Throws (a programmer error: registration checks the endpoint, the hub supplies the key) when
 * `endpoint` is not an absolute http(s) URL or there is no signing key.
 */
export function createPushSender(options: PushSenderOptions): Sender {
  const { endpoint, timeoutMs, transport, signingKey, encode } = options;
  if (signingKey === '') throw new Error('no signing key: the hub derives it from the connector token');
  const protocol = endpoint !== undefined && URL.canParse(endpoint) ? new URL(endpoint).protocol : '';
  if (endpoint === undefined || (protocol !== 'http:' && protocol !== 'https:')) throw new Error(`endpoint must be an http(s) URL, got "${endpoint}"`);
  return {
    async deliver(delivery) {
      const { headers, body } = encode(delivery);
      const exchange = await transport.attempt(timeoutMs, (scope) =>
        scope.send({ method: 'POST', url: endpoint, headers, body, idempotencyKey: delivery.hubId, signWith: signingKey }),
      );
      const classified = classify(exchange);
      return 'ok' in classified ? { outcome: 'delivered', status: classified.ok.status } : classified;
    },
    // The transport belongs to the kind context; the hub closes it.
    close: async () => {},
  };
}
