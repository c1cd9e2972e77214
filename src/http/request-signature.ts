/**
 * Request signatures of connectors whose manifest says `auth.scheme: "hmac-sha256"` (SPEC §3, the
 * stronger option): besides their token or client certificate, every request they make carries the
 * Standard Webhooks headers, keyed with the signing key derived from their token, over the id, the
 * timestamp, any `ce-*` header and the exact body bytes (`connectors/kit/signature.ts`, the same
 * signature as the hub's deliveries). The route binding calls the check once the caller is known
 * and the body bytes are read, before anything parses them, for every route a connector may call.
 *
 * A missing, wrong or stale (over 5 minutes) signature, or a `webhook-id` this instance verified
 * before, is `bad-signature` (401). Verified ids are kept per connector, in memory, bounded: with
 * several hub instances a replay to another instance is caught only by the timestamp window and
 * the message dedupe (`source` + `id`), so a replay gains nothing but a second `202`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ReplayGuard, verifyWebhook, WebhookVerificationError } from '../../connectors/kit/webhook-verifier.ts';
import { HubError } from '../contract/problems.ts';
import type { ConnectorManifest } from '../contract/schema-set.ts';
import type { ConnectorIdentity } from '../registry/connector-credentials.ts';
import { isOperator } from './auth.ts';

/** The registry as the check reads it, at each request (manifests change, tokens rotate). */
export interface SigningConnectors {
  connector(id: string): { readonly manifest: Pick<ConnectorManifest, 'auth'>; readonly credential: { readonly signingKey: string } } | undefined;
}

/** Throws `bad-signature` when `caller` is a connector that must sign and this request is not signed right. */
export type CheckSignature = (caller: unknown, headers: IncomingHttpHeaders, body: Buffer) => void;

export interface RequestSignatureOptions {
  /** Epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Verified ids remembered per connector; default 10 000 (over it, the oldest is forgotten). */
  readonly maxIdsPerConnector?: number;
}

export function requestSignatures(registry: () => SigningConnectors, { now = Date.now, maxIdsPerConnector }: RequestSignatureOptions = {}): CheckSignature {
  const guards = new Map<string, ReplayGuard>();
  return (caller, headers, body) => {
    const id = connectorOf(caller)?.id;
    const entry = id === undefined ? undefined : registry().connector(id);
    if (id === undefined || entry?.manifest.auth?.scheme !== 'hmac-sha256') return;
    let replays = guards.get(id);
    if (!replays) guards.set(id, (replays = new ReplayGuard(maxIdsPerConnector)));
    try {
      verifyWebhook({ signingKey: entry.credential.signingKey, headers, body, now: now(), replays });
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      throw new HubError(
        'bad-signature',
        `${err.message} Connector "${id}" signs every request (auth.scheme hmac-sha256): webhook-id (new for each request), webhook-timestamp (Unix seconds, now) and webhook-signature "v1,<base64 HMAC-SHA256 of <id>.<timestamp>.<body bytes> keyed with the signing key of your token>" (docs/webhooks.md).`,
        { cause: err },
      );
    }
  };
}

/** The connector an authenticated caller is: itself (`auth: 'connector'`) or the connector of a `caller` route. */
function connectorOf(caller: unknown): ConnectorIdentity | undefined {
  if (typeof caller !== 'object' || caller === null || isOperator(caller)) return undefined;
  return 'connector' in caller ? (caller as { connector: ConnectorIdentity }).connector : (caller as ConnectorIdentity);
}
