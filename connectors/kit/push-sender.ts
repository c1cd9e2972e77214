/**
 * The push delivery (SPEC §3 "Outbound") of kinds whose system takes one signed POST per message
 * at `manifest.endpoint` (webhook, edxml): the kind supplies `encode` (event → headers and body
 * bytes); the POST carries `Idempotency-Key: <hubId>` (the same on every attempt) and the
 * signatures `manifest.delivery.signatureVersions` asks for (`signature.ts`): v2's `webhook-id` is
 * the hub id too, its timestamp and signature are made per attempt over the exact bytes and
 * `ce-*` headers sent; the hub's own signature over the message as accepted goes along as
 * `lgsp-hub-signature` (docs/signatures.md). The answer's status alone decides, by the kit's rules (`classify.ts`). A
 * 2xx is delivered whatever its body, even one cut at the size cap.
 */
import { HUB_SIGNATURE_HTTP_HEADER } from '../../src/contract/hub-signature.ts';
import { SENDER_SIGNATURE_HTTP_HEADER } from '../../src/contract/sender-signature.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import type { Delivery, KindContext, Sender } from './adapter.ts';
import { classify } from './classify.ts';
import { signatureHeaders, type SignatureVersion } from './signature.ts';
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
  /** The key of the signatures (`ctx.signingKey`). */
  readonly signingKey: string;
  /** `manifest.delivery.signatureVersions`. */
  readonly signatureVersions: readonly SignatureVersion[];
  /** Event → request; throws `AdapterError` (`adapter-encode-failed`) when it cannot, which `deliver` passes on. */
  readonly encode: (delivery: Delivery) => EncodedRequest;
}

/**
 * The push sender of one connector, as a kind's `createSender` makes it: the endpoint, the attempt
 * deadline and the signature versions from its manifest, the transport and signing key from its
 * kind context.
 */
export function pushSender(manifest: ConnectorManifest, ctx: KindContext, encode: PushSenderOptions['encode']): Sender {
  return createPushSender({
    endpoint: manifest.endpoint,
    timeoutMs: manifest.delivery.timeoutMs,
    transport: ctx.transport,
    signingKey: ctx.signingKey,
    signatureVersions: manifest.delivery.signatureVersions,
    encode,
  });
}

/**
 * Throws (a programmer error: registration checks the endpoint, the hub supplies the key) when
 * `endpoint` is not an absolute http(s) URL or there is no signing key.
 */
export function createPushSender(options: PushSenderOptions): Sender {
  const { endpoint, timeoutMs, transport, signingKey, signatureVersions, encode } = options;
  if (signingKey === '') throw new Error('no signing key: the hub derives it from the connector token');
  const protocol = endpoint !== undefined && URL.canParse(endpoint) ? new URL(endpoint).protocol : '';
  if (endpoint === undefined || (protocol !== 'http:' && protocol !== 'https:')) throw new Error(`endpoint must be an http(s) URL, got "${endpoint}"`);
  return {
    async deliver(delivery) {
      const encoded = encode(delivery);
      const headers = Object.fromEntries(Object.entries(encoded.headers).map(([name, value]) => [name.toLowerCase(), value]));
      const body = encoded.body;
      const exchange = await transport.attempt(timeoutMs, (scope) => {
        // Signed when the attempt starts, so its timestamp is the attempt's; the hub's own headers win over the kind's.
        const signatures = signatureHeaders({ signingKey, versions: signatureVersions, id: delivery.hubId, headers, body });
        const hubSignature: Record<string, string> = delivery.hubSignature ? { [HUB_SIGNATURE_HTTP_HEADER]: delivery.hubSignature } : {};
        const senderSignature: Record<string, string> = delivery.senderSignature ? { [SENDER_SIGNATURE_HTTP_HEADER]: delivery.senderSignature } : {};
        return scope.send({
          method: 'POST',
          url: endpoint,
          headers: { ...headers, ...signatures, ...hubSignature, ...senderSignature },
          body,
          idempotencyKey: delivery.hubId,
        });
      });
      const classified = classify(exchange);
      return 'ok' in classified ? { outcome: 'delivered', status: classified.ok.status } : classified;
    },
    // The transport belongs to the kind context; the hub closes it.
    close: async () => {},
  };
}
